import type { HumanDuration } from '@backstage/types';

export interface Config {
  /** Monitoring of GPU clusters (gpu-cluster backend plugin). */
  gpuCluster?: {
    /** How long an assembled status stays in the shared cache (seconds, default 5). */
    statusCacheTtlSeconds?: number;
    /** How long GKE cluster data stays in the shared cache (seconds, default 30). */
    gkeCacheTtlSeconds?: number;
    /**
     * Start the informers of every known cluster (each `clusters` entry, and the template's
     * registrations with `discovery: gke`) when the plugin starts, in the background, and assemble
     * each status once, so the first viewer meets synced informers (default true). Never blocks
     * startup; a cluster that cannot be read is logged and started on its first request instead.
     */
    warmUpAtStartup?: boolean;
    /**
     * History: every cluster the plugin serves (configured and registered) sampled into the
     * plugin's database on a schedule — queue depth, admitted and waiting workloads, GPUs in use
     * and ProvisioningRequest waits — for the tab's and the fleet page's charts.
     */
    history?: {
      /** Sample on a schedule (default true). */
      enabled?: boolean;
      /**
       * How often (default 5 minutes; a HumanDuration object, an ISO 8601 duration or e.g. `30s`).
       * Replicas sharing one database sample once per interval between them.
       */
      frequency?: string | HumanDuration;
      /** A run taking longer is abandoned (default the smaller of 4 minutes and `frequency`). */
      timeout?: string | HumanDuration;
      /** Samples older than this are deleted by the sampling task (default 30 days). */
      retention?: string | HumanDuration;
    };
    /**
     * `gke` (production): an entity the Create GPU cluster template registered (recorded in this
     * plugin's database by its catalog:register action, same owner) whose cluster has no
     * `clusters` entry is reached through GKE — endpoint and CA from GetCluster (the private
     * endpoint when the cluster enforces it), access tokens of the status identity
     * (`statusCredentials`) — when its project and location are in `discoveryAllowList`.
     * Annotations of other entities are never followed. `none` (default): configured only.
     */
    discovery?: 'gke' | 'none';
    /** GKE projects and locations discovery may read (deny by default). */
    discoveryAllowList?: Array<{
      projectId: string;
      /** Regions or zones; `*` for every location of the project. */
      locations: string[];
    }>;
    /**
     * The read-only Google identity of the status API, distinct from the one that provisions:
     * it needs roles/container.clusterViewer on the projects and the Kubernetes `view` role (plus
     * read access to Kueue, ProvisioningRequest and Ray objects) in the clusters. Unset: the
     * backend's own Application Default Credentials (a warning is logged with discovery on).
     */
    statusCredentials?: {
      /** A service account key file of the read-only identity. */
      keyFile?: string;
      /** Impersonate this service account (the backend needs roles/iam.serviceAccountTokenCreator on it). */
      impersonateServiceAccount?: string;
    };
  };
}
