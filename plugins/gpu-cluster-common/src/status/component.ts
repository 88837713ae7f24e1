import type {
  ClusterQueueStatus,
  LocalQueueStatus,
  RayClusterStatus,
  RayJobStatus,
  StatusHead,
  StatusSectionName,
  StatusSectionState,
  StatusSource,
  WorkloadExplanation,
} from './model';

/**
 * The GPU cluster tab of a Component that depends on a cluster, narrowed to its namespace and
 * LocalQueue (`GET /components/:namespace/:name/status`). Its Workloads and ProvisioningRequests
 * page through `GET /components/:namespace/:name/{workloads,provisioningrequests}`, filtered to
 * the same namespace (and queue) by the backend.
 * @public
 */
export interface ComponentClusterStatus {
  componentRef: string;
  /** The cluster Resource the Component depends on. */
  clusterRef: string;
  clusterName: string;
  namespace: string;
  localQueueName: string;
  generatedAt: string;
  sources: StatusSource[];
  sections: Record<StatusSectionName, StatusSectionState>;
  /** Counts within the namespace (workloads: those of the LocalQueue). */
  summary: {
    pendingWorkloads?: number;
    admittedWorkloads?: number;
    waitingProvisioningRequests?: number;
  };
  /** The LocalQueue, absent when the cluster has none of that name in the namespace. */
  localQueue?: LocalQueueStatus;
  /** The ClusterQueue the LocalQueue feeds, with its depth. */
  clusterQueue?: ClusterQueueStatus;
  rayClusters: RayClusterStatus[];
  rayJobs: RayJobStatus[];
  /** Why the namespace's most pressing unfinished workloads are not running. */
  explanations: StatusHead<WorkloadExplanation>;
}
