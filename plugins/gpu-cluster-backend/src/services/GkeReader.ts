import * as grpc from '@grpc/grpc-js';
import { ClusterManagerClient } from '@google-cloud/container';
import type {
  GkeClusterStatus,
  GkeNodePoolStatus,
} from '@gpu-platform/backstage-plugin-gpu-cluster-common';
import type { GkeConnectionConfig } from './config';

type ClientOptions = NonNullable<
  ConstructorParameters<typeof ClusterManagerClient>[0]
>;

/**
 * Client options: Google's endpoint with Application Default Credentials (Workload Identity in
 * production) unless an endpoint override is configured, which is then reached over TLS with
 * its CA and a static bearer token (the local emulator).
 */
export function clusterManagerOptions(gke: GkeConnectionConfig): ClientOptions {
  const endpoint = gke.endpoint;
  if (!endpoint) {
    return {};
  }
  const host =
    endpoint.host.includes(':') && !endpoint.host.startsWith('[')
      ? `[${endpoint.host}]`
      : endpoint.host;
  let creds = endpoint.caData
    ? grpc.credentials.createSsl(Buffer.from(endpoint.caData))
    : grpc.credentials.createInsecure();
  const token = endpoint.token;
  if (endpoint.caData && token) {
    creds = grpc.credentials.combineChannelCredentials(
      creds,
      grpc.credentials.createFromMetadataGenerator((_p, callback) => {
        const metadata = new grpc.Metadata();
        metadata.set('authorization', `Bearer ${token}`);
        callback(null, metadata);
      }),
    );
  }
  const options: Record<string, unknown> = {
    servicePath: host,
    apiEndpoint: host,
    port: endpoint.port,
    fallback: false,
    universeDomain: 'googleapis.com',
    sslCreds: creds,
  };
  if (endpoint.caData && /^[\d.]+$|:/.test(endpoint.host)) {
    // SNI cannot carry an IP address; verify the certificate's localhost name instead.
    options['grpc.ssl_target_name_override'] = 'localhost';
  }
  return options as ClientOptions;
}

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
    private readonly timeoutMs = 8000,
  ) {}

  async read(): Promise<GkeClusterStatus> {
    this.client ??= new ClusterManagerClient(clusterManagerOptions(this.gke));
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
