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
    /** How GKE is reached for discovered clusters. */
    gke?: {
      /** Private (true) or public (false) endpoint; unset: private when the cluster enforces it. */
      useInternalEndpoint?: boolean;
      /** ClusterManager endpoint override (the local emulator); Google's endpoint when unset. */
      endpoint?: {
        host: string;
        port: number;
        caData?: string;
        caFile?: string;
        /** @visibility secret */
        token?: string;
      };
    };
    /**
     * Clusters, matched to catalog entities by the `gpu-platform.dev/cluster-name` annotation.
     */
    clusters?: Array<{
      /** Cluster name, as in the entity's gpu-platform.dev/cluster-name annotation. */
      name: string;
      kubernetes: {
        /** API server URL, e.g. https://127.0.0.1:6443. */
        url: string;
        /** PEM of the CA that signed the API server certificate (inline). */
        caData?: string;
        /** Path of a PEM CA file. */
        caFile?: string;
        /**
         * Bearer token of a service account with read access.
         * @visibility secret
         */
        token?: string;
        /** File holding the bearer token (re-read when it rotates, e.g. a projected service account token). */
        tokenFile?: string;
      };
      gke?: {
        projectId: string;
        location: string;
        /** Name of the GKE cluster when it differs from `name`. */
        clusterName?: string;
        /**
         * ClusterManager endpoint override (the local emulator); Google's endpoint with
         * Application Default Credentials when unset.
         */
        endpoint?: {
          host: string;
          port: number;
          caData?: string;
          caFile?: string;
          /** @visibility secret */
          token?: string;
        };
      };
    }>;
  };
}
