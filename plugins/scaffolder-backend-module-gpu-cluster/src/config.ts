import path from 'node:path';
import type { Config } from '@backstage/config';
import {
  readClusterConnections,
  type ClusterConnectionConfig,
  type GkeAccessConfig,
} from '@gpu-platform/backstage-plugin-gpu-cluster-node';

/**
 * Config file paths are relative to the backend's working directory, as Backstage's own are;
 * the actions run tools in task workspaces, so they get absolute paths.
 */
const absolutePath = (value: string | undefined) =>
  value === undefined ? undefined : path.resolve(value);

/** What the actions read from `gpuCluster.*` (never from template input). @public */
export interface GpuClusterScaffolderConfig {
  terraform: {
    binaryPath?: string;
    env: Record<string, string>;
    backend: 'gcs' | 'local';
    planInDryRun: boolean;
  };
  kubectl: {
    binaryPath?: string;
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
  };
  /** `gpuCluster.clusters[]` entries, by cluster name. */
  clusters: ClusterConnectionConfig[];
  catalog: { locationDirectory?: string };
  /** How GKE is reached for `credentials: gke` (an endpoint override for the emulator). */
  gke: GkeAccessConfig;
}

/** Reads the module's configuration; throws when a value has the wrong type. @public */
export function readGpuClusterScaffolderConfig(
  root: Config,
): GpuClusterScaffolderConfig {
  const section = root.getOptionalConfig('gpuCluster');
  const terraform = section?.getOptionalConfig('terraform');
  const kubectl = section?.getOptionalConfig('kubectl');
  const envConfig = terraform?.getOptionalConfig('env');
  const env: Record<string, string> = {};
  for (const key of envConfig?.keys() ?? []) {
    env[key] = envConfig!.getString(key);
  }
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
  const { clusters, gke } = readClusterConnections(root);
  return {
    terraform: {
      binaryPath: terraform?.getOptionalString('binaryPath'),
      env,
      backend,
      planInDryRun: terraform?.getOptionalBoolean('planInDryRun') ?? true,
    },
    kubectl: {
      binaryPath: kubectl?.getOptionalString('binaryPath'),
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
    },
    clusters,
    catalog: {
      locationDirectory: absolutePath(
        section?.getOptionalString('catalog.locationDirectory'),
      ),
    },
    gke,
  };
}
