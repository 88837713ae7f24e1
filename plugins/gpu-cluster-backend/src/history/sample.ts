import type {
  ClusterStatusDetail,
  ProvisioningRequestStatus,
} from '@gpu-platform/backstage-plugin-gpu-cluster-common';

/** The cluster-wide figures of one sample (null: the section behind it was missing). */
export interface ClusterSampleRow {
  gpusInUse: number | null;
  gpusAllocatable: number | null;
  pendingWorkloads: number | null;
  admittedWorkloads: number | null;
  waitingProvisioningRequests: number | null;
}

export interface QueueSampleRow {
  kind: 'ClusterQueue' | 'LocalQueue';
  /** ClusterQueue name, or `namespace/name` of a LocalQueue. */
  queue: string;
  pending: number;
  reserving: number;
  admitted: number;
}

export interface ProvisioningWaitRow {
  /** metadata.uid, else namespace/name@creation (a recreated request is another wait). */
  uid: string;
  namespace: string;
  name: string;
  localQueue: string | null;
  clusterQueue: string | null;
  /** `waiting` until Provisioned=True (`provisioned`), or `failed` without ever provisioning. */
  state: 'waiting' | 'provisioned' | 'failed';
  createdAt: number;
  provisionedAt: number | null;
  waitMs: number | null;
}

export interface ClusterSample {
  cluster: ClusterSampleRow;
  queues: QueueSampleRow[];
  waits: ProvisioningWaitRow[];
}

const toMs = (time: string | undefined) => {
  const ms = time ? Date.parse(time) : Number.NaN;
  return Number.isFinite(ms) ? ms : undefined;
};

/**
 * When the request's capacity was provisioned: the `Provisioned=True` condition's transition
 * (it stays True through BookingExpired and CapacityRevoked, which come after provisioning;
 * cluster-autoscaler's ProvisioningRequest conditions).
 */
function provisionedAt(pr: ProvisioningRequestStatus): number | undefined {
  const provisioned = pr.conditions.find(
    c => c.type === 'Provisioned' && c.status === 'True',
  );
  return provisioned ? toMs(provisioned.lastTransitionTime) : undefined;
}

/**
 * What one run of the history task records for a cluster, from the status the shared informers
 * already assembled: the summary counts, every queue's depth, and each ProvisioningRequest's
 * wait (creation to Provisioned=True), with the queue its Workload was submitted to.
 */
export function sampleOf(detail: ClusterStatusDetail): ClusterSample {
  const { summary } = detail;
  const workloads = new Map(
    detail.workloads.map(w => [`${w.namespace}/${w.name}`, w]),
  );
  // The Workload that consumes or created the request (its admission check names it).
  const byRequest = new Map(
    detail.workloads
      .filter(w => w.provisioningRequest)
      .map(w => [`${w.namespace}/${w.provisioningRequest}`, w]),
  );
  // A Workload names its ClusterQueue once admitted; before that, its LocalQueue's says it.
  const clusterQueueOf = new Map(
    detail.localQueues.map(q => [`${q.namespace}/${q.name}`, q.clusterQueue]),
  );
  const waits: ProvisioningWaitRow[] = [];
  for (const pr of detail.provisioningRequests) {
    const createdAt = toMs(pr.createdAt);
    if (createdAt === undefined) continue;
    const workload =
      byRequest.get(`${pr.namespace}/${pr.name}`) ??
      (pr.workload
        ? workloads.get(`${pr.namespace}/${pr.workload}`)
        : undefined);
    const localQueue = workload?.queueName
      ? `${pr.namespace}/${workload.queueName}`
      : undefined;
    const at = provisionedAt(pr);
    let state: ProvisioningWaitRow['state'] = 'failed';
    if (at !== undefined) state = 'provisioned';
    else if (pr.state === 'Pending' || pr.state === 'Accepted') {
      state = 'waiting';
    }
    waits.push({
      uid: pr.uid ?? `${pr.namespace}/${pr.name}@${pr.createdAt}`,
      namespace: pr.namespace,
      name: pr.name,
      localQueue: localQueue ?? null,
      clusterQueue:
        workload?.clusterQueue ??
        (localQueue && clusterQueueOf.get(localQueue)) ??
        null,
      state,
      createdAt,
      provisionedAt: at ?? null,
      waitMs: at !== undefined ? Math.max(0, at - createdAt) : null,
    });
  }
  return {
    cluster: {
      gpusInUse: summary.gpusInUse ?? null,
      gpusAllocatable: summary.gpusAllocatable ?? null,
      pendingWorkloads: summary.pendingWorkloads ?? null,
      admittedWorkloads: summary.admittedWorkloads ?? null,
      waitingProvisioningRequests: summary.waitingProvisioningRequests ?? null,
    },
    queues: [
      ...detail.clusterQueues.map(q => ({
        kind: 'ClusterQueue' as const,
        queue: q.name,
        pending: q.pendingWorkloads,
        reserving: q.reservingWorkloads,
        admitted: q.admittedWorkloads,
      })),
      ...detail.localQueues.map(q => ({
        kind: 'LocalQueue' as const,
        queue: `${q.namespace}/${q.name}`,
        pending: q.pendingWorkloads,
        reserving: q.reservingWorkloads,
        admitted: q.admittedWorkloads,
      })),
    ],
    waits,
  };
}
