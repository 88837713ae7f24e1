import { createHash } from 'node:crypto';
import type { KubeClient } from '../kube/KubeClient';
import {
  condition,
  gpuNode,
  jobPod,
  PROVREQ,
  setCondition,
} from '../kube/objects';
import type { StoredEvent } from '../kube/store/ObjectStore';
import { DEMO } from '../demo/names';
import { ScenarioEngine, type Stage } from './ScenarioEngine';
import { deploymentRolloutStages, needsRollout } from './deployments';

/** How a DWS (queued provisioning) request ends. */
export type DwsOutcome =
  | 'provisioned'
  | 'booking-expired'
  | 'failed'
  | 'capacity-revoked';

/** Jobs choose their scripted outcome with this annotation. */
export const OUTCOME_ANNOTATION = 'emulator.gpu-platform.dev/dws-outcome';
export const QUEUE_LABEL = 'kueue.x-k8s.io/queue-name';
/** Objects carrying this annotation are fixtures: controllers leave them alone. */
export const FIXTURE_ANNOTATION = 'emulator.gpu-platform.dev/fixture';

const KUEUE = 'kueue.x-k8s.io/v1beta2';
const PROVREQ_API = 'autoscaling.x-k8s.io/v1';

export interface ScenarioTimings {
  quotaReservationMs: number;
  acceptMs: number;
  provisionMs: number;
  podStartMs: number;
  runMs: number;
  bookingMs: number;
  failAfterMs: number;
  revokeAfterMs: number;
  rayHeadReadyMs: number;
  rayJobRunMs: number;
  /** From a Deployment's new generation to all its replicas available. */
  deploymentReadyMs: number;
}

export const DEFAULT_TIMINGS: ScenarioTimings = {
  quotaReservationMs: 1000,
  acceptMs: 2000,
  provisionMs: 60_000,
  podStartMs: 5000,
  runMs: 30_000,
  bookingMs: 10 * 60_000, // GKE's booking duration
  failAfterMs: 30_000,
  revokeAfterMs: 20_000,
  rayHeadReadyMs: 5000,
  rayJobRunMs: 30_000,
  deploymentReadyMs: 2000,
};

const shortHash = (s: string) =>
  createHash('sha256').update(s).digest('hex').slice(0, 5);

/**
 * Scripted Kueue + DWS + KubeRay controllers: they react to objects in the store and move
 * their status through the transitions (and messages) the real controllers write.
 */
export class ScriptedControllers {
  private readonly unsubscribe: () => void;

  constructor(
    private readonly client: KubeClient,
    readonly engine: ScenarioEngine,
    private readonly timings: ScenarioTimings = DEFAULT_TIMINGS,
    private readonly defaultOutcome: DwsOutcome = 'provisioned',
  ) {
    this.unsubscribe = client.store.subscribe(event => this.onEvent(event));
  }

  stop() {
    this.unsubscribe();
  }

  private now() {
    return this.client.store.now();
  }

  private onEvent(event: StoredEvent) {
    const o = event.object;
    const key = event.resource;
    if (
      event.type === 'DELETED' ||
      o.metadata.annotations?.[FIXTURE_ANNOTATION]
    )
      return;
    if (
      key === 'batch/jobs' &&
      event.type === 'ADDED' &&
      o.metadata.labels?.[QUEUE_LABEL]
    ) {
      this.engine.enqueue(() => this.startJob(o));
    } else if (
      key === 'kueue.x-k8s.io/localqueues' ||
      key === 'kueue.x-k8s.io/clusterqueues'
    ) {
      this.engine.enqueue(() => this.reconcileQueues());
    } else if (key === 'apps/deployments' && needsRollout(o)) {
      this.engine.enqueue(() =>
        this.engine.start(
          `deployment/${o.metadata.namespace}/${o.metadata.name}/${o.metadata.generation}`,
          deploymentRolloutStages(
            this.client,
            o,
            this.timings.deploymentReadyMs,
            () => this.now(),
          ),
        ),
      );
    } else if (key === 'ray.io/rayclusters' && event.type === 'ADDED') {
      this.engine.enqueue(() => this.startRayCluster(o));
    } else if (key === 'ray.io/rayjobs' && event.type === 'ADDED') {
      this.engine.enqueue(() => this.startRayJob(o));
    }
  }

  /** LocalQueue/ClusterQueue `Active` conditions (Kueue's queue reconcilers). */
  reconcileQueues() {
    const counts = {
      pendingWorkloads: 0,
      reservingWorkloads: 0,
      admittedWorkloads: 0,
    };
    for (const cq of this.client.list(KUEUE, 'ClusterQueue')) {
      if (cq.status?.conditions?.some((c: any) => c.type === 'Active'))
        continue;
      this.client.modify(
        KUEUE,
        'ClusterQueue',
        cq.metadata.name,
        undefined,
        o => {
          o.status = {
            ...counts,
            ...(o.status ?? {}),
            conditions: setCondition(
              o.status?.conditions,
              condition(
                'Active',
                'True',
                'Ready',
                'Can admit new workloads',
                this.now(),
              ),
            ),
          };
        },
      );
    }
    for (const lq of this.client.list(KUEUE, 'LocalQueue')) {
      const exists = Boolean(
        this.client.get(KUEUE, 'ClusterQueue', lq.spec?.clusterQueue),
      );
      const active = exists
        ? condition(
            'Active',
            'True',
            'Ready',
            'Can submit new workloads to localQueue',
            this.now(),
          )
        : condition(
            'Active',
            'False',
            'ClusterQueueDoesNotExist',
            "Can't submit new workloads to clusterQueue",
            this.now(),
          );
      this.client.modify(
        KUEUE,
        'LocalQueue',
        lq.metadata.name,
        lq.metadata.namespace,
        o => {
          o.status = {
            ...counts,
            ...(o.status ?? {}),
            conditions: setCondition(o.status?.conditions, active),
          };
        },
      );
    }
  }

  private startJob(job: Record<string, any>) {
    const ns = job.metadata.namespace;
    const jobName = job.metadata.name;
    const t = this.timings;
    const outcome =
      (job.metadata.annotations?.[OUTCOME_ANNOTATION] as DwsOutcome) ??
      this.defaultOutcome;
    const count = job.spec?.parallelism ?? 1;
    const wlName = `job-${jobName}-${shortHash(job.metadata.uid)}`;
    const check = DEMO.admissionCheck;
    const prName = `${wlName}-${check}-1`;
    const lqName = job.metadata.labels[QUEUE_LABEL];
    const nodeNames = Array.from(
      { length: count },
      (_, i) =>
        `gke-${DEMO.cluster}-${DEMO.nodePool}-${shortHash(prName)}-${i}`,
    );
    const wl = (mutate: (o: Record<string, any>) => void) =>
      this.client.modify(KUEUE, 'Workload', wlName, ns, mutate);
    const wlCondition = (
      o: Record<string, any>,
      c: ReturnType<typeof condition>,
    ) => {
      o.status = {
        ...(o.status ?? {}),
        conditions: setCondition(o.status?.conditions, c),
      };
    };
    const checkState = (
      o: Record<string, any>,
      state: string,
      message: string,
      extra: Record<string, unknown> = {},
    ) => {
      o.status.admissionChecks = [
        {
          name: check,
          state,
          message,
          lastTransitionTime: this.now(),
          ...extra,
        },
      ];
    };
    const pr = (mutate: (o: Record<string, any>) => void) =>
      this.client.modify(
        PROVREQ_API,
        'ProvisioningRequest',
        prName,
        ns,
        mutate,
      );
    const prCondition = (
      type: string,
      status: 'True' | 'False',
      [reason, message]: readonly [string, string],
    ) =>
      pr(o => {
        o.status = {
          ...(o.status ?? {}),
          conditions: setCondition(
            o.status?.conditions,
            condition(type, status, reason, message, this.now()),
          ),
        };
      });
    const jobUpdate = (mutate: (o: Record<string, any>) => void) =>
      this.client.modify('batch/v1', 'Job', jobName, ns, mutate);

    const lq = this.client.get(KUEUE, 'LocalQueue', lqName, ns);
    const cqName: string | undefined = lq?.spec?.clusterQueue;
    const cqExists =
      cqName !== undefined &&
      Boolean(this.client.get(KUEUE, 'ClusterQueue', cqName));
    let pendingCondition = condition(
      'QuotaReserved',
      'False',
      'Pending',
      `Workload is waiting for quota reservation in ClusterQueue ${cqName}`,
      this.now(),
    );
    if (!lq) {
      pendingCondition = condition(
        'QuotaReserved',
        'False',
        'Inadmissible',
        `LocalQueue ${lqName} doesn't exist`,
        this.now(),
      );
    } else if (!cqExists) {
      pendingCondition = condition(
        'QuotaReserved',
        'False',
        'Inadmissible',
        `ClusterQueue ${cqName} doesn't exist`,
        this.now(),
      );
    }

    const stages: Stage[] = [
      {
        name: 'workload-created',
        afterMs: 0,
        run: () => {
          jobUpdate(o => {
            o.spec.suspend = true;
          });
          const template = job.spec?.template ?? {};
          this.client.upsert({
            apiVersion: KUEUE,
            kind: 'Workload',
            metadata: {
              name: wlName,
              namespace: ns,
              labels: { 'kueue.x-k8s.io/job-uid': job.metadata.uid },
              ownerReferences: [
                {
                  apiVersion: 'batch/v1',
                  kind: 'Job',
                  name: jobName,
                  uid: job.metadata.uid,
                  controller: true,
                  blockOwnerDeletion: true,
                },
              ],
            },
            spec: {
              queueName: lqName,
              active: true,
              priority: 0,
              podSets: [
                {
                  name: 'main',
                  count,
                  template: {
                    metadata: template.metadata ?? {},
                    spec: template.spec ?? {
                      containers: [{ name: 'main', image: 'busybox' }],
                    },
                  },
                },
              ],
            },
            status: { conditions: [pendingCondition] },
          });
        },
      },
    ];
    if (!cqExists) {
      this.engine.start(`job/${ns}/${jobName}`, stages);
      return;
    }
    const gpuRequest = { 'nvidia.com/gpu': String(DEMO.gpusPerNode * count) };
    stages.push(
      {
        name: 'quota-reserved',
        afterMs: t.quotaReservationMs,
        run: () => {
          wl(o => {
            o.status.admission = {
              clusterQueue: cqName,
              podSetAssignments: [
                {
                  name: 'main',
                  count,
                  flavors: { 'nvidia.com/gpu': DEMO.resourceFlavor },
                  resourceUsage: gpuRequest,
                },
              ],
            };
            wlCondition(
              o,
              condition(
                'QuotaReserved',
                'True',
                'QuotaReserved',
                `Quota reserved in ClusterQueue ${cqName}`,
                this.now(),
              ),
            );
            wlCondition(
              o,
              condition(
                'Admitted',
                'False',
                'UnsatisfiedAdmissionChecks',
                'The workload has not all admission checks ready',
                this.now(),
              ),
            );
            checkState(o, 'Pending', '');
          });
          const template = job.spec?.template ?? {};
          this.client.upsert({
            apiVersion: 'v1',
            kind: 'PodTemplate',
            metadata: { name: `ppt-${prName}-main`, namespace: ns },
            template: {
              metadata: template.metadata ?? {},
              spec: template.spec ?? {
                containers: [{ name: 'main', image: 'busybox' }],
              },
            },
          });
          this.client.upsert({
            apiVersion: PROVREQ_API,
            kind: 'ProvisioningRequest',
            metadata: {
              name: prName,
              namespace: ns,
              ownerReferences: [
                {
                  apiVersion: KUEUE,
                  kind: 'Workload',
                  name: wlName,
                  uid: this.client.get(KUEUE, 'Workload', wlName, ns)!.metadata
                    .uid,
                  controller: true,
                  blockOwnerDeletion: true,
                },
              ],
            },
            spec: {
              provisioningClassName: 'queued-provisioning.gke.io',
              podSets: [
                { podTemplateRef: { name: `ppt-${prName}-main` }, count },
              ],
              parameters: {
                maxRunDurationSeconds:
                  job.metadata.annotations?.[
                    'provreq.kueue.x-k8s.io/maxRunDurationSeconds'
                  ] ?? '604800',
              },
            },
          });
        },
      },
      {
        name: 'provreq-accepted',
        afterMs: t.acceptMs,
        run: () => {
          prCondition('Accepted', 'True', PROVREQ.accepted);
          prCondition('Provisioned', 'False', PROVREQ.waiting);
          wl(o => checkState(o, 'Pending', PROVREQ.waiting[1]));
        },
      },
    );
    const provisioned: Stage = {
      name: 'provreq-provisioned',
      afterMs: t.provisionMs,
      run: () => {
        prCondition('Provisioned', 'True', PROVREQ.provisioned);
        pr(o => {
          o.status.provisioningClassDetails = {
            NodePoolName: DEMO.nodePool,
            SelectedZone: DEMO.zone,
            AcceleratorType: DEMO.accelerator,
          };
        });
        nodeNames.forEach(n => this.client.upsert(gpuNode(n, this.now())));
      },
    };
    const admit: Stage = {
      name: 'workload-admitted',
      afterMs: 0,
      run: () => {
        wl(o => {
          checkState(o, 'Ready', PROVREQ.provisioned[1], {
            podSetUpdates: [
              {
                name: 'main',
                annotations: {
                  'cluster-autoscaler.kubernetes.io/consume-provisioning-request':
                    prName,
                  'cluster-autoscaler.kubernetes.io/provisioning-class-name':
                    'queued-provisioning.gke.io',
                },
                nodeSelector: {
                  'cloud.google.com/gke-nodepool': DEMO.nodePool,
                },
              },
            ],
          });
          wlCondition(
            o,
            condition(
              'Admitted',
              'True',
              'Admitted',
              'The workload is admitted',
              this.now(),
            ),
          );
        });
        jobUpdate(o => {
          o.spec.suspend = false;
          o.status = {
            ...(o.status ?? {}),
            startTime: this.now(),
            active: count,
          };
        });
        const current = this.client.get('batch/v1', 'Job', jobName, ns)!;
        nodeNames.forEach((_n, i) =>
          this.client.upsert(
            jobPod(current, i, 'Pending', undefined, this.now()),
          ),
        );
      },
    };
    const podsRunning: Stage = {
      name: 'pods-running',
      afterMs: t.podStartMs,
      run: () => {
        const current = this.client.get('batch/v1', 'Job', jobName, ns)!;
        nodeNames.forEach((n, i) =>
          this.client.upsert(jobPod(current, i, 'Running', n, this.now())),
        );
        jobUpdate(o => {
          o.status = { ...o.status, active: count, ready: count };
        });
        wl(o =>
          wlCondition(
            o,
            condition(
              'PodsReady',
              'True',
              'PodsReady',
              'All pods reached readiness and the workload is running',
              this.now(),
            ),
          ),
        );
      },
    };
    const removeNodes = () =>
      nodeNames.forEach(n => this.client.delete('v1', 'Node', n));
    const evict = (
      reason: string,
      message: string,
      state: 'Retry' | 'Rejected',
      checkMessage: string,
    ) =>
      wl(o => {
        checkState(o, state, checkMessage);
        wlCondition(
          o,
          condition('Evicted', 'True', reason, message, this.now()),
        );
        wlCondition(
          o,
          condition('QuotaReserved', 'False', 'Pending', message, this.now()),
        );
        wlCondition(
          o,
          condition(
            'Admitted',
            'False',
            'NoReservation',
            'The workload has no reservation',
            this.now(),
          ),
        );
        delete o.status.admission;
        if (state === 'Rejected') o.spec.active = false;
      });

    if (outcome === 'provisioned') {
      stages.push(provisioned, admit, podsRunning, {
        name: 'job-complete',
        afterMs: t.runMs,
        run: () => {
          const current = this.client.get('batch/v1', 'Job', jobName, ns)!;
          nodeNames.forEach((n, i) =>
            this.client.upsert(jobPod(current, i, 'Succeeded', n, this.now())),
          );
          jobUpdate(o => {
            o.status = {
              ...o.status,
              active: 0,
              ready: 0,
              succeeded: count,
              completionTime: this.now(),
              conditions: [
                condition(
                  'SuccessCriteriaMet',
                  'True',
                  'CompletionsReached',
                  'Reached expected number of succeeded pods',
                  this.now(),
                ),
                condition(
                  'Complete',
                  'True',
                  'CompletionsReached',
                  'Reached expected number of succeeded pods',
                  this.now(),
                ),
              ],
            };
          });
          wl(o =>
            wlCondition(
              o,
              condition(
                'Finished',
                'True',
                'Succeeded',
                'Job finished successfully',
                this.now(),
              ),
            ),
          );
        },
      });
    } else if (outcome === 'booking-expired') {
      stages.push(provisioned, {
        name: 'provreq-booking-expired',
        afterMs: t.bookingMs,
        run: () => {
          prCondition('BookingExpired', 'True', PROVREQ.bookingExpired);
          removeNodes();
          evict(
            'AdmissionCheck',
            'At least one admission check is false',
            'Retry',
            `Retrying after booking expired: ${PROVREQ.bookingExpired[1]}`,
          );
        },
      });
    } else if (outcome === 'failed') {
      stages.push({
        name: 'provreq-failed',
        afterMs: t.failAfterMs,
        run: () => {
          prCondition('Failed', 'True', PROVREQ.failedResourcePool);
          evict(
            'AdmissionCheck',
            'At least one admission check is false',
            'Retry',
            `Retrying after failure: ${PROVREQ.failedResourcePool[1]}`,
          );
        },
      });
    } else {
      stages.push(provisioned, admit, podsRunning, {
        name: 'provreq-capacity-revoked',
        afterMs: t.revokeAfterMs,
        run: () => {
          prCondition('CapacityRevoked', 'True', PROVREQ.capacityRevoked);
          removeNodes();
          for (const pod of this.client
            .list('v1', 'Pod', ns)
            .filter(
              p =>
                p.metadata.labels?.['batch.kubernetes.io/job-name'] === jobName,
            )) {
            this.client.delete('v1', 'Pod', pod.metadata.name, ns);
          }
          evict(
            'Deactivated',
            `The workload is deactivated due to Rejected admission check ${check}`,
            'Rejected',
            PROVREQ.capacityRevoked[1],
          );
          jobUpdate(o => {
            o.spec.suspend = true;
            o.status = { ...o.status, active: 0, ready: 0 };
          });
        },
      });
    }
    this.engine.start(`job/${ns}/${jobName}`, stages);
  }

  private startRayCluster(rc: Record<string, any>) {
    const ns = rc.metadata.namespace;
    const name = rc.metadata.name;
    const svcName =
      rc.spec?.headGroupSpec?.headService?.metadata?.name ?? `${name}-head-svc`;
    const headPod = `${name}-head-${shortHash(rc.metadata.uid)}`;
    const workers = (rc.spec?.workerGroupSpecs ?? []).reduce(
      (n: number, g: any) => n + (g.replicas ?? g.minReplicas ?? 0),
      0,
    );
    const update = (mutate: (o: Record<string, any>) => void) =>
      this.client.modify('ray.io/v1', 'RayCluster', name, ns, mutate);
    this.engine.start(`raycluster/${ns}/${name}`, [
      {
        name: 'pods-provisioning',
        afterMs: 0,
        run: () =>
          update(o => {
            o.status = {
              desiredWorkerReplicas: workers,
              readyWorkerReplicas: 0,
              availableWorkerReplicas: 0,
              conditions: [
                condition(
                  'RayClusterProvisioned',
                  'False',
                  'RayClusterPodsProvisioning',
                  'RayCluster Pods are being provisioned for first time',
                  this.now(),
                ),
                condition(
                  'HeadPodReady',
                  'False',
                  'HeadPodNotFound',
                  'Head Pod not found',
                  this.now(),
                ),
              ],
            };
          }),
      },
      {
        name: 'ready',
        afterMs: this.timings.rayHeadReadyMs,
        run: () => {
          const { service, pod, status } = rayHeadObjects(
            name,
            ns,
            svcName,
            headPod,
            rc,
            this.now(),
          );
          this.client.upsert(service);
          this.client.upsert(pod);
          update(o => {
            o.status = {
              ...o.status,
              ...status,
              readyWorkerReplicas: workers,
              availableWorkerReplicas: workers,
              observedGeneration: o.metadata.generation,
            };
          });
        },
      },
    ]);
  }

  private startRayJob(job: Record<string, any>) {
    const ns = job.metadata.namespace;
    const name = job.metadata.name;
    const clusterName =
      job.spec?.clusterSelector?.['ray.io/cluster'] ??
      `${name}-${shortHash(job.metadata.uid)}`;
    const update = (mutate: (o: Record<string, any>) => void) =>
      this.client.modify('ray.io/v1', 'RayJob', name, ns, mutate);
    const jobId = `${name}-${shortHash(`${job.metadata.uid}id`)}`;
    const clusterReady = () =>
      this.client.get('ray.io/v1', 'RayCluster', clusterName, ns)?.status
        ?.state === 'ready';
    this.engine.start(`rayjob/${ns}/${name}`, [
      {
        name: 'initializing',
        afterMs: 0,
        run: () => {
          update(o => {
            o.status = {
              jobDeploymentStatus: 'Initializing',
              rayClusterName: clusterName,
              jobId,
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
              },
              spec: job.spec.rayClusterSpec,
            });
          }
        },
      },
      {
        name: 'running',
        afterMs: 0,
        when: clusterReady,
        run: () =>
          update(o => {
            o.status = {
              ...o.status,
              jobDeploymentStatus: 'Running',
              jobStatus: 'PENDING',
              dashboardURL: `${clusterName}-head-svc.${ns}.svc.cluster.local:8265`,
            };
          }),
      },
      {
        name: 'job-running',
        afterMs: 2000,
        run: () =>
          update(o => {
            o.status = { ...o.status, jobStatus: 'RUNNING' };
          }),
      },
      {
        name: 'complete',
        afterMs: this.timings.rayJobRunMs,
        run: () =>
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
          }),
      },
    ]);
  }
}

/** The head Service (`<name>-head-svc`, dashboard 8265), head Pod and ready status KubeRay writes. */
export function rayHeadObjects(
  name: string,
  ns: string,
  svcName: string,
  headPod: string,
  rc: Record<string, any>,
  time: string,
) {
  const ports = [
    { name: 'dashboard', port: 8265 },
    { name: 'client', port: 10001 },
    { name: 'gcs-server', port: 6379 },
    { name: 'metrics', port: 8080 },
    { name: 'serve', port: 8000 },
  ];
  const h = createHash('sha256').update(name).digest();
  const serviceIP = `10.52.${h[0] % 200}.${10 + (h[1] % 200)}`;
  const podIP = `10.8.${h[2] % 200}.${10 + (h[3] % 200)}`;
  return {
    service: {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: {
        name: svcName,
        namespace: ns,
        labels: {
          'ray.io/cluster': name,
          'ray.io/node-type': 'head',
          'app.kubernetes.io/created-by': 'kuberay-operator',
        },
      },
      spec: {
        type: 'ClusterIP',
        clusterIP: serviceIP,
        selector: { 'ray.io/cluster': name, 'ray.io/node-type': 'head' },
        ports: ports.map(p => ({ ...p, protocol: 'TCP', targetPort: p.port })),
      },
    },
    pod: {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: headPod,
        namespace: ns,
        labels: { 'ray.io/cluster': name, 'ray.io/node-type': 'head' },
      },
      spec: rc.spec?.headGroupSpec?.template?.spec ?? {
        containers: [{ name: 'ray-head', image: 'rayproject/ray:2.49.0' }],
      },
      status: {
        phase: 'Running',
        podIP,
        conditions: [condition('Ready', 'True', '', '', time)],
      },
    },
    status: {
      state: 'ready',
      head: { podIP, serviceIP, podName: headPod, serviceName: svcName },
      endpoints: Object.fromEntries(ports.map(p => [p.name, String(p.port)])),
      lastUpdateTime: time,
      conditions: [
        condition(
          'RayClusterProvisioned',
          'True',
          'AllPodRunningAndReadyFirstTime',
          'All Ray Pods are ready for the first time',
          time,
        ),
        condition(
          'HeadPodReady',
          'True',
          'HeadPodRunningAndReady',
          'Head Pod ready',
          time,
        ),
      ],
    },
  };
}
