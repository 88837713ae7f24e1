export interface Config {
  /**
   * GPU cluster provisioning (scaffolder module `gpu-cluster`). `gpuCluster.clusters[]` and
   * `gpuCluster.gke` (the cluster connections, declared by gpu-cluster-node) are read as well:
   * a cluster's `kubernetes` connection is what `gpu-cluster:kubectl:apply` uses.
   */
  gpuCluster?: {
    terraform?: {
      /** The terraform binary (default `terraform` on PATH). Never taken from template input. */
      binaryPath?: string;
      /**
       * Extra environment of every terraform run, e.g. TF_CLI_CONFIG_FILE or
       * GOOGLE_APPLICATION_CREDENTIALS. Values of keys that look secret are masked in logs.
       * @visibility secret
       */
      env?: { [name: string]: string };
      /**
       * Where state lives: `gcs` (default; the bucket/prefix of the stack spec's terraformState)
       * or `local` (state in the task workspace: development and tests only).
       */
      backend?: 'gcs' | 'local';
      /** Whether a dry run runs `terraform plan` (default true); false skips terraform in dry runs. */
      planInDryRun?: boolean;
    };
    kubectl?: {
      /** The kubectl binary (default `kubectl` on PATH). */
      binaryPath?: string;
      /**
       * Credentials of a cluster without a `gpuCluster.clusters` entry (and no `kubeconfigPath`).
       * `gke` — the production setting — reads its endpoint and CA from GKE and authenticates
       * with a Google access token from Application Default Credentials, as `gcloud container
       * clusters get-credentials` does, so the cluster the template has just created is reachable
       * without editing config; the identity needs `container.clusters.get` and Kubernetes RBAC
       * (e.g. roles/container.admin). `config` (the default when unset) only uses configured
       * credentials.
       */
      credentials?: 'gke' | 'config';
      /**
       * Development fallback: a kubeconfig file used for clusters without a `gpuCluster.clusters`
       * entry.
       */
      kubeconfigPath?: string;
      /** Context in `kubeconfigPath` (its current context when unset). */
      context?: string;
      /** Local copy of the pinned Kueue release manifest (air-gapped clusters, tests). */
      kueueManifestPath?: string;
      /** Seconds to wait for the Kueue controller (default 300). */
      kueueReadyTimeoutSeconds?: number;
    };
    catalog?: {
      /**
       * Directory where `gpu-cluster:catalog:register` writes one entity file per cluster and
       * registers it as a `file` location (embedded default). Unset: the entity is only written
       * into the workspace, for a publish step and `catalog:register`.
       */
      locationDirectory?: string;
    };
  };
}
