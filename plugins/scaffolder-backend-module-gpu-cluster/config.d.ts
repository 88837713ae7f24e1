export interface Config {
  /**
   * GPU cluster provisioning (scaffolder module `gpu-cluster`). `gpuCluster.clusters[]` and
   * `gpuCluster.gke` (the cluster connections, declared by gpu-cluster-node) are read as well:
   * a cluster's `kubernetes` connection is what `gpu-cluster:kubectl:apply` uses.
   */
  gpuCluster?: {
    /** `gpu-cluster:preflight` (and `gpu-cluster preflight`). */
    preflight?: {
      /**
       * Compute Engine, Service Usage and Resource Manager endpoint override (the local
       * emulator, development only); Google's endpoints with Application Default Credentials
       * when unset. GKE and Cloud Storage follow `gpuCluster.gke.endpoint` and
       * `gpuCluster.terraform.env.STORAGE_EMULATOR_HOST`.
       */
      endpoint?: {
        /** e.g. http://127.0.0.1:8990 */
        url: string;
        /** @visibility secret */
        token?: string;
      };
    };
    terraform?: {
      /** The terraform binary (default `terraform` on PATH). Never taken from template input. */
      binaryPath?: string;
      /**
       * The complete list of variables terraform and its provider get besides the base (PATH,
       * LANG, HOME and TMPDIR in the run's private directory, TF_IN_AUTOMATION, TF_INPUT,
       * CHECKPOINT_DISABLE): the backend's own environment never reaches them. E.g.
       * TF_CLI_CONFIG_FILE, TF_PLUGIN_CACHE_DIR, GOOGLE_APPLICATION_CREDENTIALS, HTTPS_PROXY.
       * Values are redacted from logs (except file paths).
       * @visibility secret
       */
      env?: { [name: string]: string };
      /**
       * Where state lives: `gcs` (default; the bucket/prefix gpuCluster.policy derives from the
       * owner group and stack name) or `local` (a state file under `localStateDirectory`:
       * development and tests only).
       */
      backend?: 'gcs' | 'local';
      /** `backend: local`: directory of the state files (default `<tmp>/gpu-cluster-terraform-state`). */
      localStateDirectory?: string;
      /** Parent of the private per-run directories (default the OS temporary directory). */
      runDirectory?: string;
      /** Per terraform command (default 3600). */
      timeoutSeconds?: number;
      /** Between SIGINT (terraform releases the state lock) and SIGKILL on cancel/timeout (default 60). */
      gracePeriodSeconds?: number;
    };
    kubectl?: {
      /** The kubectl binary (default `kubectl` on PATH). */
      binaryPath?: string;
      /**
       * The complete list of variables kubectl gets besides the base (PATH, LANG, HOME and TMPDIR
       * in the run's private directory). E.g. HTTPS_PROXY.
       * @visibility secret
       */
      env?: { [name: string]: string };
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
      /** Parent of the private per-run directories (default the OS temporary directory). */
      runDirectory?: string;
      /** Per kubectl command (default 300; rollout waits get their own bound). */
      timeoutSeconds?: number;
      /** Between SIGTERM and SIGKILL on cancel/timeout (default 10). */
      gracePeriodSeconds?: number;
    };
    /** Dry runs of the scaffolder per signed-in user (each backend replica counts its own). */
    dryRunRateLimit?: {
      /** Dry runs per window (default 10). */
      limit?: number;
      /** Window length (default 60). */
      windowSeconds?: number;
    };
    catalog?: {
      /**
       * Directory where `gpu-cluster:catalog:register` writes one entity file per cluster and
       * registers it as a `file` location (embedded default). Unset: the entity is only written
       * into the workspace, for a publish step and `catalog:register`.
       */
      locationDirectory?: string;
    };
    /** The software templates this package registers (`catalogModuleGpuClusterTemplates`). */
    templates?: {
      /**
       * Entity reference that replaces each template's `spec.owner` (default
       * `group:default/platform-team`), e.g. the adopter's own platform team.
       */
      owner?: string;
    };
  };
}
