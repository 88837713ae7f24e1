import type { FabricStatus } from './fabric';
import type { FabricVerificationSummary } from '../verification/verdict';

/**
 * The status model of a GPU cluster, as the gpu-cluster backend answers it and the frontend
 * renders it. Plain JSON (dates are RFC 3339 strings) so it crosses HTTP unchanged.
 */

/** A Kubernetes-style condition, copied verbatim (reason and message are what operators grep for). @public */
export interface StatusCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
}

/** The Kubernetes kinds the status reads, one informer (list + watch) each. @public */
export type StatusKind =
  | 'nodes'
  | 'pods'
  | 'jobs'
  | 'clusterqueues'
  | 'localqueues'
  | 'workloads'
  | 'provisioningrequests'
  | 'rayclusters'
  | 'rayjobs'
  | 'networks'
  | 'gkenetworkparamsets'
  | 'daemonsets';

/**
 * How one kind's informer stands. `synced`: listed and watching. `stale`: listed once, failing
 * since `staleSince`, so its data is the last known. `unavailable`: never listed (denied,
 * unreachable, timed out): there is no data. `notInstalled`: the API server does not serve the
 * kind (its CRD is absent), so there is nothing of it. `starting`: the first list is under way.
 * @public
 */
export interface KindSourceState {
  kind: StatusKind;
  state: 'starting' | 'synced' | 'stale' | 'unavailable' | 'notInstalled';
  /** When the kind last listed or resumed its watch successfully. */
  syncedAt?: string;
  /** When a synced kind started failing. */
  staleSince?: string;
  /** The last failure: HTTP code and the first line of the message (never credentials). */
  error?: string;
}

/** Which upstream a part of the status came from, and whether reading it worked. @public */
export interface StatusSource {
  name: 'kubernetes' | 'gke';
  /** False when the source answered nothing usable (Kubernetes: nodes could not be listed). */
  ok: boolean;
  /** Why it failed (no secrets); set when ok is false. */
  error?: string;
  /** When the data of this source was last known good. */
  observedAt?: string;
  /** Kubernetes only: the state of every kind's informer, so a partial failure is visible. */
  kinds?: KindSourceState[];
}

/** The parts of the page, each fed by some kinds. @public */
export type StatusSectionName =
  | 'nodes'
  | 'gpuUsage'
  | 'queues'
  | 'workloads'
  | 'provisioningRequests'
  | 'ray'
  | 'fabric';

/**
 * Whether a part of the status can be trusted. `ok`: its kinds are synced (or not installed).
 * `stale`: the data is the last known, since `staleSince`. `partial`: its own kind is fine but a
 * kind it is cross-checked with has no data (e.g. explanations without pods). `missing`: its kind
 * has no data, so its lists are empty and its counts are absent, not zero. `notInstalled`: the
 * cluster does not serve its kinds (Kueue or KubeRay absent), so empty is the truth.
 * @public
 */
export interface StatusSectionState {
  state: 'ok' | 'stale' | 'partial' | 'missing' | 'notInstalled';
  /** The kinds behind a state other than ok, with their errors. */
  message?: string;
  staleSince?: string;
}

/** @public */
export interface GkeNodePoolStatus {
  name: string;
  status: string;
  statusMessage?: string;
  machineType?: string;
  acceleratorType?: string;
  acceleratorCount?: number;
  flexStart: boolean;
  queuedProvisioning: boolean;
  spot: boolean;
  maxRunDuration?: string;
  autoscaling?: {
    enabled: boolean;
    minNodeCount?: number;
    maxNodeCount?: number;
    totalMinNodeCount?: number;
    totalMaxNodeCount?: number;
    locationPolicy?: string;
  };
  locations: string[];
  additionalNetworks: string[];
  /** The pool's additional node networks (VPC and subnet) in NIC order, as GKE reports them. */
  additionalNodeNetworks?: { network: string; subnetwork: string }[];
  /** GPU nodes of this pool currently registered in Kubernetes. */
  nodeCount: number;
}

/** @public */
export interface GkeClusterStatus {
  name: string;
  location: string;
  projectId: string;
  status: string;
  statusMessage?: string;
  conditions: { code?: string; message?: string }[];
  currentMasterVersion?: string;
  currentNodeVersion?: string;
  releaseChannel?: string;
  privateEndpoint?: boolean;
  rayOperatorEnabled?: boolean;
  multiNetworking?: boolean;
  nodePools: GkeNodePoolStatus[];
}

/** @public */
export interface GpuQuantity {
  capacity: number;
  allocatable: number;
  /** Requested by non-terminated pods bound to the node. */
  inUse: number;
}

/** @public */
export interface NodeStatus {
  name: string;
  nodePool?: string;
  zone?: string;
  machineType?: string;
  acceleratorType?: string;
  ready: boolean;
  unschedulable: boolean;
  gpus: GpuQuantity;
  createdAt?: string;
  /** RDMA networks the node advertises (networking.gke.io.networks/<name>). */
  networks: string[];
}

/** Quota per flavor and resource of a ClusterQueue (nominal) and its reservation/usage. @public */
export interface QueueResourceUsage {
  flavor: string;
  resource: string;
  nominalQuota?: string;
  reserved?: string;
  used?: string;
  borrowed?: string;
}

/** @public */
export interface ClusterQueueStatus {
  name: string;
  active: boolean;
  activeReason?: string;
  activeMessage?: string;
  cohort?: string;
  admissionChecks: string[];
  pendingWorkloads: number;
  reservingWorkloads: number;
  admittedWorkloads: number;
  resources: QueueResourceUsage[];
}

/** @public */
export interface LocalQueueStatus {
  namespace: string;
  name: string;
  clusterQueue: string;
  active: boolean;
  activeReason?: string;
  activeMessage?: string;
  pendingWorkloads: number;
  reservingWorkloads: number;
  admittedWorkloads: number;
}

/** @public */
export interface AdmissionCheckState {
  name: string;
  state: 'Pending' | 'Ready' | 'Retry' | 'Rejected' | string;
  message?: string;
  lastTransitionTime?: string;
  retryCount?: number;
}

/** The phase a workload is in, derived from its conditions. @public */
export type WorkloadPhase =
  | 'Pending'
  | 'QuotaReserved'
  | 'Admitted'
  | 'Running'
  | 'Evicted'
  | 'Finished'
  | 'Failed'
  | 'Inactive';

/** @public */
export interface WorkloadStatus {
  namespace: string;
  name: string;
  queueName?: string;
  clusterQueue?: string;
  owner?: { kind: string; name: string };
  phase: WorkloadPhase;
  active: boolean;
  createdAt?: string;
  gpus: number;
  conditions: StatusCondition[];
  admissionChecks: AdmissionCheckState[];
  /** ProvisioningRequest consumed or created for this workload, when known. */
  provisioningRequest?: string;
  maxRunDurationSeconds?: number;
}

/** GKE's provisioningClassDetails, flattened to the fields operators need. @public */
export interface ProvisioningDetails {
  nodePool?: string;
  selectedZone?: string;
  acceleratorType?: string;
  resizeRequest?: string;
}

/** @public */
export interface ProvisioningRequestStatus {
  namespace: string;
  name: string;
  /** metadata.uid: the history counts each request's wait once by it. */
  uid?: string;
  provisioningClassName?: string;
  /** The state derived from the conditions, most decisive first. */
  state:
    | 'Pending'
    | 'Accepted'
    | 'Provisioned'
    | 'BookingExpired'
    | 'CapacityRevoked'
    | 'Failed';
  reason?: string;
  message?: string;
  conditions: StatusCondition[];
  details: ProvisioningDetails;
  workload?: string;
  createdAt?: string;
  maxRunDurationSeconds?: number;
}

/** @public */
export interface RayClusterStatus {
  namespace: string;
  name: string;
  state?: string;
  reason?: string;
  readyWorkers: number;
  desiredWorkers: number;
  desiredGpus?: string;
  headPodName?: string;
  headServiceName?: string;
  /** In-cluster address of the dashboard (head service, port 8265). */
  dashboardUrl?: string;
  /** The head service's dashboard port (the jobs route reads the dashboard through it). */
  dashboardPort?: number;
  /** How to open the dashboard from a workstation. */
  portForwardCommand?: string;
  conditions: StatusCondition[];
}

/** @public */
export interface RayJobStatus {
  namespace: string;
  name: string;
  rayClusterName?: string;
  jobId?: string;
  jobStatus?: string;
  jobDeploymentStatus?: string;
  reason?: string;
  message?: string;
  startTime?: string;
  endTime?: string;
  dashboardUrl?: string;
}

/** Severity of a watchdog flag or a verdict. @public */
export type StatusSeverity = 'info' | 'warning' | 'error';

/**
 * What a flag is about. Each is classified from the condition types, reasons and messages the
 * upstream controllers write (see the backend's `flags.ts`, which cites them rule by rule).
 * @public
 */
export type StatusFlagCode =
  | 'ProvisioningQuotaExceeded'
  | 'ProvisioningCapacityRevoked'
  | 'ProvisioningBookingExpired'
  | 'ProvisioningResourcePoolExhausted'
  | 'ProvisioningFailed'
  | 'AcceptedAgainstMissingPool'
  | 'AcceptedForLong'
  | 'GpuNodesNotReady'
  | 'RayHeadNotReady'
  | 'RayWorkersPendingOnFlavor'
  | 'ClusterQueueInactive'
  | 'LocalQueueInactive'
  | 'RetryWithoutRequeue'
  | 'FabricNetworkMissing'
  | 'FabricNetworkMismatch'
  | 'RdmaInstallerNotReady'
  | 'NodeMissingRdmaInterfaces'
  | 'FabricVerificationFailed'
  | 'FabricBelowExpected';

/** A terminal, costly or stuck state detected across objects, with the fix to try. @public */
export interface StatusFlag {
  severity: StatusSeverity;
  code: StatusFlagCode;
  subject: string;
  /** What is wrong, with the upstream reason and the facts parsed from its message. */
  message: string;
  /** The fix to try first. */
  fix: string;
  /** Where to act (e.g. the project's quota page in the Cloud console). */
  link?: { title: string; url: string };
  /** Upstream issue describing the bug behind the flag. */
  reference?: string;
}

/**
 * Counts over the cluster. A count whose data is missing (see `ClusterStatus.sections`) is
 * absent rather than 0.
 * @public
 */
export interface ClusterStatusSummary {
  gpusCapacity?: number;
  gpusAllocatable?: number;
  /** What non-terminated pods bound to the nodes request (effective request per pod). */
  gpusInUse?: number;
  nodes?: number;
  readyNodes?: number;
  pendingWorkloads?: number;
  admittedWorkloads?: number;
  waitingProvisioningRequests?: number;
}

/**
 * Everything the backend assembles for one cluster entity: every node, Workload,
 * ProvisioningRequest and explanation. The backend keeps it in memory and serves it only a page
 * at a time (`PagedList`); `GET /status` answers the bounded `ClusterStatus` derived from it.
 * @public
 */
export interface ClusterStatusDetail {
  entityRef: string;
  clusterName: string;
  generatedAt: string;
  sources: StatusSource[];
  sections: Record<StatusSectionName, StatusSectionState>;
  summary: ClusterStatusSummary;
  gke?: GkeClusterStatus;
  nodes: NodeStatus[];
  clusterQueues: ClusterQueueStatus[];
  localQueues: LocalQueueStatus[];
  workloads: WorkloadStatus[];
  provisioningRequests: ProvisioningRequestStatus[];
  rayClusters: RayClusterStatus[];
  rayJobs: RayJobStatus[];
  flags: StatusFlag[];
  /** The multi-network / RDMA fabric checks (absent when the cluster expects no additional networks). */
  fabric?: FabricStatus;
  /** The NCCL fabric verification runs kept with the cluster (absent: none finished yet). */
  fabricVerification?: FabricVerificationSummary;
  /** The "why is it not running" chain of every unfinished workload. */
  explanations: WorkloadExplanation[];
}

/** The nodes of one node pool (by its GKE node-pool label), added up. @public */
export interface NodePoolUsage {
  /** Absent for nodes without a GKE node-pool label. */
  nodePool?: string;
  nodes: number;
  readyNodes: number;
  gpus: GpuQuantity;
}

/**
 * The first items of a long list, most pressing first, with how many there are in all; the rest
 * is served a page at a time.
 * @public
 */
export interface StatusHead<T> {
  items: T[];
  /** At most this many items are in `items`. */
  limit: number;
  /** How many there are in all. */
  total: number;
}

/**
 * The status of one cluster entity as the tab shows it first (`GET /status`): counts, per-pool
 * aggregates, the queues, Ray, the flags and a bounded head of the unfinished workloads with their
 * explanations. Its size does not grow with the number of Workloads, nodes or
 * ProvisioningRequests: those lists are paged (`GET /clusters/:ns/:name/<list>`).
 * @public
 */
export interface ClusterStatus {
  entityRef: string;
  clusterName: string;
  generatedAt: string;
  sources: StatusSource[];
  /** Which parts are trustworthy; the UI says so where one is not. */
  sections: Record<StatusSectionName, StatusSectionState>;
  summary: ClusterStatusSummary;
  gke?: GkeClusterStatus;
  /** Kubernetes nodes per node pool: count, ready and GPUs. */
  nodePools: NodePoolUsage[];
  clusterQueues: ClusterQueueStatus[];
  localQueues: LocalQueueStatus[];
  rayClusters: RayClusterStatus[];
  rayJobs: RayJobStatus[];
  /** The flags, errors first. */
  flags: StatusHead<StatusFlag>;
  /** The multi-network / RDMA fabric checks (absent when the cluster expects no additional networks). */
  fabric?: FabricStatus;
  /** The NCCL fabric verification runs kept with the cluster (absent: none finished yet). */
  fabricVerification?: FabricVerificationSummary;
  /**
   * The unfinished workloads' "why is it not running" chains, errors first then oldest first;
   * the others are listed by `GET .../workloads?unfinished=true` and explained by
   * `GET .../workloads/:ns/:name/explain`.
   */
  explanations: StatusHead<WorkloadExplanation>;
}

/** One link of the chain Job → Workload → admission check → ProvisioningRequest → nodes. @public */
export interface ExplanationStep {
  kind:
    | 'Job'
    | 'RayCluster'
    | 'RayJob'
    | 'Workload'
    | 'LocalQueue'
    | 'ClusterQueue'
    | 'AdmissionCheck'
    | 'ProvisioningRequest'
    | 'Node';
  name: string;
  state: string;
  ok: boolean;
  reason?: string;
  message?: string;
  at?: string;
  details?: Record<string, string>;
}

/** A running clock (booking window, max run duration). @public */
export interface ExplanationClock {
  kind: 'booking' | 'maxRunDuration';
  startedAt: string;
  endsAt: string;
  remainingSeconds: number;
}

/** Why a workload is (not) running, in plain language, derived from real condition reasons. @public */
export interface WorkloadExplanation {
  namespace: string;
  workload: string;
  job?: string;
  verdict:
    | 'Running'
    | 'Finished'
    | 'WaitingForQuota'
    | 'QueueMissing'
    | 'WaitingForCapacity'
    | 'ProvisioningFailed'
    | 'BookingExpired'
    | 'CapacityRevoked'
    | 'StuckAccepted'
    | 'WaitingForAdmission'
    | 'Starting';
  severity: StatusSeverity;
  /** One sentence a user understands. */
  summary: string;
  /** The next step to take. */
  nextStep?: string;
  steps: ExplanationStep[];
  clocks: ExplanationClock[];
}

/**
 * One page of a status list (workloads, ProvisioningRequests, nodes), filtered and sorted by the
 * backend so the page never carries the whole cluster.
 * @public
 */
export interface PagedList<T> {
  items: T[];
  /** How many items match the filters (all pages). */
  total: number;
  offset: number;
  limit: number;
  /** Whether the list's data can be trusted (see `ClusterStatus.sections`). */
  section?: StatusSectionState;
}

/** The status lists the backend pages. @public */
export type StatusListName = 'workloads' | 'provisioningrequests' | 'nodes';

/**
 * Filters, sort and page of a status list (`GET /clusters/:ns/:name/<list>`); which filters and
 * sort keys each list takes is in the OpenAPI spec.
 * @public
 */
export interface StatusListQuery {
  namespace?: string;
  queue?: string;
  state?: string;
  /** Workloads only: true lists the unfinished ones (every phase but Finished). */
  unfinished?: boolean;
  /** Workloads only: the name of the owning object (Job, RayJob, …). */
  owner?: string;
  nodePool?: string;
  sort?: string;
  order?: 'asc' | 'desc';
  offset?: number;
  limit?: number;
}

/**
 * A job as the Ray dashboard's Jobs API lists it: submitted by a RayJob or directly with
 * `ray job submit`, which no Kubernetes object shows. Long texts are cut.
 * @public
 */
export interface RayDashboardJob {
  submissionId?: string;
  jobId?: string;
  /** SUBMISSION (Jobs API) or DRIVER (a driver started otherwise). */
  type?: string;
  /** PENDING, RUNNING, STOPPED, SUCCEEDED or FAILED. */
  status: string;
  entrypoint?: string;
  message?: string;
  startTime?: string;
  endTime?: string;
}

/** The jobs of one Ray cluster, newest first, at most `limit` of `total`. @public */
export interface RayDashboardJobs {
  namespace: string;
  rayCluster: string;
  fetchedAt: string;
  jobs: RayDashboardJob[];
  total: number;
  limit: number;
}
