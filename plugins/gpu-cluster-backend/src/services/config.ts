import fs from 'node:fs';
import type { Config } from '@backstage/config';
import {
  readGkeEndpointOverride,
  type GkeEndpointOverride,
} from '@gpu-platform/backstage-plugin-gpu-cluster-node';

/** How to reach one cluster's Kubernetes API. */
export interface KubernetesConnectionConfig {
  url: string;
  caData?: string;
  token?: string;
  tokenFile?: string;
  /**
   * Source of short-lived tokens (Google access tokens of a cluster discovered through GKE),
   * asked before every request; it caches and refreshes them itself.
   */
  getToken?: () => Promise<string>;
}

/** How to reach GKE's ClusterManager for one cluster. */
export interface GkeConnectionConfig {
  projectId: string;
  location: string;
  clusterName: string;
  endpoint?: GkeEndpointOverride;
}

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
  gke: { endpoint?: GkeEndpointOverride; useInternalEndpoint?: boolean };
}

const readCa = (c: Config): string | undefined => {
  const inline = c.getOptionalString('caData');
  if (inline) {
    return inline;
  }
  const file = c.getOptionalString('caFile');
  return file ? fs.readFileSync(file, 'utf8') : undefined;
};

/** Reads `gpuCluster` from the root config. Secrets stay in memory, never in logs. */
export function readGpuClusterConfig(root: Config): GpuClusterPluginConfig {
  const section = root.getOptionalConfig('gpuCluster');
  const clusters = (section?.getOptionalConfigArray('clusters') ?? []).map(
    (c): GpuClusterConfig => {
      const name = c.getString('name');
      const kube = c.getConfig('kubernetes');
      const gke = c.getOptionalConfig('gke');
      return {
        name,
        kubernetes: {
          url: kube.getString('url'),
          caData: readCa(kube),
          token: kube.getOptionalString('token'),
          tokenFile: kube.getOptionalString('tokenFile'),
        },
        gke: gke && {
          projectId: gke.getString('projectId'),
          location: gke.getString('location'),
          clusterName: gke.getOptionalString('clusterName') ?? name,
          endpoint: readGkeEndpointOverride(gke.getOptionalConfig('endpoint')),
        },
      };
    },
  );
  const discovery = section?.getOptionalString('discovery') ?? 'none';
  if (discovery !== 'gke' && discovery !== 'none') {
    throw new Error(
      `gpuCluster.discovery must be 'gke' or 'none', got '${discovery}'`,
    );
  }
  const gke = section?.getOptionalConfig('gke');
  return {
    clusters,
    discovery,
    gke: {
      endpoint: readGkeEndpointOverride(gke?.getOptionalConfig('endpoint')),
      useInternalEndpoint: gke?.getOptionalBoolean('useInternalEndpoint'),
    },
    statusCacheTtlMs:
      (section?.getOptionalNumber('statusCacheTtlSeconds') ?? 5) * 1000,
    gkeCacheTtlMs:
      (section?.getOptionalNumber('gkeCacheTtlSeconds') ?? 30) * 1000,
  };
}
