export interface Config {
  /** Cluster connections shared by the gpu-cluster backend plugin and scaffolder module. */
  gpuCluster?: {
    /**
     * Who may create GPU clusters, where, with which state and GPU budget. Read by the
     * scaffolder actions (they check every run against it) and by the backend's permission
     * policy. Unset: nobody may create one.
     */
    policy?: {
      /**
       * Groups whose members may read every task log and dry run, act on any cluster, and create
       * stacks for any group below (still within that group's projects).
       */
      adminGroups?: string[];
      groups?: Array<{
        /** The group (`group:default/ml-platform`); its members may create stacks it owns. */
        group: string;
        /** GCP projects its stacks may use. */
        projects: string[];
        /** Its Terraform state bucket; a stack's state is `<statePrefix>/<namePrefix>` in it. */
        stateBucket: string;
        /** Default `gpu-clusters/<namespace>/<name>` of the group. */
        statePrefix?: string;
        /** Most GPUs one stack may hold (max nodes × GPUs per node over its pools). */
        maxGpusPerStack?: number;
        /** Most GPUs all the group's registered clusters may hold together. */
        maxGpusTotal?: number;
      }>;
    };
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
     * Configured clusters, bound to one catalog entity each (`entityRef`, status) and matched to
     * stack specs by cluster name and project (scaffolder). Paths are relative to the backend's
     * working directory.
     */
    clusters?: Array<{
      /** Cluster name, as in the entity's gpu-platform.dev/cluster-name annotation. */
      name: string;
      /**
       * The catalog entity whose status this cluster is (default `resource:default/<name>`):
       * the status API serves it for this entity only, whatever other entities' annotations say.
       */
      entityRef?: string;
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
        /** File holding the bearer token (e.g. a projected service account token). */
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
