import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '@backstage/config';
import {
  readGkeEndpointOverride,
  type GkeEndpointOverride,
} from '../gke/clusterManager';

/** How to reach one cluster's Kubernetes API (`gpuCluster.clusters[].kubernetes`). @public */
export interface KubernetesConnection {
  url: string;
  /** PEM of the cluster CA (`caData`, or the contents of `caFile`). */
  caData?: string;
  token?: string;
  /** Absolute path of a file holding the token (read by the client on use). */
  tokenFile?: string;
}

/** One `gpuCluster.clusters[]` entry. @public */
export interface ClusterConnectionConfig {
  name: string;
  kubernetes: KubernetesConnection;
  gke?: {
    projectId: string;
    location: string;
    clusterName: string;
    endpoint?: GkeEndpointOverride;
  };
}

/** How GKE is reached for clusters known only to GKE (`gpuCluster.gke`). @public */
export interface GkeAccessConfig {
  endpoint?: GkeEndpointOverride;
  useInternalEndpoint?: boolean;
}

/**
 * Reads the cluster connections every gpu-cluster package shares: `gpuCluster.clusters[]` and
 * `gpuCluster.gke`. Paths are relative to the backend's working directory, as Backstage's own
 * are; CA files are read once here. Secrets stay in memory, never in logs.
 * @public
 */
export function readClusterConnections(root: Config): {
  clusters: ClusterConnectionConfig[];
  gke: GkeAccessConfig;
} {
  const section = root.getOptionalConfig('gpuCluster');
  const clusters = (section?.getOptionalConfigArray('clusters') ?? []).map(
    (c): ClusterConnectionConfig => {
      const name = c.getString('name');
      const kube = c.getConfig('kubernetes');
      const caFile = kube.getOptionalString('caFile');
      const tokenFile = kube.getOptionalString('tokenFile');
      const gke = c.getOptionalConfig('gke');
      return {
        name,
        kubernetes: {
          url: kube.getString('url'),
          caData:
            kube.getOptionalString('caData') ??
            (caFile ? fs.readFileSync(caFile, 'utf8') : undefined),
          token: kube.getOptionalString('token'),
          tokenFile: tokenFile ? path.resolve(tokenFile) : undefined,
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
  const gke = section?.getOptionalConfig('gke');
  return {
    clusters,
    gke: {
      endpoint: readGkeEndpointOverride(gke?.getOptionalConfig('endpoint')),
      useInternalEndpoint: gke?.getOptionalBoolean('useInternalEndpoint'),
    },
  };
}
