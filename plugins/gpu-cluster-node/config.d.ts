export interface Config {
  /** Cluster connections shared by the gpu-cluster backend plugin and scaffolder module. */
  gpuCluster?: {
    /**
     * How GKE's ClusterManager is reached for clusters known only to GKE (the status backend's
     * `discovery: gke`, the scaffolder's `kubectl.credentials: gke`). Unset in production:
     * Google's endpoint with Application Default Credentials (Workload Identity on GKE).
     */
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
     * Configured clusters, matched to catalog entities by the `gpu-platform.dev/cluster-name`
     * annotation (status) and to stack specs by cluster name and project (scaffolder). Paths
     * are relative to the backend's working directory.
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
