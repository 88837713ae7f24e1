import { createHash } from 'node:crypto';
import type { KubeClient } from '../../kube/KubeClient';
import { condition, PROVREQ, setCondition } from '../../kube/objects';
import {
  CONSUME_PROVREQ_ANNOTATION,
  isFixture,
  KUEUE_API,
  PROVREQ_API,
} from '../kueue/KueueController';
import { gkeNodeName, nodeOf, type EmulatedNodePool } from './nodePools';
import {
  matchesNodeSelection,
  podRequests,
  untoleratedTaint,
  type Taint,
} from './podSpec';
import { toAmounts, type ResourceAmounts } from './quantity';
import { RAY_PORTS, rayHeadService } from '../rayHead';
import { ownedByDaemonSet } from '../daemonSets';
import {
  FABRIC_ANNOTATION,
  ncclTestContainer,
  runNcclAllGather,
  type EmulatedFabric,
} from '../ncclTest';
import type { ContainerLogs } from '../../kube/server/podLog';

type Obj = Record<string, any>;

/** How a DWS (queued provisioning) request ends in the emulated GKE autoscaler. */
export type DwsOutcome =
  | 'provisioned'
  | 'booking-expired'
  | 'failed'
  | 'stockout-other-zones'
  | 'quota-exceeded'
  | 'capacity-revoked';

/** The outcomes that end in `Failed=True`, with the reason and message GKE writes for each. */
const FAILED_OUTCOMES: Partial<
  Record<
    DwsOutcome,
    (ctx: {
      project: string;
      zone: string;
      pool?: EmulatedNodePool;
      poolGpus: number;
    }) => readonly [string, string]
  >
> = {
  failed: ({ project, zone }) => [
    PROVREQ.failedResourcePool[0],
    resourcePoolExhausted(project, zone),
  ],
  'stockout-other-zones': ({ project, zone, pool }) => [
    PROVREQ.failedResourcePool[0],
    resourcePoolExhausted(project, zone, pool),
  ],
  'quota-exceeded': ({ zone, pool, poolGpus }) => [
    'QuotaExceeded',
    quotaExceeded(zone, pool, poolGpus),
  ],
};

/** Jobs choose their scripted DWS outcome with this annotation. */
export const OUTCOME_ANNOTATION = 'emulator.gpu-platform.dev/dws-outcome';
/** Label GKE puts on nodes it provisioned for a ProvisioningRequest (the ResizeRequest name). */
export const PROVREQ_NODE_LABEL = 'autoscaling.gke.io/provisioning-request';
const QUEUED_CLASS = 'queued-provisioning.gke.io';

export interface ClusterTimings {
  acceptMs: number;
  provisionMs: number;
  podStartMs: number;
  runMs: number;
  bookingMs: number;
  failAfterMs: number;
  revokeAfterMs: number;
  rayJobRunMs: number;
  scaleDownUnneededMs: number;
}

export interface ClusterOptions {
  project: string;
  cluster: string;
  defaultOutcome: DwsOutcome;
  timings: ClusterTimings;
  /** Where emulated containers' output goes (served by `pods/log`). */
  containerLogs?: ContainerLogs;
}

const cond = (o: Obj, type: string) =>
  (o.status?.conditions ?? []).find((c: any) => c.type === type);
const isTrue = (o: Obj, type: string) => cond(o, type)?.status === 'True';
const hash = (s: string, n = 5) =>
  createHash('sha256')
    .update(s)
    .digest('hex')
    .slice(0, n)
    .replace(/[0-9]/g, d => 'bcdfghjklm'[Number(d)]);
const ownerRef = (o: Obj) => ({
  apiVersion: o.apiVersion,
  kind: o.kind,
  name: o.metadata.name,
  uid: o.metadata.uid,
  controller: true,
  blockOwnerDeletion: true,
});
const terminal = (pod: Obj) =>
  pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';

/**
 * GKE's ExtendedResourceToleration admission plugin (enabled on GKE): a pod requesting an
 * extended resource such as `nvidia.com/gpu` gets an `Exists:NoSchedule` toleration for it, so
 * GPU pods tolerate the taint GKE puts on GPU nodes and CPU-only pods do not.
 */
export function withExtendedResourceTolerations(spec: Obj): Obj {
  const extended = Object.keys(podRequests(spec)).filter(r => r.includes('/'));
  const tolerations: Obj[] = [...(spec.tolerations ?? [])];
  for (const key of extended.sort()) {
    if (!tolerations.some(t => t.key === key && t.operator === 'Exists'))
      tolerations.push({ key, operator: 'Exists', effect: 'NoSchedule' });
  }
  return tolerations.length ? { ...spec, tolerations } : spec;
}

/**
 * The in-cluster controllers below Kueue: the Job controller, KubeRay's RayCluster and RayJob
 * controllers, kube-scheduler (NodeAffinity, TaintToleration and NodeResourcesFit filters with
 * the scheduler's FailedScheduling message), GKE's cluster autoscaler for autoscaled pools and
 * its ProvisioningRequest (DWS queued provisioning) controller. All level-triggered on the
 * store, with transitions timed by the injected clock.
 */
export class ClusterController {
  private pools: EmulatedNodePool[] = [];
  /** Since when each node of an autoscaled pool has had no running pod. */
  private readonly idleSince = new Map<string, number>();
  /** Nodes a pod has been bound to (a booked node's capacity was consumed). */
  private readonly consumed = new Set<string>();
  /** When each RayJob's job started running on its cluster (by uid). */
  private readonly rayJobStarted = new Map<string, number>();

  constructor(
    private readonly client: KubeClient,
    private readonly options: ClusterOptions,
  ) {}

  private now() {
    return this.client.store.now();
  }

  private nowMs() {
    return Date.parse(this.client.store.now());
  }

  /** Node pools of the emulated cluster; each pool's initial nodes are created at once. */
  setNodePools(pools: EmulatedNodePool[]) {
    this.pools = pools;
    for (const pool of pools) {
      const existing = this.nodesOf(pool.name).length;
      for (let i = existing; i < pool.initialNodes; i++)
        this.addNode(pool, `${pool.name}/${i}`);
    }
  }

  /**
   * The node's kubelet stops posting status (a crashed host, a wedged GPU driver): the node
   * lifecycle controller sets every kubelet condition to Unknown with reason NodeStatusUnknown,
   * "Kubelet stopped posting node status.", and taints the node unreachable (Kubernetes
   * node-lifecycle-controller).
   */
  stopKubelet(nodeName: string) {
    this.client.modify('v1', 'Node', nodeName, undefined, o => {
      o.status.conditions = (o.status.conditions ?? []).map((c: Obj) => ({
        ...c,
        status: 'Unknown',
        reason: 'NodeStatusUnknown',
        message: 'Kubelet stopped posting node status.',
        lastTransitionTime: this.now(),
      }));
      o.spec.taints = [
        ...(o.spec.taints ?? []).filter(
          (t: Obj) => t.key !== 'node.kubernetes.io/unreachable',
        ),
        { key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule' },
        {
          key: 'node.kubernetes.io/unreachable',
          effect: 'NoExecute',
          timeAdded: this.now(),
        },
      ];
    });
  }

  get nodePools(): readonly EmulatedNodePool[] {
    return this.pools;
  }

  private nodesOf(pool: string) {
    return this.client
      .list('v1', 'Node')
      .filter(
        n => n.metadata.labels?.['cloud.google.com/gke-nodepool'] === pool,
      );
  }

  private addNode(
    pool: EmulatedNodePool,
    seed: string,
    extraLabels: Record<string, string> = {},
    ready = true,
  ) {
    const name = gkeNodeName(this.options.cluster, pool.name, seed);
    const node = nodeOf(
      pool,
      name,
      this.now(),
      this.options.project,
      extraLabels,
    );
    if (!ready) {
      node.status.conditions = [
        condition(
          'Ready',
          'False',
          'KubeletNotReady',
          'container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady',
          this.now(),
        ),
      ];
      // The node lifecycle controller taints nodes that are not ready.
      (node.spec as Obj).taints = [
        ...pool.taints,
        { key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule' },
      ];
    }
    this.client.upsert(node);
    return name;
  }

  /** Pods whose controller (Job, RayCluster) is gone are deleted, as the garbage collector does. */
  private collectGarbage() {
    const owners = new Set(
      [
        ...this.client.list('batch/v1', 'Job'),
        ...this.client.list('ray.io/v1', 'RayCluster'),
        ...this.client.list('ray.io/v1', 'RayJob'),
      ].map(o => o.metadata.uid),
    );
    for (const pod of this.client.list('v1', 'Pod')) {
      const ref = (pod.metadata.ownerReferences ?? []).find(
        (r: Obj) => r.controller,
      );
      if (isFixture(pod) || !ref || !['Job', 'RayCluster'].includes(ref.kind))
        continue;
      if (!owners.has(ref.uid))
        this.client.delete(
          'v1',
          'Pod',
          pod.metadata.name,
          pod.metadata.namespace,
        );
    }
    for (const rc of this.client.list('ray.io/v1', 'RayCluster')) {
      const ref = (rc.metadata.ownerReferences ?? []).find(
        (r: Obj) => r.kind === 'RayJob',
      );
      if (ref && !owners.has(ref.uid))
        this.client.delete(
          'ray.io/v1',
          'RayCluster',
          rc.metadata.name,
          rc.metadata.namespace,
        );
    }
  }

  reconcile(): number | undefined {
    this.collectGarbage();
    let next: number | undefined;
    const later = (t: number | undefined) => {
      if (t !== undefined) next = next === undefined ? t : Math.min(next, t);
    };
    later(this.reconcileProvisioningRequests());
    this.reconcileJobs();
    this.reconcileRayClusters();
    later(this.reconcileRayJobs());
    this.schedulePods();
    later(this.runPods());
    this.reconcileJobs();
    this.reconcileRayClusters();
    later(this.scaleDown());
    return next;
  }

  /**
   * The cluster autoscaler's scale-down: a node of an autoscaled pool that has run no pod for
   * scaleDownUnneededMs is removed, down to the pool's minimum. Booked DWS nodes nothing has
   * used yet are left to the booking (BookingExpired releases them).
   */
  private scaleDown(): number | undefined {
    const now = this.nowMs();
    let next: number | undefined;
    // DaemonSet pods do not keep a node (cluster autoscaler: they are expected on every node).
    const pods = this.client
      .list('v1', 'Pod')
      .filter(p => p.spec?.nodeName && !ownedByDaemonSet(p));
    for (const p of pods) this.consumed.add(p.spec.nodeName);
    const busy = new Set(
      pods.filter(p => !terminal(p)).map(p => p.spec.nodeName),
    );
    for (const pool of this.pools.filter(p => p.autoscaling)) {
      const minimum = pool.queuedProvisioning ? 0 : pool.initialNodes;
      const nodes = this.nodesOf(pool.name);
      let count = nodes.length;
      for (const node of nodes) {
        const name = node.metadata.name;
        if (busy.has(name) || isFixture(node) || !this.consumed.has(name)) {
          this.idleSince.delete(name);
          continue;
        }
        const since = this.idleSince.get(name) ?? now;
        this.idleSince.set(name, since);
        if (
          count > minimum &&
          now >= since + this.options.timings.scaleDownUnneededMs
        ) {
          this.client.delete('v1', 'Node', name);
          this.idleSince.delete(name);
          count--;
        } else if (count > minimum) {
          const at = since + this.options.timings.scaleDownUnneededMs;
          next = next === undefined ? at : Math.min(next, at);
        }
      }
    }
    return next;
  }

  // ---- batch/v1 Job controller -------------------------------------------------------------

  private podsOwnedBy(o: Obj) {
    return this.client
      .list('v1', 'Pod', o.metadata.namespace)
      .filter(p =>
        (p.metadata.ownerReferences ?? []).some(
          (r: Obj) => r.uid === o.metadata.uid,
        ),
      );
  }

  private reconcileJobs() {
    for (const job of this.client.list('batch/v1', 'Job')) {
      if (isFixture(job) || isTrue(job, 'Complete') || isTrue(job, 'Failed'))
        continue;
      const pods = this.podsOwnedBy(job);
      const ns = job.metadata.namespace;
      const update = (mutate: (o: Obj) => void) =>
        this.client.modify('batch/v1', 'Job', job.metadata.name, ns, mutate);
      if (job.spec?.suspend) {
        for (const pod of pods.filter(p => !terminal(p)))
          this.client.delete('v1', 'Pod', pod.metadata.name, ns);
        if (job.status?.startTime || job.status?.active) {
          update(o => {
            o.status = {
              ...(o.status ?? {}),
              active: 0,
              ready: 0,
              conditions: setCondition(
                o.status?.conditions,
                condition(
                  'Suspended',
                  'True',
                  'JobSuspended',
                  'Job suspended',
                  this.now(),
                ),
              ),
            };
            delete o.status.startTime;
          });
        }
        continue;
      }
      const completions = job.spec?.completions ?? job.spec?.parallelism ?? 1;
      const parallelism = Math.min(job.spec?.parallelism ?? 1, completions);
      const indexed = job.spec?.completionMode === 'Indexed';
      const failed = pods.filter(p => p.status?.phase === 'Failed');
      // More failed pods than spec.backoffLimit (default 6): the Job fails and its active pods
      // are terminated (job controller: `BackoffLimitExceeded`).
      if (failed.length > (job.spec?.backoffLimit ?? 6)) {
        for (const pod of pods.filter(p => !terminal(p)))
          this.client.delete('v1', 'Pod', pod.metadata.name, ns);
        update(o => {
          let conditions = o.status?.conditions;
          for (const type of ['FailureTarget', 'Failed'])
            conditions = setCondition(
              conditions,
              condition(
                type,
                'True',
                'BackoffLimitExceeded',
                'Job has reached the specified backoff limit',
                this.now(),
              ),
            );
          o.status = {
            ...(o.status ?? {}),
            active: 0,
            ready: 0,
            failed: failed.length,
            conditions,
          };
        });
        continue;
      }
      const succeeded = pods.filter(p => p.status?.phase === 'Succeeded');
      const live = pods.filter(p => !terminal(p));
      const doneIndexes = new Set(
        succeeded.map(
          p => p.metadata.labels?.['batch.kubernetes.io/job-completion-index'],
        ),
      );
      const liveIndexes = new Set(
        live.map(
          p => p.metadata.labels?.['batch.kubernetes.io/job-completion-index'],
        ),
      );
      let toCreate =
        Math.min(parallelism, completions - succeeded.length) - live.length;
      for (let index = 0; index < completions && toCreate > 0; index++) {
        if (doneIndexes.has(String(index)) || liveIndexes.has(String(index)))
          continue;
        this.client.upsert(this.jobPod(job, index, indexed, pods.length));
        toCreate--;
      }
      const current = this.podsOwnedBy(job);
      const ready = current.filter(p => p.status?.phase === 'Running').length;
      const active = current.filter(p => !terminal(p)).length;
      const done = current.filter(p => p.status?.phase === 'Succeeded').length;
      update(o => {
        const status: Obj = {
          ...(o.status ?? {}),
          startTime: o.status?.startTime ?? this.now(),
          active,
          ready,
          succeeded: done,
          ...(failed.length ? { failed: failed.length } : {}),
        };
        if (isTrue(o, 'Suspended'))
          status.conditions = setCondition(
            o.status?.conditions,
            condition(
              'Suspended',
              'False',
              'JobResumed',
              'Job resumed',
              this.now(),
            ),
          );
        if (done >= completions) {
          status.completionTime = this.now();
          status.active = 0;
          status.ready = 0;
          for (const type of ['SuccessCriteriaMet', 'Complete'])
            status.conditions = setCondition(
              status.conditions,
              condition(
                type,
                'True',
                'CompletionsReached',
                'Reached expected number of succeeded pods',
                this.now(),
              ),
            );
        }
        o.status = status;
      });
    }
  }

  private jobPod(
    job: Obj,
    index: number,
    indexed: boolean,
    attempt: number,
  ): Obj {
    const template = job.spec?.template ?? {};
    const suffix = hash(`${job.metadata.uid}/${index}/${attempt}`);
    const name = indexed
      ? `${job.metadata.name}-${index}-${suffix}`
      : `${job.metadata.name}-${suffix}`;
    const spec = withExtendedResourceTolerations(
      structuredClone(
        template.spec ?? { containers: [{ name: 'main', image: 'busybox' }] },
      ),
    );
    if (indexed && spec.subdomain)
      spec.hostname = `${job.metadata.name}-${index}`;
    return {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name,
        namespace: job.metadata.namespace,
        labels: {
          ...(template.metadata?.labels ?? {}),
          'batch.kubernetes.io/job-name': job.metadata.name,
          'job-name': job.metadata.name,
          'batch.kubernetes.io/controller-uid': job.metadata.uid,
          'controller-uid': job.metadata.uid,
          ...(indexed
            ? { 'batch.kubernetes.io/job-completion-index': String(index) }
            : {}),
        },
        annotations: {
          ...(template.metadata?.annotations ?? {}),
          ...(indexed
            ? { 'batch.kubernetes.io/job-completion-index': String(index) }
            : {}),
        },
        ownerReferences: [
          ownerRef({ ...job, apiVersion: 'batch/v1', kind: 'Job' }),
        ],
      },
      spec,
      status: { phase: 'Pending', qosClass: 'BestEffort' },
    };
  }

  // ---- KubeRay ---------------------------------------------------------------------------

  private reconcileRayClusters() {
    for (const rc of this.client.list('ray.io/v1', 'RayCluster')) {
      if (isFixture(rc)) continue;
      const ns = rc.metadata.namespace;
      const name = rc.metadata.name;
      const pods = this.podsOwnedBy(rc);
      const update = (mutate: (o: Obj) => void) =>
        this.client.modify('ray.io/v1', 'RayCluster', name, ns, mutate);
      const groups: Obj[] = rc.spec?.workerGroupSpecs ?? [];
      const desiredWorkers = groups.reduce(
        (n, g) =>
          n +
          (rc.spec?.suspend
            ? 0
            : (g.replicas ?? g.minReplicas ?? 0) *
              Math.max(1, g.numOfHosts ?? 1)),
        0,
      );
      if (rc.spec?.suspend) {
        for (const p of pods)
          this.client.delete('v1', 'Pod', p.metadata.name, ns);
        update(o => {
          o.status = {
            ...(o.status ?? {}),
            state: 'suspended',
            desiredWorkerReplicas: 0,
            readyWorkerReplicas: 0,
            availableWorkerReplicas: 0,
            conditions: setCondition(
              o.status?.conditions,
              condition(
                'RayClusterSuspended',
                'True',
                'RayClusterSuspended',
                'RayCluster is suspended',
                this.now(),
              ),
            ),
          };
        });
        continue;
      }
      const svcName =
        rc.spec?.headGroupSpec?.headService?.metadata?.name ??
        `${name}-head-svc`;
      const want: {
        name: string;
        type: 'head' | 'worker';
        group?: string;
        template: Obj;
      }[] = [
        {
          name: `${name}-head-${hash(`${rc.metadata.uid}/head`)}`,
          type: 'head',
          template: rc.spec?.headGroupSpec?.template ?? {},
        },
      ];
      for (const g of groups) {
        const count =
          (g.replicas ?? g.minReplicas ?? 0) * Math.max(1, g.numOfHosts ?? 1);
        for (let i = 0; i < count; i++)
          want.push({
            name: `${name}-${g.groupName}-worker-${hash(
              `${rc.metadata.uid}/${g.groupName}/${i}`,
            )}`,
            type: 'worker',
            group: g.groupName,
            template: g.template ?? {},
          });
      }
      const have = new Set(pods.map(p => p.metadata.name));
      const { service, headIp } = rayHeadService(name, ns, svcName);
      if (!this.client.get('v1', 'Service', svcName, ns))
        this.client.upsert({
          ...service,
          metadata: {
            ...service.metadata,
            ownerReferences: [
              ownerRef({ ...rc, apiVersion: 'ray.io/v1', kind: 'RayCluster' }),
            ],
          },
        });
      for (const w of want) {
        if (have.has(w.name)) continue;
        this.client.upsert({
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: {
            name: w.name,
            namespace: ns,
            labels: {
              ...(w.template.metadata?.labels ?? {}),
              'ray.io/cluster': name,
              'ray.io/node-type': w.type,
              'ray.io/group': w.group ?? 'headgroup',
              'ray.io/is-ray-node': 'yes',
              'app.kubernetes.io/created-by': 'kuberay-operator',
            },
            annotations: w.template.metadata?.annotations ?? {},
            ownerReferences: [
              ownerRef({ ...rc, apiVersion: 'ray.io/v1', kind: 'RayCluster' }),
            ],
          },
          spec: withExtendedResourceTolerations(
            structuredClone(
              w.template.spec ?? {
                containers: [
                  { name: 'ray-head', image: 'rayproject/ray:2.49.0' },
                ],
              },
            ),
          ),
          status: { phase: 'Pending', qosClass: 'BestEffort' },
        });
      }
      const current = this.podsOwnedBy(rc);
      const head = current.find(
        p => p.metadata.labels?.['ray.io/node-type'] === 'head',
      );
      const workers = current.filter(
        p => p.metadata.labels?.['ray.io/node-type'] === 'worker',
      );
      const running = (p?: Obj) => p?.status?.phase === 'Running';
      const readyWorkers = workers.filter(running).length;
      const allReady = running(head) && readyWorkers >= desiredWorkers;
      update(o => {
        const wasProvisioned = isTrue(o, 'RayClusterProvisioned');
        let conditions = setCondition(
          o.status?.conditions,
          running(head)
            ? condition(
                'HeadPodReady',
                'True',
                'HeadPodRunningAndReady',
                'Head Pod ready',
                this.now(),
              )
            : condition(
                'HeadPodReady',
                'False',
                head ? 'HeadPodNotReady' : 'HeadPodNotFound',
                head ? 'Head Pod is not ready' : 'Head Pod not found',
                this.now(),
              ),
        );
        if (!wasProvisioned)
          conditions = setCondition(
            conditions,
            allReady
              ? condition(
                  'RayClusterProvisioned',
                  'True',
                  'AllPodRunningAndReadyFirstTime',
                  'All Ray Pods are ready for the first time',
                  this.now(),
                )
              : condition(
                  'RayClusterProvisioned',
                  'False',
                  'RayClusterPodsProvisioning',
                  'RayCluster Pods are being provisioned for first time',
                  this.now(),
                ),
          );
        conditions = conditions.filter(c => c.type !== 'RayClusterSuspended');
        o.status = {
          ...(o.status ?? {}),
          desiredWorkerReplicas: desiredWorkers,
          readyWorkerReplicas: readyWorkers,
          availableWorkerReplicas: readyWorkers,
          conditions,
          observedGeneration: o.metadata.generation,
        };
        if (allReady) {
          o.status.state = 'ready';
          o.status.head = {
            podIP: head!.status?.podIP,
            serviceIP: headIp,
            podName: head!.metadata.name,
            serviceName: svcName,
          };
          o.status.endpoints = Object.fromEntries(
            RAY_PORTS.map(p => [p.name, String(p.port)]),
          );
        } else if (o.status.state === 'suspended') {
          delete o.status.state;
        }
      });
    }
  }

  /** KubeRay's RayJob: Initializing → Running (PENDING → RUNNING 2 s later) → Complete (SUCCEEDED). */
  private reconcileRayJobs(): number | undefined {
    const now = this.nowMs();
    let next: number | undefined;
    const due = (at: number) => {
      if (now >= at) return true;
      next = next === undefined ? at : Math.min(next, at);
      return false;
    };
    for (const job of this.client.list('ray.io/v1', 'RayJob')) {
      if (isFixture(job) || job.spec?.suspend) continue;
      const ns = job.metadata.namespace;
      const name = job.metadata.name;
      const clusterName =
        job.spec?.clusterSelector?.['ray.io/cluster'] ??
        job.status?.rayClusterName ??
        `${name}-${hash(job.metadata.uid)}`;
      const update = (mutate: (o: Obj) => void) =>
        this.client.modify('ray.io/v1', 'RayJob', name, ns, mutate);
      const status = job.status ?? {};
      if (
        !status.jobDeploymentStatus ||
        status.jobDeploymentStatus === 'Suspended'
      ) {
        update(o => {
          o.status = {
            ...(o.status ?? {}),
            jobDeploymentStatus: 'Initializing',
            rayClusterName: clusterName,
            jobId: `${name}-${hash(`${job.metadata.uid}id`)}`,
            startTime: this.now(),
            observedGeneration: o.metadata.generation,
          };
        });
        if (
          !job.spec?.clusterSelector &&
          job.spec?.rayClusterSpec &&
          !this.client.get('ray.io/v1', 'RayCluster', clusterName, ns)
        ) {
          this.client.upsert({
            apiVersion: 'ray.io/v1',
            kind: 'RayCluster',
            metadata: {
              name: clusterName,
              namespace: ns,
              labels: {
                'ray.io/originated-from-crd': 'RayJob',
                'ray.io/originated-from-cr-name': name,
              },
              ownerReferences: [
                ownerRef({ ...job, apiVersion: 'ray.io/v1', kind: 'RayJob' }),
              ],
            },
            spec: job.spec.rayClusterSpec,
          });
        }
        continue;
      }
      const cluster = this.client.get(
        'ray.io/v1',
        'RayCluster',
        clusterName,
        ns,
      );
      if (
        status.jobDeploymentStatus === 'Initializing' &&
        cluster?.status?.state === 'ready'
      ) {
        this.rayJobStarted.set(job.metadata.uid, now);
        update(o => {
          o.status = {
            ...o.status,
            jobDeploymentStatus: 'Running',
            jobStatus: 'PENDING',
            dashboardURL: `${clusterName}-head-svc.${ns}.svc.cluster.local:8265`,
          };
        });
        due(now + 2000);
        continue;
      }
      const started = this.rayJobStarted.get(job.metadata.uid);
      if (status.jobDeploymentStatus !== 'Running' || started === undefined)
        continue;
      if (status.jobStatus === 'PENDING' && due(started + 2000)) {
        update(o => {
          o.status = { ...o.status, jobStatus: 'RUNNING' };
        });
      }
      if (due(started + 2000 + this.options.timings.rayJobRunMs)) {
        update(o => {
          o.status = {
            ...o.status,
            jobStatus: 'SUCCEEDED',
            jobDeploymentStatus: 'Complete',
            endTime: this.now(),
            message: 'Job finished successfully.',
            succeeded: 1,
            failed: 0,
          };
        });
      }
    }
    return next;
  }

  // ---- kube-scheduler and the cluster autoscaler -----------------------------------------

  private schedulePods() {
    const pods = this.client.list('v1', 'Pod');
    const pending = pods.filter(
      p =>
        !isFixture(p) &&
        !p.spec?.nodeName &&
        p.status?.phase === 'Pending' &&
        !p.metadata.deletionTimestamp,
    );
    if (pending.length === 0) return;
    const used = new Map<string, ResourceAmounts>();
    const podCount = new Map<string, number>();
    for (const p of pods) {
      if (!p.spec?.nodeName || terminal(p)) continue;
      const u = used.get(p.spec.nodeName) ?? {};
      for (const [r, v] of Object.entries(podRequests(p.spec)))
        u[r] = (u[r] ?? 0) + v;
      used.set(p.spec.nodeName, u);
      podCount.set(p.spec.nodeName, (podCount.get(p.spec.nodeName) ?? 0) + 1);
    }
    // The scheduling queue: oldest first, then by name (deterministic).
    const key = (p: Obj) =>
      `${p.metadata.creationTimestamp}/${p.metadata.name}`;
    pending.sort((a, b) => (key(a) < key(b) ? -1 : 1));
    for (const pod of pending) {
      let nodes = this.client.list('v1', 'Node');
      let fit = this.findNode(pod, nodes, used, podCount);
      if (!fit.node) {
        // GKE cluster autoscaler: scale up a non-queued autoscaled pool whose node would fit.
        const pool = this.pools.find(
          p =>
            p.autoscaling &&
            !p.queuedProvisioning &&
            this.nodesOf(p.name).length < p.maxNodes &&
            fitsTemplate(pod.spec, p),
        );
        if (pool) {
          this.addNode(pool, `${pool.name}/scale-up/${pod.metadata.uid}`);
          nodes = this.client.list('v1', 'Node');
          fit = this.findNode(pod, nodes, used, podCount);
        }
      }
      if (fit.node) {
        const nodeName = fit.node;
        const requests = podRequests(pod.spec);
        const u = used.get(nodeName) ?? {};
        for (const [r, v] of Object.entries(requests)) u[r] = (u[r] ?? 0) + v;
        used.set(nodeName, u);
        podCount.set(nodeName, (podCount.get(nodeName) ?? 0) + 1);
        this.client.modify(
          'v1',
          'Pod',
          pod.metadata.name,
          pod.metadata.namespace,
          o => {
            o.spec.nodeName = nodeName;
            o.status = {
              ...(o.status ?? {}),
              conditions: setCondition(
                o.status?.conditions,
                condition('PodScheduled', 'True', '', '', this.now()),
              ),
            };
          },
        );
      } else {
        this.client.modify(
          'v1',
          'Pod',
          pod.metadata.name,
          pod.metadata.namespace,
          o => {
            o.status = {
              ...(o.status ?? {}),
              phase: 'Pending',
              conditions: setCondition(
                o.status?.conditions,
                condition(
                  'PodScheduled',
                  'False',
                  'Unschedulable',
                  fit.message,
                  this.now(),
                ),
              ),
            };
          },
        );
      }
    }
  }

  /**
   * The filter phase over every node, and kube-scheduler's FitError message when none passes:
   * `0/N nodes are available: <count> <reason>, … . preemption: …` (reasons sorted, as
   * pkg/scheduler/framework FitError.Error() writes them).
   */
  private findNode(
    pod: Obj,
    nodes: Obj[],
    used: Map<string, ResourceAmounts>,
    podCount: Map<string, number>,
  ): { node?: string; message: string } {
    if (nodes.length === 0)
      return { message: 'no nodes available to schedule pods' };
    const requests = podRequests(pod.spec);
    const histogram = new Map<string, number>();
    let resolvable = 0;
    const sorted = [...nodes].sort((a, b) =>
      a.metadata.name < b.metadata.name ? -1 : 1,
    );
    for (const node of sorted) {
      const reasons = nodeReasons(
        pod.spec,
        node,
        requests,
        used.get(node.metadata.name) ?? {},
        podCount.get(node.metadata.name) ?? 0,
      );
      if (reasons.length === 0)
        return { node: node.metadata.name, message: '' };
      if (
        reasons.every(
          r => r.startsWith('Insufficient') || r === 'Too many pods',
        )
      )
        resolvable++;
      for (const r of reasons) histogram.set(r, (histogram.get(r) ?? 0) + 1);
    }
    const filter = [...histogram.entries()].map(([r, n]) => `${n} ${r}`).sort();
    const n = nodes.length;
    const preemption = [
      ...(resolvable
        ? [`${resolvable} No preemption victims found for incoming pod`]
        : []),
      ...(n - resolvable
        ? [`${n - resolvable} Preemption is not helpful for scheduling`]
        : []),
    ].sort();
    return {
      message: `0/${n} nodes are available: ${filter.join(
        ', ',
      )}. preemption: 0/${n} nodes are available: ${preemption.join(', ')}.`,
    };
  }

  /** Pending → Running after podStartMs once bound; Job pods succeed runMs after they started. */
  private runPods(): number | undefined {
    const t = this.options.timings;
    const now = this.nowMs();
    let next: number | undefined;
    const later = (at: number) => {
      next = next === undefined ? at : Math.min(next, at);
    };
    const nodes = new Set(
      this.client.list('v1', 'Node').map(n => n.metadata.name),
    );
    for (const pod of this.client.list('v1', 'Pod')) {
      if (
        isFixture(pod) ||
        ownedByDaemonSet(pod) ||
        !pod.spec?.nodeName ||
        terminal(pod)
      )
        continue;
      const ns = pod.metadata.namespace;
      if (!nodes.has(pod.spec.nodeName)) {
        // The node is gone (capacity reclaimed): the pod garbage collector deletes its pods.
        this.client.delete('v1', 'Pod', pod.metadata.name, ns);
        continue;
      }
      const scheduledAt = Date.parse(
        cond(pod, 'PodScheduled')?.lastTransitionTime ?? this.now(),
      );
      if (pod.status?.phase === 'Pending') {
        if (now < scheduledAt + t.podStartMs) {
          later(scheduledAt + t.podStartMs);
          continue;
        }
        const ip = createHash('sha256').update(pod.metadata.uid).digest();
        this.client.modify('v1', 'Pod', pod.metadata.name, ns, o => {
          o.status = {
            ...o.status,
            phase: 'Running',
            startTime: this.now(),
            podIP: `10.8.${ip[0] % 200}.${10 + (ip[1] % 200)}`,
            hostIP: `10.128.0.${10 + (ip[2] % 200)}`,
            conditions: setCondition(
              setCondition(
                o.status?.conditions,
                condition('Initialized', 'True', '', '', this.now()),
              ),
              condition('Ready', 'True', '', '', this.now()),
            ),
          };
        });
        const nccl = ncclTestContainer(pod);
        if (nccl && this.options.containerLogs) {
          // While it runs, only NCCL's initialisation lines are out.
          const run = runNcclAllGather(pod, this.nodesOfJobPods(pod));
          this.options.containerLogs.set(
            pod.metadata.uid,
            nccl.name,
            (run?.log ?? '')
              .split('\n')
              .filter(l => l.includes('NCCL INFO'))
              .map(l => `${l}\n`)
              .join(''),
          );
        }
        continue;
      }
      const ownedByJob = (pod.metadata.ownerReferences ?? []).some(
        (r: Obj) => r.kind === 'Job',
      );
      if (ownedByJob && pod.status?.phase === 'Running') {
        const started = Date.parse(pod.status.startTime);
        if (now < started + t.runMs) {
          later(started + t.runMs);
          continue;
        }
        const nccl = ncclTestContainer(pod);
        const run = nccl
          ? runNcclAllGather(pod, this.nodesOfJobPods(pod))
          : undefined;
        if (nccl && run)
          this.options.containerLogs?.set(pod.metadata.uid, nccl.name, run.log);
        const exitCode = run?.exitCode ?? 0;
        this.client.modify('v1', 'Pod', pod.metadata.name, ns, o => {
          o.status = {
            ...o.status,
            phase: exitCode === 0 ? 'Succeeded' : 'Failed',
            conditions: setCondition(
              o.status?.conditions,
              condition('Ready', 'False', 'PodCompleted', '', this.now()),
            ),
            ...(nccl
              ? {
                  containerStatuses: [
                    {
                      name: nccl.name,
                      ready: false,
                      restartCount: 0,
                      image: nccl.image,
                      state: {
                        terminated: {
                          exitCode,
                          reason: exitCode === 0 ? 'Completed' : 'Error',
                          startedAt: o.status?.startTime,
                          finishedAt: this.now(),
                        },
                      },
                    },
                  ],
                }
              : {}),
          };
        });
      }
    }
    return next;
  }

  /**
   * Sets the RDMA fabric of a node pool's NCCL runs: its nodes now and those added later (the
   * degraded-fabric scenario). Unknown pool: nothing changes.
   */
  setRdmaFabric(poolName: string, fabric: EmulatedFabric) {
    const pool = this.pools.find(p => p.name === poolName);
    if (!pool) return;
    pool.rdmaFabric = fabric;
    for (const node of this.client.list('v1', 'Node')) {
      if (node.metadata.labels?.['cloud.google.com/gke-nodepool'] !== poolName)
        continue;
      this.client.modify('v1', 'Node', node.metadata.name, undefined, o => {
        const annotations = { ...(o.metadata.annotations ?? {}) };
        if (fabric === 'healthy') delete annotations[FABRIC_ANNOTATION];
        else annotations[FABRIC_ANNOTATION] = fabric;
        o.metadata.annotations = annotations;
      });
    }
  }

  /** The nodes the pods of `pod`'s Job are bound to (the fabric an NCCL run spans). */
  private nodesOfJobPods(pod: Obj): Obj[] {
    const uid = pod.metadata.labels?.['batch.kubernetes.io/controller-uid'];
    const names = new Set(
      this.client
        .list('v1', 'Pod', pod.metadata.namespace)
        .filter(
          p =>
            p.metadata.labels?.['batch.kubernetes.io/controller-uid'] === uid,
        )
        .map(p => p.spec?.nodeName)
        .filter(Boolean),
    );
    return this.client
      .list('v1', 'Node')
      .filter(n => names.has(n.metadata.name));
  }

  // ---- GKE's ProvisioningRequest controller (DWS queued provisioning) ----------------------

  private outcomeOf(pr: Obj): DwsOutcome {
    const wlRef = (pr.metadata.ownerReferences ?? []).find(
      (r: Obj) => r.kind === 'Workload',
    );
    const wl =
      wlRef &&
      this.client.get(KUEUE_API, 'Workload', wlRef.name, pr.metadata.namespace);
    const jobRef = wl?.metadata?.ownerReferences?.find(
      (r: Obj) => r.controller,
    );
    const job =
      jobRef &&
      this.client.get(
        jobRef.apiVersion,
        jobRef.kind,
        jobRef.name,
        pr.metadata.namespace,
      );
    return (
      (job?.metadata?.annotations?.[OUTCOME_ANNOTATION] as DwsOutcome) ??
      this.options.defaultOutcome
    );
  }

  /** The queued-provisioning pool a request's pod templates fit on. */
  private poolFor(templates: Obj[]) {
    return this.pools.find(
      p =>
        p.queuedProvisioning &&
        templates.every(t =>
          fitsTemplate(
            withExtendedResourceTolerations(t.template?.spec ?? {}),
            p,
          ),
        ),
    );
  }

  private reconcileProvisioningRequests(): number | undefined {
    const t = this.options.timings;
    const now = this.nowMs();
    let next: number | undefined;
    const due = (at: number) => {
      if (now >= at) return true;
      next = next === undefined ? at : Math.min(next, at);
      return false;
    };
    for (const pr of this.client.list(PROVREQ_API, 'ProvisioningRequest')) {
      if (isFixture(pr) || pr.spec?.provisioningClassName !== QUEUED_CLASS)
        continue;
      const ns = pr.metadata.namespace;
      const setConditions = (
        ...list: [string, 'True' | 'False', readonly [string, string]][]
      ) =>
        this.client.modify(
          PROVREQ_API,
          'ProvisioningRequest',
          pr.metadata.name,
          ns,
          o => {
            let conditions = o.status?.conditions;
            for (const [type, status, [reason, message]] of list)
              conditions = setCondition(conditions, {
                ...condition(type, status, reason, message, this.now()),
                observedGeneration: o.metadata.generation,
              });
            o.status = { ...(o.status ?? {}), conditions };
          },
        );
      const done = ['Failed', 'BookingExpired', 'CapacityRevoked'].some(c =>
        isTrue(pr, c),
      );
      if (done) continue;
      const outcome = this.outcomeOf(pr);
      const created = Date.parse(pr.metadata.creationTimestamp);
      if (!cond(pr, 'Accepted')) {
        if (due(created + t.acceptMs)) {
          setConditions(
            ['Accepted', 'True', PROVREQ.accepted],
            ['Provisioned', 'False', PROVREQ.waiting],
          );
        }
        continue;
      }
      const acceptedAt = Date.parse(cond(pr, 'Accepted').lastTransitionTime);
      const templates = (pr.spec?.podSets ?? []).map((ps: Obj) => ({
        count: ps.count ?? 1,
        template:
          this.client.get('v1', 'PodTemplate', ps.podTemplateRef?.name, ns)
            ?.template ?? {},
      }));
      const pool = this.poolFor(templates);
      const selectedZone = pool?.zone ?? '';
      if (!isTrue(pr, 'Provisioned')) {
        const failure = FAILED_OUTCOMES[outcome];
        if (failure) {
          if (due(acceptedAt + t.failAfterMs)) {
            const poolGpus = pool
              ? this.nodesOf(pool.name).reduce(
                  (n, node) =>
                    n +
                    Number.parseInt(
                      node.status?.capacity?.['nvidia.com/gpu'] ?? '0',
                      10,
                    ),
                  0,
                )
              : 0;
            setConditions([
              'Failed',
              'True',
              failure({
                project: this.options.project,
                zone: selectedZone || 'us-central1-b',
                pool,
                poolGpus,
              }),
            ]);
          }
          continue;
        }
        // No queued-provisioning pool can host the pods: the request waits, as GKE leaves it.
        if (!pool || !due(acceptedAt + t.provisionMs)) continue;
        const perNode = Math.max(
          1,
          ...templates.map((x: Obj) =>
            podsPerNode(x.template.spec ?? {}, pool),
          ),
        );
        const needed = templates.reduce(
          (n: number, x: Obj) => n + Math.ceil(x.count / perNode),
          0,
        );
        const existing = this.nodesOf(pool.name).length;
        if (existing + needed > pool.maxNodes) {
          setConditions([
            'Failed',
            'True',
            [
              'LimitExceeded',
              `Max nodepool size reached, affected nodepools: ${pool.name}`,
            ],
          ]);
          continue;
        }
        const resizeRequest = `gke-${this.options.cluster.slice(0, 20)}-${hash(
          pr.metadata.uid,
          8,
        )}`;
        for (let i = 0; i < needed; i++) {
          // 'booking-expired': the nodes register but never become Ready, so the booking lapses.
          this.addNode(
            pool,
            `${pr.metadata.uid}/${i}`,
            { [PROVREQ_NODE_LABEL]: resizeRequest },
            outcome !== 'booking-expired',
          );
        }
        setConditions(['Provisioned', 'True', PROVREQ.provisioned]);
        this.client.modify(
          PROVREQ_API,
          'ProvisioningRequest',
          pr.metadata.name,
          ns,
          o => {
            o.status.provisioningClassDetails = {
              NodePoolName: pool.name,
              SelectedZone: pool.zone,
              AcceleratorType:
                pool.labels['cloud.google.com/gke-accelerator'] ?? '',
              ResizeRequestName: resizeRequest,
            };
          },
        );
        continue;
      }
      const provisionedAt = Date.parse(
        cond(pr, 'Provisioned').lastTransitionTime,
      );
      const resize = pr.status?.provisioningClassDetails?.ResizeRequestName;
      const nodes = this.client
        .list('v1', 'Node')
        .filter(n => n.metadata.labels?.[PROVREQ_NODE_LABEL] === resize);
      const consumed = this.client
        .list('v1', 'Pod', ns)
        .some(
          p =>
            p.metadata.annotations?.[CONSUME_PROVREQ_ANNOTATION] ===
              pr.metadata.name &&
            nodes.some(n => n.metadata.name === p.spec?.nodeName),
        );
      if (outcome === 'capacity-revoked') {
        if (due(provisionedAt + t.revokeAfterMs)) {
          for (const n of nodes)
            this.client.delete('v1', 'Node', n.metadata.name);
          setConditions(['CapacityRevoked', 'True', PROVREQ.capacityRevoked]);
        }
        continue;
      }
      // The booking lasts bookingMs: capacity no consuming pod landed on is released.
      if (!consumed && due(provisionedAt + t.bookingMs)) {
        setConditions(['BookingExpired', 'True', PROVREQ.bookingExpired]);
        const busy = new Set(
          this.client
            .list('v1', 'Pod')
            .filter(p => !ownedByDaemonSet(p))
            .map(p => p.spec?.nodeName),
        );
        for (const n of nodes)
          if (!busy.has(n.metadata.name))
            this.client.delete('v1', 'Node', n.metadata.name);
      }
    }
    return next;
  }
}

/** Filter reasons of one node, in kube-scheduler's words (nodeaffinity, tainttoleration, noderesources). */
function nodeReasons(
  spec: Obj,
  node: Obj,
  requests: ResourceAmounts,
  used: ResourceAmounts,
  pods: number,
): string[] {
  const reasons: string[] = [];
  if (node.spec?.unschedulable) reasons.push('node(s) were unschedulable');
  if (!matchesNodeSelection(spec, node.metadata.labels ?? {}))
    reasons.push("node(s) didn't match Pod's node affinity/selector");
  const taint = untoleratedTaint(
    node.spec?.taints as Taint[],
    spec.tolerations,
  );
  if (taint)
    reasons.push(
      `node(s) had untolerated taint {${taint.key}: ${taint.value ?? ''}}`,
    );
  if (reasons.length) return reasons;
  const allocatable = toAmounts(node.status?.allocatable ?? {});
  if (pods + 1 > (allocatable.pods ?? 110)) reasons.push('Too many pods');
  for (const [r, v] of Object.entries(requests).sort(([a], [b]) =>
    a < b ? -1 : 1,
  )) {
    if (r === 'pods') continue;
    if ((used[r] ?? 0) + v > (allocatable[r] ?? 0))
      reasons.push(`Insufficient ${r}`);
  }
  return reasons;
}

/** Whether a fresh node of the pool would pass the filters for a pod spec. */
function fitsTemplate(spec: Obj, pool: EmulatedNodePool) {
  if (!matchesNodeSelection(spec, pool.labels)) return false;
  if (untoleratedTaint(pool.taints, spec.tolerations)) return false;
  const requests = podRequests(spec);
  return Object.entries(requests).every(
    ([r, v]) => v <= (pool.allocatable[r] ?? 0),
  );
}

function podsPerNode(spec: Obj, pool: EmulatedNodePool) {
  const requests = podRequests(spec);
  const limits = Object.entries(requests)
    .filter(([, v]) => v > 0)
    .map(([r, v]) => Math.floor((pool.allocatable[r] ?? 0) / v));
  return Math.max(1, Math.min(pool.allocatable.pods ?? 110, ...limits));
}

/**
 * GKE's Failed message for a stockout (GKE CA reasons/resizerequest tests, user-needs §1). With
 * `suggestFor`, the Compute API's localized message is appended as it returns it when other zones
 * of the region have capacity ("… is currently unavailable in the <zone> zone. Consider trying
 * your request in the <zones> zone(s), which currently has capacity …", kubernetes/k8s.io#9834):
 * here two other `<region>-a|b|c|f`
 * zone but the exhausted one (the emulator tracks no per-zone capacity). How GKE folds the
 * Compute error details into the ProvisioningRequest message is not documented.
 */
function resourcePoolExhausted(
  project: string,
  zone: string,
  suggestFor?: EmulatedNodePool,
) {
  const base = `Provisioning Request could not provision queued instances in the allocated time. The remaining received errors: [ZONE_RESOURCE_POOL_EXHAUSTED_WITH_DETAILS: The zone 'projects/${project}/zones/${zone}' does not have enough resources available to fulfill the request. Expected time is indefinite.`;
  if (!suggestFor) return `${base}]`;
  const region = zone.replace(/-[a-z]$/, '');
  const others = ['a', 'b', 'c', 'f']
    .map(s => `${region}-${s}`)
    .filter(z => z !== zone)
    .slice(0, 2);
  const accelerator =
    suggestFor.labels['cloud.google.com/gke-accelerator'] ?? 'GPU';
  const count = suggestFor.allocatable['nvidia.com/gpu'] ?? 0;
  return `${base} A ${
    suggestFor.machineType
  } VM instance with ${count} ${accelerator} accelerator(s) is currently unavailable in the ${zone} zone. Consider trying your request in the ${others.join(
    ', ',
  )} zone(s), which currently has capacity to accommodate your request.]`;
}

/** Compute Engine's GPU quota metric of an accelerator label, e.g. nvidia-h200-141gb → NVIDIA_H200_GPUS. */
export function gpuQuotaMetric(accelerator: string | undefined) {
  const model = /^nvidia-(?:tesla-)?([a-z0-9]+)/.exec(accelerator ?? '')?.[1];
  return model ? `NVIDIA_${model.toUpperCase()}_GPUS` : 'GPUS_ALL_REGIONS';
}

/**
 * GKE's Failed message with reason QuotaExceeded: the Compute quota error ("Quota
 * 'NVIDIA_A100_GPUS' exceeded. Limit: 16.0 in region us-central1.", GKE CA reasons test table,
 * user-needs §1) in the "remaining received errors" wrapper. The limit is what the pool already
 * holds, so the request is the part that exceeds it.
 */
function quotaExceeded(
  zone: string,
  pool: EmulatedNodePool | undefined,
  poolGpus: number,
) {
  const metric = gpuQuotaMetric(
    pool?.labels['cloud.google.com/gke-accelerator'],
  );
  const region = zone.replace(/-[a-z]$/, '');
  return `Provisioning Request could not provision queued instances in the allocated time. The remaining received errors: [QUOTA_EXCEEDED: Quota '${metric}' exceeded. Limit: ${poolGpus.toFixed(
    1,
  )} in region ${region}.]`;
}
