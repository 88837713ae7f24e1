import { ClusterManagerClient } from '@google-cloud/container';
import type {
  GkeClusterStatus,
  GkeNodePoolStatus,
} from '@gpu-platform/backstage-plugin-gpu-cluster-common';
import {
  gkeClusterManagerOptions,
  type ClusterManagerClientOptions,
} from '@gpu-platform/backstage-plugin-gpu-cluster-node';
import type { GkeConnectionConfig } from './config';

const num = (v: unknown): number | undefined =>
  v === undefined || v === null || v === '' ? undefined : Number(v);

/** Maps a google.container.v1.Cluster to the status model (enums arrive as strings over gRPC). */
export function toGkeClusterStatus(
  gke: GkeConnectionConfig,
  cluster: any,
): GkeClusterStatus {
  const pools: GkeNodePoolStatus[] = (cluster.nodePools ?? []).map(
    (p: any): GkeNodePoolStatus => {
      const accel = p.config?.accelerators?.[0];
      return {
        name: p.name,
        status: String(p.status ?? 'STATUS_UNSPECIFIED'),
        statusMessage: p.statusMessage || undefined,
        machineType: p.config?.machineType || undefined,
        acceleratorType: accel?.acceleratorType || undefined,
        acceleratorCount: num(accel?.acceleratorCount),
        flexStart: Boolean(p.config?.flexStart),
        queuedProvisioning: Boolean(p.queuedProvisioning?.enabled),
        spot: Boolean(p.config?.spot),
        maxRunDuration: p.config?.maxRunDuration?.seconds
          ? `${p.config.maxRunDuration.seconds}s`
          : undefined,
        autoscaling: p.autoscaling
          ? {
              enabled: Boolean(p.autoscaling.enabled),
              minNodeCount: num(p.autoscaling.minNodeCount),
              maxNodeCount: num(p.autoscaling.maxNodeCount),
              totalMinNodeCount: num(p.autoscaling.totalMinNodeCount),
              totalMaxNodeCount: num(p.autoscaling.totalMaxNodeCount),
              locationPolicy: p.autoscaling.locationPolicy || undefined,
            }
          : undefined,
        locations: p.locations ?? [],
        additionalNetworks: (
          p.networkConfig?.additionalNodeNetworkConfigs ?? []
        ).map((n: any) => n.network),
        additionalNodeNetworks: (
          p.networkConfig?.additionalNodeNetworkConfigs ?? []
        ).map((n: any) => ({
          network: String(n.network ?? ''),
          subnetwork: String(n.subnetwork ?? ''),
        })),
        nodeCount: 0,
      };
    },
  );
  return {
    name: cluster.name,
    location: cluster.location ?? gke.location,
    projectId: gke.projectId,
    status: String(cluster.status ?? 'STATUS_UNSPECIFIED'),
    statusMessage: cluster.statusMessage || undefined,
    conditions: (cluster.conditions ?? []).map((c: any) => ({
      code: c.code ? String(c.code) : undefined,
      message: c.message || undefined,
    })),
    currentMasterVersion: cluster.currentMasterVersion || undefined,
    currentNodeVersion: cluster.currentNodeVersion || undefined,
    releaseChannel: cluster.releaseChannel?.channel
      ? String(cluster.releaseChannel.channel)
      : undefined,
    privateEndpoint: cluster.privateClusterConfig
      ? Boolean(cluster.privateClusterConfig.enablePrivateEndpoint)
      : undefined,
    rayOperatorEnabled: cluster.addonsConfig?.rayOperatorConfig
      ? Boolean(cluster.addonsConfig.rayOperatorConfig.enabled)
      : undefined,
    multiNetworking: cluster.networkConfig
      ? Boolean(cluster.networkConfig.enableMultiNetworking)
      : undefined,
    nodePools: pools,
  };
}

/** Reads one GKE cluster (node pools included) with a single GetCluster call. */
export class GkeReader {
  private client?: ClusterManagerClient;

  constructor(
    private readonly gke: GkeConnectionConfig,
    /** Client options: the status identity, or the emulator override (default: ADC). */
    private readonly clientOptions: () => Promise<ClusterManagerClientOptions> = async () =>
      gkeClusterManagerOptions(gke.endpoint),
    private readonly timeoutMs = 8000,
  ) {}

  async read(): Promise<GkeClusterStatus> {
    this.client ??= new ClusterManagerClient(await this.clientOptions());
    const name = `projects/${this.gke.projectId}/locations/${this.gke.location}/clusters/${this.gke.clusterName}`;
    const [cluster] = await this.client.getCluster(
      { name },
      { timeout: this.timeoutMs, maxRetries: 1 },
    );
    return toGkeClusterStatus(this.gke, cluster);
  }

  async close(): Promise<void> {
    await this.client?.close();
    this.client = undefined;
  }
}
