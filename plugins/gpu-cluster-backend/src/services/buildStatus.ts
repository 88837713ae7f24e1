import type {
  AdmissionCheckState,
  ClusterQueueStatus,
  ClusterStatusDetail,
  GkeClusterStatus,
  LocalQueueStatus,
  NodeStatus,
  ProvisioningRequestStatus,
  QueueResourceUsage,
  RayClusterStatus,
  RayJobStatus,
  StatusCondition,
  StatusSource,
  WorkloadExplanation,
  WorkloadPhase,
  WorkloadStatus,
} from '@gpu-platform/backstage-plugin-gpu-cluster-common';
import type { ClusterSnapshot } from './ClusterWatcher';
import {
  buildExplainIndex,
  explainWorkload,
  keepSubject,
  subjectOf,
  type ExplainIndex,
  type ExplainInput,
} from './explain';
import { detectFlags } from './flags';
import {
  checkFabric,
  expectationFromGke,
  fabricFlags,
  type FabricExpectation,
} from './fabric';
import { hasData, kindStatesOf, sectionStates } from './sections';
import {
  JobIndex,
  PodIndex,
  ProvisioningRequestIndex,
  groupBy,
  nsKey,
} from './snapshotIndex';
import {
  DerivedList,
  Memo,
  sameMembers,
  type DerivedCounts,
} from './statusMemo';

export const GPU_RESOURCE = 'nvidia.com/gpu';
export const MAX_RUN_ANNOTATION =
  'provreq.kueue.x-k8s.io/maxRunDurationSeconds';

const int = (v: unknown) => {
  const n = Number.parseInt(String(v ?? '0'), 10);
  return Number.isFinite(n) ? n : 0;
};

export const conditionsOf = (obj: any): StatusCondition[] =>
  (obj?.status?.conditions ?? []).map((c: any) => ({
    type: c.type,
    status: c.status,
    reason: c.reason || undefined,
    message: c.message || undefined,
    lastTransitionTime: c.lastTransitionTime || undefined,
  }));

export const findCondition = (conditions: StatusCondition[], type: string) =>
  conditions.find(c => c.type === type);
const isTrue = (conditions: StatusCondition[], type: string) =>
  findCondition(conditions, type)?.status === 'True';

/** GPUs one container asks for (the API server defaults requests to limits for extended resources). */
const containerGpus = (c: any) =>
  int(
    c?.resources?.requests?.[GPU_RESOURCE] ??
      c?.resources?.limits?.[GPU_RESOURCE],
  );

/**
 * GPUs a pod holds on its node, as the scheduler counts them: app containers plus sidecars
 * (init containers with restartPolicy Always), or the largest regular init container together
 * with the sidecars started before it, whichever is more (KEP-753's effective request).
 */
export function podGpuRequest(pod: any): number {
  let sidecars = 0;
  let initPeak = 0;
  for (const c of pod.spec?.initContainers ?? []) {
    if (c.restartPolicy === 'Always') sidecars += containerGpus(c);
    else initPeak = Math.max(initPeak, sidecars + containerGpus(c));
  }
  const app = (pod.spec?.containers ?? []).reduce(
    (sum: number, c: any) => sum + containerGpus(c),
    0,
  );
  return Math.max(app + sidecars, initPeak);
}

const isTerminated = (pod: any) =>
  ['Succeeded', 'Failed'].includes(pod.status?.phase);

function toNode(node: any, podsOnNode: readonly any[]): NodeStatus {
  const labels = node.metadata?.labels ?? {};
  const gpuInUse = podsOnNode
    .filter(p => !isTerminated(p))
    .reduce((sum: number, p: any) => sum + podGpuRequest(p), 0);
  const conditions = conditionsOf(node);
  return {
    name: node.metadata.name,
    nodePool: labels['cloud.google.com/gke-nodepool'],
    zone: labels['topology.kubernetes.io/zone'],
    machineType: labels['node.kubernetes.io/instance-type'],
    acceleratorType: labels['cloud.google.com/gke-accelerator'],
    ready: isTrue(conditions, 'Ready'),
    unschedulable: Boolean(node.spec?.unschedulable),
    gpus: {
      capacity: int(node.status?.capacity?.[GPU_RESOURCE]),
      allocatable: int(node.status?.allocatable?.[GPU_RESOURCE]),
      inUse: gpuInUse,
    },
    createdAt: node.metadata.creationTimestamp,
    networks: Object.keys(node.status?.capacity ?? {})
      .filter(
        k => k.startsWith('networking.gke.io.networks/') && !k.endsWith('.IP'),
      )
      .map(k => k.slice('networking.gke.io.networks/'.length))
      .sort(),
  };
}

function queueResources(cq: any): QueueResourceUsage[] {
  const rows = new Map<string, QueueResourceUsage>();
  const row = (flavor: string, resource: string) => {
    const key = `${flavor}/${resource}`;
    if (!rows.has(key)) rows.set(key, { flavor, resource });
    return rows.get(key)!;
  };
  for (const group of cq.spec?.resourceGroups ?? []) {
    for (const flavor of group.flavors ?? []) {
      for (const r of flavor.resources ?? []) {
        row(flavor.name, r.name).nominalQuota = String(r.nominalQuota);
      }
    }
  }
  for (const f of cq.status?.flavorsReservation ?? []) {
    for (const r of f.resources ?? []) {
      const x = row(f.name, r.name);
      x.reserved = String(r.total);
      x.borrowed = r.borrowed !== undefined ? String(r.borrowed) : undefined;
    }
  }
  for (const f of cq.status?.flavorsUsage ?? []) {
    for (const r of f.resources ?? [])
      row(f.name, r.name).used = String(r.total);
  }
  return [...rows.values()];
}

function toClusterQueue(cq: any): ClusterQueueStatus {
  const active = findCondition(conditionsOf(cq), 'Active');
  return {
    name: cq.metadata.name,
    active: active?.status === 'True',
    activeReason: active?.reason,
    activeMessage: active?.message,
    cohort: cq.spec?.cohortName ?? cq.spec?.cohort,
    admissionChecks: [
      ...(cq.spec?.admissionChecks ?? []),
      ...(cq.spec?.admissionChecksStrategy?.admissionChecks ?? []),
    ].map((a: any) => (typeof a === 'string' ? a : a.name)),
    pendingWorkloads: int(cq.status?.pendingWorkloads),
    reservingWorkloads: int(cq.status?.reservingWorkloads),
    admittedWorkloads: int(cq.status?.admittedWorkloads),
    resources: queueResources(cq),
  };
}

function toLocalQueue(lq: any): LocalQueueStatus {
  const active = findCondition(conditionsOf(lq), 'Active');
  return {
    namespace: lq.metadata.namespace,
    name: lq.metadata.name,
    clusterQueue: lq.spec?.clusterQueue,
    active: active?.status === 'True',
    activeReason: active?.reason,
    activeMessage: active?.message,
    pendingWorkloads: int(lq.status?.pendingWorkloads),
    reservingWorkloads: int(lq.status?.reservingWorkloads),
    admittedWorkloads: int(lq.status?.admittedWorkloads),
  };
}

export function workloadPhase(wl: any): WorkloadPhase {
  const c = conditionsOf(wl);
  const finished = findCondition(c, 'Finished');
  if (finished?.status === 'True') {
    return finished.reason === 'Failed' ? 'Failed' : 'Finished';
  }
  if (wl.spec?.active === false) return 'Inactive';
  if (isTrue(c, 'Evicted') && !isTrue(c, 'Admitted')) return 'Evicted';
  if (isTrue(c, 'Admitted'))
    return isTrue(c, 'PodsReady') ? 'Running' : 'Admitted';
  if (isTrue(c, 'QuotaReserved')) return 'QuotaReserved';
  return 'Pending';
}

/** The ProvisioningRequest of a workload: consume annotation, owner reference, or Kueue's naming. */
export function provisioningRequestOf(
  wl: any,
  provreqs: any[] | ProvisioningRequestIndex,
): any | undefined {
  return (
    provreqs instanceof ProvisioningRequestIndex
      ? provreqs
      : new ProvisioningRequestIndex(provreqs)
  ).of(wl);
}

function toWorkload(wl: any, pr: any, job: any): WorkloadStatus {
  const owner =
    (wl.metadata.ownerReferences ?? []).find((o: any) => o.controller) ??
    wl.metadata.ownerReferences?.[0];
  const gpus = (wl.spec?.podSets ?? []).reduce(
    (sum: number, ps: any) =>
      sum +
      int(ps.count ?? 1) *
        (ps.template?.spec?.containers ?? []).reduce(
          (s: number, c: any) =>
            s +
            int(
              c.resources?.limits?.[GPU_RESOURCE] ??
                c.resources?.requests?.[GPU_RESOURCE],
            ),
          0,
        ),
    0,
  );
  const maxRun =
    pr?.spec?.parameters?.maxRunDurationSeconds ??
    job?.metadata?.annotations?.[MAX_RUN_ANNOTATION];
  return {
    namespace: wl.metadata.namespace,
    name: wl.metadata.name,
    queueName: wl.spec?.queueName,
    clusterQueue: wl.status?.admission?.clusterQueue,
    owner: owner
      ? { kind: owner.kind, name: owner.name }
      : job && { kind: 'Job', name: job.metadata.name },
    // Kueue sets PodsReady only with waitForPodsReady; the Job's ready count says the same.
    phase:
      workloadPhase(wl) === 'Admitted' && int(job?.status?.ready) > 0
        ? 'Running'
        : workloadPhase(wl),
    active: wl.spec?.active !== false,
    createdAt: wl.metadata.creationTimestamp,
    gpus,
    conditions: conditionsOf(wl),
    admissionChecks: (wl.status?.admissionChecks ?? []).map(
      (a: any): AdmissionCheckState => ({
        name: a.name,
        state: a.state,
        message: a.message || undefined,
        lastTransitionTime: a.lastTransitionTime,
        retryCount: a.retryCount,
      }),
    ),
    provisioningRequest: pr?.metadata.name,
    maxRunDurationSeconds: maxRun ? int(maxRun) : undefined,
  };
}

/** The Job behind a workload: its owner reference, else Kueue's `job-<name>-<hash>` naming. */
export function jobOf(wl: any, jobs: any[] | JobIndex): any | undefined {
  return (jobs instanceof JobIndex ? jobs : new JobIndex(jobs)).of(wl);
}

export function provisioningState(
  conditions: StatusCondition[],
): ProvisioningRequestStatus['state'] {
  if (isTrue(conditions, 'CapacityRevoked')) return 'CapacityRevoked';
  if (isTrue(conditions, 'Failed')) return 'Failed';
  if (isTrue(conditions, 'BookingExpired')) return 'BookingExpired';
  if (isTrue(conditions, 'Provisioned')) return 'Provisioned';
  if (isTrue(conditions, 'Accepted')) return 'Accepted';
  return 'Pending';
}

function toProvisioningRequest(pr: any): ProvisioningRequestStatus {
  const conditions = conditionsOf(pr);
  const state = provisioningState(conditions);
  // The condition that explains the state: the decisive one, or Provisioned=False while waiting.
  const explaining =
    state === 'Accepted'
      ? findCondition(conditions, 'Provisioned') ??
        findCondition(conditions, 'Accepted')
      : findCondition(conditions, state === 'Pending' ? 'Accepted' : state);
  const d = pr.status?.provisioningClassDetails ?? {};
  const owner = (pr.metadata.ownerReferences ?? []).find(
    (o: any) => o.kind === 'Workload',
  );
  const maxRun = pr.spec?.parameters?.maxRunDurationSeconds;
  return {
    namespace: pr.metadata.namespace,
    name: pr.metadata.name,
    uid: pr.metadata.uid,
    provisioningClassName: pr.spec?.provisioningClassName,
    state,
    reason: explaining?.reason,
    message: explaining?.message,
    conditions,
    details: {
      nodePool: d.NodePoolName ?? d.nodePoolName,
      selectedZone: d.SelectedZone ?? d.selectedZone,
      acceleratorType: d.AcceleratorType ?? d.acceleratorType,
      resizeRequest: d.ResizeRequestName ?? d.resizeRequestName,
    },
    workload: owner?.name ?? pr.metadata.name.replace(/-[^-]+-\d+$/, ''),
    createdAt: pr.metadata.creationTimestamp,
    maxRunDurationSeconds: maxRun ? int(maxRun) : undefined,
  };
}

const DASHBOARD_PORT = 8265;

function toRayCluster(rc: any): RayClusterStatus {
  const ns = rc.metadata.namespace;
  const service =
    rc.status?.head?.serviceName ??
    rc.spec?.headGroupSpec?.headService?.metadata?.name ??
    `${rc.metadata.name}-head-svc`;
  const port =
    int(rc.status?.endpoints?.dashboard ?? DASHBOARD_PORT) || DASHBOARD_PORT;
  return {
    namespace: ns,
    name: rc.metadata.name,
    state: rc.status?.state,
    reason: rc.status?.reason,
    readyWorkers: int(rc.status?.readyWorkerReplicas),
    desiredWorkers: int(rc.status?.desiredWorkerReplicas),
    desiredGpus: rc.status?.desiredGPU,
    headPodName: rc.status?.head?.podName,
    headServiceName: service,
    // In-cluster address only: the dashboard has no auth of its own, so never expose it publicly.
    dashboardUrl: `http://${service}.${ns}.svc.cluster.local:${port}`,
    dashboardPort: port,
    portForwardCommand: `kubectl -n ${ns} port-forward service/${service} ${port}:${port}`,
    conditions: conditionsOf(rc),
  };
}

function toRayJob(rj: any): RayJobStatus {
  return {
    namespace: rj.metadata.namespace,
    name: rj.metadata.name,
    rayClusterName: rj.status?.rayClusterName,
    jobId: rj.status?.jobId,
    jobStatus: rj.status?.jobStatus,
    jobDeploymentStatus: rj.status?.jobDeploymentStatus,
    reason: rj.status?.reason,
    message: rj.status?.message,
    startTime: rj.status?.startTime,
    endTime: rj.status?.endTime,
    dashboardUrl: rj.status?.dashboardURL,
  };
}

/** Lists are sorted by namespace/name (localeCompare of this key). */
const nameKey = (x: { name: string; namespace?: string }) =>
  `${x.namespace ?? ''}/${x.name}`;

export interface BuildStatusInput {
  entityRef: string;
  clusterName: string;
  snapshot?: ClusterSnapshot;
  gke?: GkeClusterStatus;
  sources: StatusSource[];
  /** The cluster's GCP project from config (the quota page link), when GKE was not read. */
  projectId?: string;
  /** The fabric the registered stack spec expects; else GKE's node pools are read. */
  fabricExpectation?: FabricExpectation;
  now: number;
}

interface WorkloadDeps {
  provreqs: ProvisioningRequestIndex;
  jobs: JobIndex;
  pr: any;
  job: any;
}

interface NodeDeps {
  index: PodIndex;
  pods: readonly any[];
}

interface ExplanationDeps {
  index: ExplainIndex;
  context: string;
  localQueue?: LocalQueueStatus;
  clusterQueue?: ClusterQueueStatus;
  provisioningRequest?: ProvisioningRequestStatus;
  pods: readonly any[];
}

const ownerJob = (w: WorkloadStatus) =>
  w.owner?.kind === 'Job' ? w.owner.name : undefined;

/** A reused explanation with its clocks' remaining time brought to `now` (the only time it reads). */
function withClocksAt(e: WorkloadExplanation, now: number) {
  if (e.clocks.length === 0) return e;
  const clocks = e.clocks.map(c => ({
    ...c,
    remainingSeconds: Math.max(
      0,
      Math.round((Date.parse(c.endsAt) - now) / 1000),
    ),
  }));
  if (
    clocks.every((c, i) => c.remainingSeconds === e.clocks[i].remainingSeconds)
  ) {
    return e;
  }
  const subject = subjectOf(e);
  return subject ? keepSubject({ ...e, clocks }, subject) : { ...e, clocks };
}

/**
 * Assembles the status model and keeps what it derived: the next build re-derives only the rows
 * whose informer objects (or what those rows read from other kinds) changed, and rebuilds an index
 * only when its kind changed (see statusMemo.ts). `buildClusterStatus` is one build of a fresh
 * builder; a builder gives the same result for the same input whatever it built before.
 */
export class StatusBuilder {
  private readonly podIndex = new Memo<PodIndex>(true);
  private readonly provreqIndex = new Memo<ProvisioningRequestIndex>(true);
  private readonly jobIndex = new Memo<JobIndex>(true);
  private readonly explainIndex = new Memo<ExplainIndex>();
  private now = 0;
  private explainInput?: ExplainInput;

  private readonly nodes = new DerivedList<any, NodeStatus, NodeDeps>({
    depsOf: (node, previous) => {
      const index = this.podIndex.value!;
      return previous?.index === index
        ? previous
        : { index, pods: index.onNode(node.metadata.name) };
    },
    sameDeps: (a, b) => sameMembers(a.pods, b.pods),
    derive: (node, deps) => toNode(node, deps.pods),
    keyOf: nameKey,
  });

  private readonly workloads = new DerivedList<
    any,
    WorkloadStatus,
    WorkloadDeps
  >({
    depsOf: (wl, previous) => {
      const provreqs = this.provreqIndex.value!;
      const jobs = this.jobIndex.value!;
      return previous?.provreqs === provreqs && previous.jobs === jobs
        ? previous
        : { provreqs, jobs, pr: provreqs.of(wl), job: jobs.of(wl) };
    },
    sameDeps: (a, b) => a.pr === b.pr && a.job === b.job,
    derive: (wl, deps) => toWorkload(wl, deps.pr, deps.job),
    keyOf: nameKey,
  });

  private readonly provisioningRequests = new DerivedList<
    any,
    ProvisioningRequestStatus
  >({ derive: toProvisioningRequest, keyOf: nameKey });

  private readonly clusterQueues = new DerivedList<any, ClusterQueueStatus>({
    derive: toClusterQueue,
    keyOf: nameKey,
  });

  private readonly localQueues = new DerivedList<any, LocalQueueStatus>({
    derive: toLocalQueue,
    keyOf: nameKey,
  });

  private readonly rayClusters = new DerivedList<any, RayClusterStatus>({
    derive: toRayCluster,
    keyOf: nameKey,
  });

  private readonly rayJobs = new DerivedList<any, RayJobStatus>({
    derive: toRayJob,
    keyOf: nameKey,
  });

  /** Explanations of the unfinished workloads, in the workloads' order. */
  private readonly explanations = new DerivedList<
    WorkloadStatus,
    WorkloadExplanation,
    ExplanationDeps
  >({
    depsOf: (w, previous) => {
      const input = this.explainInput!;
      const index = input.index!;
      const context = this.context;
      if (previous?.index === index && previous.context === context) {
        return previous;
      }
      const localQueue =
        w.queueName !== undefined
          ? index.localQueues.get(nsKey(w.namespace, w.queueName))
          : undefined;
      const cqName = w.clusterQueue ?? localQueue?.clusterQueue;
      const job = ownerJob(w);
      return {
        index,
        context,
        localQueue,
        clusterQueue:
          cqName !== undefined ? index.clusterQueues.get(cqName) : undefined,
        provisioningRequest:
          w.provisioningRequest !== undefined
            ? index.provisioningRequests.get(
                nsKey(w.namespace, w.provisioningRequest),
              )
            : undefined,
        pods: job ? index.pods.ofJob(w.namespace, job) : [],
      };
    },
    sameDeps: (a, b) =>
      a.context === b.context &&
      a.localQueue === b.localQueue &&
      a.clusterQueue === b.clusterQueue &&
      a.provisioningRequest === b.provisioningRequest &&
      sameMembers(a.pods, b.pods),
    derive: w => keepSubject(explainWorkload(w, this.explainInput!), w),
    refresh: e => withClocksAt(e, this.now),
    // The workloads' order (namespace/name), as they are listed.
    keyOf: e => `${e.namespace}/${e.workload}`,
  });

  private context = '';

  /** How many rows each list derived anew in the last build (for tests and the bench). */
  derived(): DerivedCounts {
    return {
      nodes: this.nodes.derived,
      workloads: this.workloads.derived,
      provisioningRequests: this.provisioningRequests.derived,
      explanations: this.explanations.derived,
      clusterQueues: this.clusterQueues.derived,
      localQueues: this.localQueues.derived,
      rayClusters: this.rayClusters.derived,
      rayJobs: this.rayJobs.derived,
    };
  }

  build(input: BuildStatusInput): ClusterStatusDetail {
    const snap = input.snapshot;
    const kinds = kindStatesOf(snap);
    const sections = sectionStates(kinds);
    this.now = input.now;
    // Indexed by key, and indexed again only when the kind's objects changed.
    const pods = this.podIndex.get(
      [snap?.pods ?? []],
      () => new PodIndex(snap?.pods ?? []),
    );
    this.provreqIndex.get(
      [snap?.provisioningrequests ?? []],
      () => new ProvisioningRequestIndex(snap?.provisioningrequests ?? []),
    );
    this.jobIndex.get([snap?.jobs ?? []], () => new JobIndex(snap?.jobs ?? []));
    const nodes = this.nodes.rowsOf(snap?.nodes ?? []);
    const provisioningRequests = this.provisioningRequests.rowsOf(
      snap?.provisioningrequests ?? [],
    );
    const workloads = this.workloads.rowsOf(snap?.workloads ?? []);
    const clusterQueues = this.clusterQueues.rowsOf(snap?.clusterqueues ?? []);
    const localQueues = this.localQueues.rowsOf(snap?.localqueues ?? []);
    const rayJobs = this.rayJobs.rowsOf(snap?.rayjobs ?? []);
    const nodesPerPool = groupBy(nodes, n => n.nodePool);
    const gke = input.gke && {
      ...input.gke,
      nodePools: input.gke.nodePools.map(p => ({
        ...p,
        nodeCount: nodesPerPool.get(p.name)?.length ?? 0,
      })),
    };
    const rayClusters = this.rayClusters.rowsOf(snap?.rayclusters ?? []);
    const fabric = checkFabric({
      nodes: snap?.nodes ?? [],
      pods: snap?.pods ?? [],
      networks: snap?.networks ?? [],
      paramSets: snap?.gkenetworkparamsets ?? [],
      daemonSets: snap?.daemonsets ?? [],
      expectation: input.fabricExpectation ?? expectationFromGke(gke),
      section: sections.fabric,
    });
    const flags = detectFlags({
      clusterQueues,
      localQueues,
      workloads,
      provisioningRequests,
      rayClusters,
      rayJobs,
      workloadsByKey: this.workloads.byKey(),
      nodes: snap?.nodes ?? [],
      pods: snap?.pods ?? [],
      gke,
      projectId: input.projectId,
      now: input.now,
    }).concat(fabricFlags(fabric));
    const explainFields = {
      snapshot: snap,
      workloads,
      provisioningRequests,
      localQueues,
      clusterQueues,
      gke,
      now: input.now,
    };
    this.explainInput = {
      ...explainFields,
      index: this.explainIndex.get(
        [localQueues, clusterQueues, provisioningRequests, pods],
        () => buildExplainIndex(explainFields, pods),
      ),
    };
    // Everything else an explanation reads (explain.ts): the node pools GKE has, and whether the
    // queue kinds are synced (a queue absent from a synced list is missing).
    this.context = JSON.stringify([
      gke?.nodePools.map(p => [p.name, Boolean(p.queuedProvisioning)]),
      snap?.kinds.localqueues.state,
      snap?.kinds.clusterqueues.state,
    ]);
    const explanations = this.explanations.rowsOf(
      workloads.filter(w => w.phase !== 'Finished'),
    );
    this.explainInput = undefined;
    return {
      entityRef: input.entityRef,
      clusterName: input.clusterName,
      generatedAt: new Date(input.now).toISOString(),
      sources: input.sources.map(s =>
        s.name === 'kubernetes' ? { ...s, kinds } : s,
      ),
      sections,
      // A count whose data is missing is left out: absent says "unknown", 0 would say "none".
      summary: {
        ...(hasData(sections.nodes) && {
          gpusCapacity: nodes.reduce((s, n) => s + n.gpus.capacity, 0),
          gpusAllocatable: nodes.reduce((s, n) => s + n.gpus.allocatable, 0),
          nodes: nodes.length,
          readyNodes: nodes.filter(n => n.ready).length,
        }),
        ...(hasData(sections.gpuUsage) && {
          gpusInUse: nodes.reduce((s, n) => s + n.gpus.inUse, 0),
        }),
        ...(hasData(sections.workloads) && {
          pendingWorkloads: workloads.filter(w =>
            ['Pending', 'QuotaReserved', 'Evicted'].includes(w.phase),
          ).length,
          admittedWorkloads: workloads.filter(w =>
            ['Admitted', 'Running'].includes(w.phase),
          ).length,
        }),
        ...(hasData(sections.provisioningRequests) && {
          waitingProvisioningRequests: provisioningRequests.filter(p =>
            ['Pending', 'Accepted'].includes(p.state),
          ).length,
        }),
      },
      gke,
      nodes,
      clusterQueues,
      localQueues,
      workloads,
      provisioningRequests,
      rayClusters,
      rayJobs,
      flags,
      ...(fabric && { fabric }),
      explanations,
    };
  }
}

/** Assembles the status model from informer contents and the GKE read, from scratch. Pure. */
export function buildClusterStatus(
  input: BuildStatusInput,
): ClusterStatusDetail {
  return new StatusBuilder().build(input);
}
