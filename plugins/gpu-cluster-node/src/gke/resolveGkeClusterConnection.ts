import type { ClusterManagerClient } from '@google-cloud/container';
import { GoogleAuth } from 'google-auth-library';
import fs from 'node:fs/promises';
import { stringify } from 'yaml';
import {
  createClusterManagerClient,
  type GkeEndpointOverride,
} from './clusterManager';

/** The OAuth scope `gcloud container clusters get-credentials` asks for. @public */
export const GOOGLE_CLOUD_PLATFORM_SCOPE =
  'https://www.googleapis.com/auth/cloud-platform';

/** Which GKE cluster to reach. @public */
export interface GkeClusterRef {
  projectId: string;
  location: string;
  clusterName: string;
  /**
   * true: the control plane's private endpoint; false: its public endpoint. Unset: the DNS
   * endpoint when the cluster admits traffic on it, else the private endpoint when the cluster
   * enforces it, else the public one.
   */
  useInternalEndpoint?: boolean;
  /**
   * The DNS-based endpoint (`gke-<id>.<region>.gke.goog`, authorized by IAM). Unset: used when
   * the cluster allows external traffic on it (the stack's default) and no IP endpoint is asked for.
   */
  useDnsEndpoint?: boolean;
}

/**
 * How to reach a cluster's Kubernetes API, as `gcloud container clusters get-credentials`
 * derives it. `token` is a Google access token (about one hour): fetch a new connection per use,
 * never persist it. It is not enumerable, so logging or serialising the object leaves it out.
 *
 * @public
 */
export interface GkeClusterConnection {
  /** `https://<endpoint>` */
  url: string;
  /**
   * PEM of the cluster CA (`masterAuth.clusterCaCertificate`, decoded) for the IP endpoints;
   * absent for the DNS endpoint, whose certificate is publicly trusted (as
   * `get-credentials --dns-endpoint` writes no CA).
   */
  caData?: string;
  token: string;
  /** The cluster's GCP labels (`resourceLabels`): who owns it, which stack made it. */
  resourceLabels: Record<string, string>;
}

/** Why a connection could not be derived. @public */
export type GkeConnectionErrorReason =
  | 'NOT_FOUND'
  | 'NOT_RUNNING'
  | 'NO_ENDPOINT'
  | 'NO_CA'
  | 'PERMISSION_DENIED'
  | 'NO_TOKEN'
  | 'UNAVAILABLE';

/** A connection failure, with `reason` for callers that branch on it. @public */
export class GkeConnectionError extends Error {
  readonly name = 'GkeConnectionError';
  constructor(
    readonly reason: GkeConnectionErrorReason,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** What `resolveGkeClusterConnection` can be given instead of its production defaults. @public */
export interface GkeConnectionDependencies {
  /** Default: a client of Google's endpoint with ADC, or of `endpoint`; closed after use. */
  clusterManager?: ClusterManagerClient;
  /** ClusterManager override (emulator) used when no `clusterManager` is given. */
  endpoint?: GkeEndpointOverride;
  /** Default: ADC (`GoogleAuth` with the cloud-platform scope), cached and refreshed by it. */
  getAccessToken?: () => Promise<string>;
  /** Deadline of the GetCluster call (default 15 s). */
  timeoutMs?: number;
}

const firstLine = (error: unknown) =>
  String(
    (error as { details?: string })?.details ||
      (error as Error)?.message ||
      error,
  ).split('\n')[0];

let defaultAuth: GoogleAuth | undefined;

/**
 * Access tokens from Application Default Credentials (Workload Identity on GKE). One GoogleAuth
 * per process: it caches the token and refreshes it before it expires.
 *
 * @public
 */
export async function googleAccessToken(): Promise<string> {
  defaultAuth ??= new GoogleAuth({ scopes: [GOOGLE_CLOUD_PLATFORM_SCOPE] });
  let token: string | null | undefined;
  try {
    token = await defaultAuth.getAccessToken();
  } catch (error) {
    throw new GkeConnectionError(
      'NO_TOKEN',
      `No Google access token from Application Default Credentials: ${firstLine(
        error,
      )}`,
      { cause: error },
    );
  }
  if (!token) {
    throw new GkeConnectionError(
      'NO_TOKEN',
      'Application Default Credentials returned no access token',
    );
  }
  return token;
}

const GRPC_NOT_FOUND = 5;
const GRPC_PERMISSION_DENIED = 7;
const GRPC_UNAUTHENTICATED = 16;

const STATUS_NAMES = [
  'STATUS_UNSPECIFIED',
  'PROVISIONING',
  'RUNNING',
  'RECONCILING',
  'STOPPING',
  'ERROR',
  'DEGRADED',
];

/** Enums arrive as names over gRPC, as numbers with other client options. */
const statusName = (status: unknown) =>
  typeof status === 'number'
    ? STATUS_NAMES[status] ?? String(status)
    : String(status ?? 'STATUS_UNSPECIFIED');

/** IPv6 literals need brackets in a URL; `host:port` (the emulator) and IPv4 do not. */
const urlHost = (host: string) =>
  (host.match(/:/g) ?? []).length > 1 && !host.startsWith('[')
    ? `[${host}]`
    : host;

function pickEndpoint(
  cluster: any,
  ref: GkeClusterRef,
): { host: string | undefined; dns: boolean } {
  const dns = cluster.controlPlaneEndpointsConfig?.dnsEndpointConfig;
  const useDns =
    ref.useDnsEndpoint ??
    (ref.useInternalEndpoint === undefined &&
      Boolean(dns?.allowExternalTraffic && dns?.endpoint));
  if (useDns) return { host: dns?.endpoint || undefined, dns: true };
  const ip = cluster.controlPlaneEndpointsConfig?.ipEndpointsConfig;
  const privateEndpoint: string | undefined =
    cluster.privateClusterConfig?.privateEndpoint || ip?.privateEndpoint;
  const publicEndpoint: string | undefined =
    cluster.endpoint || ip?.publicEndpoint;
  const enforced =
    Boolean(cluster.privateClusterConfig?.enablePrivateEndpoint) ||
    ip?.enablePublicEndpoint === false;
  const internal = ref.useInternalEndpoint ?? (enforced || !publicEndpoint);
  return { host: internal ? privateEndpoint : publicEndpoint, dns: false };
}

/**
 * Derives a cluster's Kubernetes connection from GKE, as `gcloud container clusters
 * get-credentials` does: one GetCluster for the endpoint and CA, and a Google access token.
 * Throws a GkeConnectionError in plain words when the cluster does not exist, is not RUNNING yet
 * or has no usable endpoint.
 *
 * @public
 */
export async function resolveGkeClusterConnection(
  ref: GkeClusterRef,
  deps: GkeConnectionDependencies = {},
): Promise<GkeClusterConnection> {
  const path = `projects/${ref.projectId}/locations/${ref.location}/clusters/${ref.clusterName}`;
  const described = `GKE cluster ${ref.clusterName} (project ${ref.projectId}, location ${ref.location})`;
  const client =
    deps.clusterManager ?? createClusterManagerClient(deps.endpoint);
  let cluster: any;
  try {
    [cluster] = await client.getCluster(
      { name: path },
      { timeout: deps.timeoutMs ?? 15_000, maxRetries: 2 },
    );
  } catch (error) {
    const code = (error as { code?: number })?.code;
    if (code === GRPC_NOT_FOUND) {
      throw new GkeConnectionError(
        'NOT_FOUND',
        `${described} was not found (NOT_FOUND): check the name, project and location, or wait until terraform has created it`,
        { cause: error },
      );
    }
    if (code === GRPC_PERMISSION_DENIED || code === GRPC_UNAUTHENTICATED) {
      throw new GkeConnectionError(
        'PERMISSION_DENIED',
        `Not allowed to read ${described}: the backend's Google identity needs container.clusters.get (${firstLine(
          error,
        )})`,
        { cause: error },
      );
    }
    throw new GkeConnectionError(
      'UNAVAILABLE',
      `Cannot read ${described} from GKE: ${firstLine(error)}`,
      { cause: error },
    );
  } finally {
    if (!deps.clusterManager) await client.close().catch(() => {});
  }
  const status = statusName(cluster.status);
  // RECONCILING and DEGRADED clusters still serve their API; PROVISIONING ones do not yet.
  if (!['RUNNING', 'RECONCILING', 'DEGRADED'].includes(status)) {
    throw new GkeConnectionError(
      'NOT_RUNNING',
      `${described} is not running yet: its status is ${status}${
        cluster.statusMessage ? ` (${cluster.statusMessage})` : ''
      }`,
    );
  }
  const endpoint = pickEndpoint(cluster, ref);
  if (!endpoint.host) {
    let which = 'usable';
    if (endpoint.dns) which = 'DNS-based';
    else if (ref.useInternalEndpoint === false) which = 'public';
    throw new GkeConnectionError(
      'NO_ENDPOINT',
      `${described} has no ${which} control plane endpoint`,
    );
  }
  const caBase64: string | undefined = cluster.masterAuth?.clusterCaCertificate;
  if (!caBase64 && !endpoint.dns) {
    throw new GkeConnectionError(
      'NO_CA',
      `${described} reports no masterAuth.clusterCaCertificate`,
    );
  }
  const token = await (deps.getAccessToken ?? googleAccessToken)();
  const connection = {
    url: `https://${urlHost(endpoint.host)}`,
    ...(endpoint.dns
      ? {}
      : { caData: Buffer.from(caBase64!, 'base64').toString('utf8') }),
    resourceLabels: { ...(cluster.resourceLabels ?? {}) },
  } as GkeClusterConnection;
  Object.defineProperty(connection, 'token', {
    value: token,
    enumerable: false,
  });
  return connection;
}

function kubeconfigUser(connection: { token?: string; tokenFile?: string }) {
  if (connection.token) return { token: connection.token };
  if (connection.tokenFile) return { tokenFile: connection.tokenFile };
  return {};
}

/**
 * Writes a kubeconfig for a connection, from GKE or from config (mode 0600; the token reaches
 * kubectl through this file, never its command line). Delete it after use.
 *
 * @public
 */
export async function writeKubeconfigFor(
  connection: {
    url: string;
    caData?: string;
    token?: string;
    tokenFile?: string;
  },
  file: string,
  options: { name?: string } = {},
): Promise<string> {
  const name = options.name ?? 'gke';
  const kubeconfig = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      {
        name,
        cluster: {
          server: connection.url,
          ...(connection.caData
            ? {
                'certificate-authority-data': Buffer.from(
                  connection.caData,
                ).toString('base64'),
              }
            : {}),
        },
      },
    ],
    users: [{ name, user: kubeconfigUser(connection) }],
    contexts: [{ name, context: { cluster: name, user: name } }],
    'current-context': name,
  };
  await fs.writeFile(file, stringify(kubeconfig), { mode: 0o600 });
  // writeFile keeps the mode of an existing file.
  await fs.chmod(file, 0o600);
  return file;
}
