import os from 'node:os';
import path from 'node:path';
import type { Config } from '@backstage/config';
import type { GpuClusterPolicy } from '@gpu-platform/backstage-plugin-gpu-cluster-common';
import {
  configuredSecrets,
  environmentSecrets,
  readClusterConnections,
  readGpuClusterPolicy,
  type ClusterConnectionConfig,
  type GkeAccessConfig,
} from '@gpu-platform/backstage-plugin-gpu-cluster-node';

/**
 * Config file paths are relative to the backend's working directory, as Backstage's own are;
 * the actions run tools in private directories, so they get absolute paths.
 */
const absolutePath = (value: string | undefined) =>
  value === undefined ? undefined : path.resolve(value);

/** What the actions read from `gpuCluster.*` (never from template input). @public */
export interface GpuClusterScaffolderConfig {
  terraform: {
    binaryPath?: string;
    /** The only variables terraform and its provider get besides PATH, HOME, TMPDIR, LANG. */
    env: Record<string, string>;
    backend: 'gcs' | 'local';
    /** `backend: local`: where state files live (`<dir>/<bucket>/<prefix>/default.tfstate`). */
    localStateDirectory: string;
    /** Parent of the private run directories (default the OS temporary directory). */
    runDirectory?: string;
    timeoutMs: number;
    killAfterMs: number;
  };
  kubectl: {
    binaryPath?: string;
    /** The only variables kubectl gets besides PATH, HOME, TMPDIR, LANG. */
    env: Record<string, string>;
    /**
     * Where credentials of a cluster without a `gpuCluster.clusters` entry come from: `gke` reads
     * the cluster from GKE (endpoint, CA) with a Google access token, as `gcloud container
     * clusters get-credentials` does; `config` (default) only uses entries and `kubeconfigPath`.
     */
    credentials: 'gke' | 'config';
    kubeconfigPath?: string;
    context?: string;
    kueueManifestPath?: string;
    kueueReadyTimeoutSeconds?: number;
    runDirectory?: string;
    timeoutMs: number;
    killAfterMs: number;
  };
  /** `gpuCluster.clusters[]` entries, by cluster name. */
  clusters: ClusterConnectionConfig[];
  catalog: { locationDirectory?: string };
  /** How GKE is reached for `credentials: gke` (an endpoint override for the emulator). */
  gke: GkeAccessConfig;
  /**
   * Preflight's Compute Engine / Service Usage / Resource Manager endpoint override
   * (`gpuCluster.preflight.endpoint`, the local emulator, with its token); Google's endpoints
   * with Application Default Credentials when unset.
   */
  preflight: { endpoint?: { url: string; token?: string } };
  /** Who may create which stacks (`gpuCluster.policy`; deny by default). */
  policy: GpuClusterPolicy;
  /** Dry runs per user and window (`gpuCluster.dryRunRateLimit`). */
  dryRunRateLimit: { limit: number; windowMs: number };
  /** Every secret of the config and of the backend's environment, for the redactor. */
  secrets: string[];
}

function readEnv(config: Config | undefined): Record<string, string> {
  const env: Record<string, string> = {};
  for (const key of config?.keys() ?? []) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) {
      throw new Error(`${key} is not an environment variable name`);
    }
    env[key] = config!.getString(key);
  }
  return env;
}

const seconds = (
  config: Config | undefined,
  key: string,
  fallback: number,
): number => (config?.getOptionalNumber(key) ?? fallback) * 1000;

/** Reads the module's configuration; throws when a value has the wrong type. @public */
export function readGpuClusterScaffolderConfig(
  root: Config,
): GpuClusterScaffolderConfig {
  const section = root.getOptionalConfig('gpuCluster');
  const terraform = section?.getOptionalConfig('terraform');
  const kubectl = section?.getOptionalConfig('kubectl');
  const backend = terraform?.getOptionalString('backend') ?? 'gcs';
  if (backend !== 'gcs' && backend !== 'local') {
    throw new Error(
      `gpuCluster.terraform.backend must be 'gcs' or 'local', got '${backend}'`,
    );
  }
  const credentials = kubectl?.getOptionalString('credentials') ?? 'config';
  if (credentials !== 'gke' && credentials !== 'config') {
    throw new Error(
      `gpuCluster.kubectl.credentials must be 'gke' or 'config', got '${credentials}'`,
    );
  }
  const rateLimit = section?.getOptionalConfig('dryRunRateLimit');
  const { clusters, gke } = readClusterConnections(root);
  return {
    terraform: {
      binaryPath: terraform?.getOptionalString('binaryPath'),
      env: readEnv(terraform?.getOptionalConfig('env')),
      backend,
      localStateDirectory:
        absolutePath(terraform?.getOptionalString('localStateDirectory')) ??
        path.join(os.tmpdir(), 'gpu-cluster-terraform-state'),
      runDirectory: absolutePath(terraform?.getOptionalString('runDirectory')),
      timeoutMs: seconds(terraform, 'timeoutSeconds', 3600),
      killAfterMs: seconds(terraform, 'gracePeriodSeconds', 60),
    },
    kubectl: {
      binaryPath: kubectl?.getOptionalString('binaryPath'),
      env: readEnv(kubectl?.getOptionalConfig('env')),
      credentials,
      kubeconfigPath: absolutePath(
        kubectl?.getOptionalString('kubeconfigPath'),
      ),
      context: kubectl?.getOptionalString('context'),
      kueueManifestPath: absolutePath(
        kubectl?.getOptionalString('kueueManifestPath'),
      ),
      kueueReadyTimeoutSeconds: kubectl?.getOptionalNumber(
        'kueueReadyTimeoutSeconds',
      ),
      runDirectory: absolutePath(kubectl?.getOptionalString('runDirectory')),
      timeoutMs: seconds(kubectl, 'timeoutSeconds', 300),
      killAfterMs: seconds(kubectl, 'gracePeriodSeconds', 10),
    },
    clusters,
    catalog: {
      locationDirectory: absolutePath(
        section?.getOptionalString('catalog.locationDirectory'),
      ),
    },
    gke,
    preflight: {
      endpoint: section?.has('preflight.endpoint')
        ? {
            url: section.getString('preflight.endpoint.url'),
            token: section.getOptionalString('preflight.endpoint.token'),
          }
        : undefined,
    },
    policy: readGpuClusterPolicy(root),
    dryRunRateLimit: {
      limit: rateLimit?.getOptionalNumber('limit') ?? 10,
      windowMs: seconds(rateLimit, 'windowSeconds', 60),
    },
    secrets: [...configuredSecrets(root), ...environmentSecrets()],
  };
}
