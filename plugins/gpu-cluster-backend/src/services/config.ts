import fs from 'node:fs';
import type { Config } from '@backstage/config';

/** How to reach one cluster's Kubernetes API. */
export interface KubernetesConnectionConfig {
  url: string;
  caData?: string;
  token?: string;
  tokenFile?: string;
}

/** How to reach GKE's ClusterManager for one cluster. */
export interface GkeConnectionConfig {
  projectId: string;
  location: string;
  clusterName: string;
  endpoint?: { host: string; port: number; caData?: string; token?: string };
}

/** One configured cluster (`gpuCluster.clusters[]`). */
export interface GpuClusterConfig {
  name: string;
  kubernetes: KubernetesConnectionConfig;
  gke?: GkeConnectionConfig;
}

export interface GpuClusterPluginConfig {
  clusters: GpuClusterConfig[];
  statusCacheTtlMs: number;
  gkeCacheTtlMs: number;
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
      const endpoint = gke?.getOptionalConfig('endpoint');
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
          endpoint: endpoint && {
            host: endpoint.getString('host'),
            port: endpoint.getNumber('port'),
            caData: readCa(endpoint),
            token: endpoint.getOptionalString('token'),
          },
        },
      };
    },
  );
  return {
    clusters,
    statusCacheTtlMs:
      (section?.getOptionalNumber('statusCacheTtlSeconds') ?? 5) * 1000,
    gkeCacheTtlMs:
      (section?.getOptionalNumber('gkeCacheTtlSeconds') ?? 30) * 1000,
  };
}
