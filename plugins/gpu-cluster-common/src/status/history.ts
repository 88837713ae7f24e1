/**
 * History of a GPU cluster, sampled by the gpu-cluster backend into its database on a schedule
 * (`gpuCluster.history`): what `GET /clusters/:namespace/:name/history` and
 * `GET /fleet/history` answer. Times are RFC 3339 strings; averages over each step.
 */

/** One step of a cluster's series: the average of the samples taken in it. @public */
export interface ClusterHistoryPoint {
  /** Start of the step. */
  t: string;
  /** How many samples the step averages. */
  samples: number;
  gpusInUse?: number;
  gpusAllocatable?: number;
  /** Workloads waiting in a queue (queue depth). */
  pendingWorkloads?: number;
  admittedWorkloads?: number;
  waitingProvisioningRequests?: number;
}

/** One step of a queue's series. @public */
export interface QueueHistoryPoint {
  t: string;
  pending: number;
  reserving: number;
  admitted: number;
}

/** A ClusterQueue's or LocalQueue's (`namespace/name`) depth over time. @public */
export interface QueueHistorySeries {
  kind: 'ClusterQueue' | 'LocalQueue';
  name: string;
  points: QueueHistoryPoint[];
}

/**
 * How long ProvisioningRequests of one queue waited from creation to `Provisioned=True`
 * (each request counted once), and the ones still waiting at the last sample.
 * @public
 */
export interface QueueWaitStats {
  /** `namespace/name` of the LocalQueue the request's Workload was submitted to, when known. */
  localQueue?: string;
  clusterQueue?: string;
  /** Requests provisioned within the window. */
  provisioned: number;
  p50Seconds?: number;
  p90Seconds?: number;
  p99Seconds?: number;
  maxSeconds?: number;
  /** Requests still waiting at the last sample, and the age of the oldest. */
  waiting: number;
  oldestWaitingSeconds?: number;
}

/** @public */
export interface ClusterHistory {
  entityRef: string;
  from: string;
  to: string;
  stepSeconds: number;
  /** How often the backend samples (`gpuCluster.history.frequency`). */
  frequencySeconds: number;
  /** How long samples are kept (`gpuCluster.history.retention`). */
  retentionSeconds: number;
  /** The newest sample of this cluster (any time), absent before the first. */
  lastSampleAt?: string;
  points: ClusterHistoryPoint[];
  /** ClusterQueues first, then LocalQueues, each by their peak depth; at most `queueLimit`. */
  queues: QueueHistorySeries[];
  queueLimit: number;
  queuesTruncated: boolean;
  /** Per queue, the most waiting first. */
  waits: QueueWaitStats[];
  /** Percentiles are over the newest this many provisioned requests of the window at most. */
  waitSampleLimit: number;
  waitsTruncated: boolean;
}

/** A fleet row's compact series. @public */
export interface FleetHistoryPoint {
  t: string;
  gpusInUse?: number;
  gpusAllocatable?: number;
  pendingWorkloads?: number;
}

/** @public */
export interface FleetClusterHistory {
  entityRef: string;
  points: FleetHistoryPoint[];
}

/** `GET /fleet/history`: the clusters of the fleet page the user may read, with samples. @public */
export interface FleetHistory {
  from: string;
  to: string;
  stepSeconds: number;
  frequencySeconds: number;
  clusters: FleetClusterHistory[];
}
