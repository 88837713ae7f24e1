export interface Config {
  /**
   * GPU cluster provisioning (scaffolder module `gpu-cluster`). `gpuCluster.clusters[]` (the
   * cluster credentials, declared by the gpu-cluster backend plugin) is read as well: its
   * `kubernetes` connection is what `gpu-cluster:kubectl:apply` uses for a cluster of that name.
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
