import type { Config } from '@backstage/config';
import {
  readClusterConnections,
  type ClusterConnectionConfig,
  type GkeAccessConfig,
  type KubernetesConnection,
} from '@gpu-platform/backstage-plugin-gpu-cluster-node';

/** How to reach one cluster's Kubernetes API. */
export interface KubernetesConnectionConfig extends KubernetesConnection {
  /**
   * Source of short-lived tokens (Google access tokens of a cluster discovered through GKE),
   * asked before every request; it caches and refreshes them itself.
   */
  getToken?: () => Promise<string>;
}

/** How to reach GKE's ClusterManager for one cluster. */
export type GkeConnectionConfig = NonNullable<ClusterConnectionConfig['gke']>;

/** One configured cluster (`gpuCluster.clusters[]`). */
export interface GpuClusterConfig {
  name: string;
  kubernetes: KubernetesConnectionConfig;
  gke?: GkeConnectionConfig;
  /** Key of the cluster's informers and cache entries (default `name`). */
  key?: string;
}

export interface GpuClusterPluginConfig {
  clusters: GpuClusterConfig[];
  statusCacheTtlMs: number;
  gkeCacheTtlMs: number;
  /**
   * `gke`: a catalog entity whose cluster has no `clusters` entry is reached through GKE, from
   * its project-id, location and cluster-name annotations. `none` (default): configured only.
   */
  discovery: 'gke' | 'none';
  /** How GKE is reached for discovered clusters. */
  gke: GkeAccessConfig;
}

/** Reads `gpuCluster` from the root config. Secrets stay in memory, never in logs. */
export function readGpuClusterConfig(root: Config): GpuClusterPluginConfig {
  const section = root.getOptionalConfig('gpuCluster');
  const { clusters, gke } = readClusterConnections(root);
  const discovery = section?.getOptionalString('discovery') ?? 'none';
  if (discovery !== 'gke' && discovery !== 'none') {
    throw new Error(
      `gpuCluster.discovery must be 'gke' or 'none', got '${discovery}'`,
    );
  }
  return {
    clusters,
    discovery,
    gke,
    statusCacheTtlMs:
      (section?.getOptionalNumber('statusCacheTtlSeconds') ?? 5) * 1000,
    gkeCacheTtlMs:
      (section?.getOptionalNumber('gkeCacheTtlSeconds') ?? 30) * 1000,
  };
}
