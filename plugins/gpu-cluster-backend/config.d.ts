export interface Config {
  /** Monitoring of GPU clusters (gpu-cluster backend plugin). */
  gpuCluster?: {
    /** How long an assembled status stays in the shared cache (seconds, default 5). */
    statusCacheTtlSeconds?: number;
    /** How long GKE cluster data stays in the shared cache (seconds, default 30). */
    gkeCacheTtlSeconds?: number;
    /**
     * `gke` (production): a catalog entity whose cluster has no `clusters` entry is reached
     * through GKE from its gpu-platform.dev/project-id, location and cluster-name annotations —
     * endpoint and CA from GetCluster (the private endpoint when the cluster enforces it), Google
     * access tokens from Application Default Credentials (Workload Identity), refreshed per
     * request, as `gcloud container clusters get-credentials` does. The identity needs
     * container.clusters.get and read access in the cluster. `none` (default): configured only.
     */
    discovery?: 'gke' | 'none';
  };
}
