import path from 'node:path';
import type { Config } from '@backstage/config';
import type { GpuStackSpec } from '@gpu-platform/backstage-plugin-gpu-cluster-common';
import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
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
  /**
   * The catalog entity whose status this is (`gpuCluster.clusters[].entityRef`, default
   * `resource:default/<name>`): the only entity the cluster is served for.
   */
  entityRef: string;
  kubernetes: KubernetesConnectionConfig;
  gke?: GkeConnectionConfig;
  /** Key of the cluster's informers and cache entries (default `name`). */
  key?: string;
  /**
   * The validated stack spec the Create template registered for the entity (never config or
   * annotations): what the fabric checks expect. Absent for configured clusters.
   */
  stackSpec?: GpuStackSpec;
}

/** GKE projects and locations the status API may discover clusters in. */
export interface DiscoveryAllowEntry {
  projectId: string;
  /** Locations (regions or zones); `*` allows every location of the project. */
  locations: string[];
}

/** The status API's own Google identity (read-only), distinct from the provisioning one. */
export interface StatusCredentialsConfig {
  /** Service account key file of the read-only identity. */
  keyFile?: string;
  /** Impersonate this (read-only) service account with the backend's credentials. */
  impersonateServiceAccount?: string;
}

export interface GpuClusterPluginConfig {
  clusters: GpuClusterConfig[];
  statusCacheTtlMs: number;
  gkeCacheTtlMs: number;
  /**
   * `gke`: an entity the Create GPU cluster template registered, whose cluster has no
   * `clusters` entry, is reached through GKE (within `discoveryAllowList`). `none` (default):
   * configured clusters only.
   */
  discovery: 'gke' | 'none';
  discoveryAllowList: DiscoveryAllowEntry[];
  statusCredentials?: StatusCredentialsConfig;
  /** How GKE is reached for discovered clusters. */
  gke: GkeAccessConfig;
  /**
   * Start the informers of every known cluster (configured, and registered with discovery) when
   * the plugin starts, in the background, so the first viewer meets synced informers.
   */
  warmUpAtStartup?: boolean;
}

const SERVICE_ACCOUNT_EMAIL =
  /^[a-z][a-z0-9-]{4,28}[a-z0-9]@[a-z0-9.-]+\.iam\.gserviceaccount\.com$/;

/** Reads `gpuCluster` from the root config. Secrets stay in memory, never in logs. */
export function readGpuClusterConfig(root: Config): GpuClusterPluginConfig {
  const section = root.getOptionalConfig('gpuCluster');
  const { clusters, gke } = readClusterConnections(root);
  const entries = section?.getOptionalConfigArray('clusters') ?? [];
  const discovery = section?.getOptionalString('discovery') ?? 'none';
  if (discovery !== 'gke' && discovery !== 'none') {
    throw new Error(
      `gpuCluster.discovery must be 'gke' or 'none', got '${discovery}'`,
    );
  }
  const discoveryAllowList = (
    section?.getOptionalConfigArray('discoveryAllowList') ?? []
  ).map(entry => ({
    projectId: entry.getString('projectId'),
    locations: entry.getStringArray('locations'),
  }));
  const credentials = section?.getOptionalConfig('statusCredentials');
  const statusCredentials = credentials && {
    keyFile: credentials.getOptionalString('keyFile')
      ? path.resolve(credentials.getString('keyFile'))
      : undefined,
    impersonateServiceAccount: credentials.getOptionalString(
      'impersonateServiceAccount',
    ),
  };
  if (
    statusCredentials?.impersonateServiceAccount &&
    !SERVICE_ACCOUNT_EMAIL.test(statusCredentials.impersonateServiceAccount)
  ) {
    throw new Error(
      'gpuCluster.statusCredentials.impersonateServiceAccount must be a service account email',
    );
  }
  return {
    clusters: clusters.map((cluster, i) => ({
      ...cluster,
      entityRef: stringifyEntityRef(
        parseEntityRef(
          entries[i]?.getOptionalString('entityRef') ?? cluster.name,
          { defaultKind: 'resource', defaultNamespace: 'default' },
        ),
      ),
    })),
    discovery,
    discoveryAllowList,
    statusCredentials,
    gke,
    statusCacheTtlMs:
      (section?.getOptionalNumber('statusCacheTtlSeconds') ?? 5) * 1000,
    gkeCacheTtlMs:
      (section?.getOptionalNumber('gkeCacheTtlSeconds') ?? 30) * 1000,
    warmUpAtStartup: section?.getOptionalBoolean('warmUpAtStartup') ?? true,
  };
}
