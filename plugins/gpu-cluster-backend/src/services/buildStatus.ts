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
  WorkloadPhase,
  WorkloadStatus,
} from '@gpu-platform/backstage-plugin-gpu-cluster-common';
import type { ClusterSnapshot } from './ClusterWatcher';
import { explainWorkloads } from './explain';
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
} from './snapshotIndex';

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

function toNode(node: any, pods: PodIndex): NodeStatus {
  const labels = node.metadata?.labels ?? {};
  const gpuInUse = pods
    .onNode(node.metadata.name)
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

function toWorkload(
  wl: any,
  provreqs: ProvisioningRequestIndex,
  jobs: JobIndex,
): WorkloadStatus {
  const owner =
    (wl.metadata.ownerReferences ?? []).find((o: any) => o.controller) ??
    wl.metadata.ownerReferences?.[0];
  const pr = provreqs.of(wl);
  const job = jobs.of(wl);
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

const byName = <T extends { name: string; namespace?: string }>(a: T, b: T) =>
  `${a.namespace ?? ''}/${a.name}`.localeCompare(
    `${b.namespace ?? ''}/${b.name}`,
  );

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

/** Assembles the status model from informer contents and the GKE read. Pure. */
export function buildClusterStatus(
  input: BuildStatusInput,
): ClusterStatusDetail {
  const snap = input.snapshot;
  const kinds = kindStatesOf(snap);
  const sections = sectionStates(kinds);
  // Indexed once per rebuild: every lookup below is by key, not a scan.
  const pods = new PodIndex(snap?.pods ?? []);
  const provreqIndex = new ProvisioningRequestIndex(
    snap?.provisioningrequests ?? [],
  );
  const jobIndex = new JobIndex(snap?.jobs ?? []);
  const nodes = (snap?.nodes ?? []).map(n => toNode(n, pods)).sort(byName);
  const provisioningRequests = (snap?.provisioningrequests ?? [])
    .map(toProvisioningRequest)
    .sort(byName);
  const workloads = (snap?.workloads ?? [])
    .map(w => toWorkload(w, provreqIndex, jobIndex))
    .sort(byName);
  const clusterQueues = (snap?.clusterqueues ?? [])
    .map(toClusterQueue)
    .sort(byName);
  const localQueues = (snap?.localqueues ?? []).map(toLocalQueue).sort(byName);
  const rayJobs = (snap?.rayjobs ?? []).map(toRayJob).sort(byName);
  const nodesPerPool = groupBy(nodes, n => n.nodePool);
  const gke = input.gke && {
    ...input.gke,
    nodePools: input.gke.nodePools.map(p => ({
      ...p,
      nodeCount: nodesPerPool.get(p.name)?.length ?? 0,
    })),
  };
  const rayClusters = (snap?.rayclusters ?? []).map(toRayCluster).sort(byName);
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
    nodes: snap?.nodes ?? [],
    pods: snap?.pods ?? [],
    gke,
    projectId: input.projectId,
    now: input.now,
  }).concat(fabricFlags(fabric));
  const explanations = explainWorkloads(
    {
      snapshot: snap,
      workloads,
      provisioningRequests,
      localQueues,
      clusterQueues,
      gke,
      now: input.now,
    },
    pods,
  );
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
