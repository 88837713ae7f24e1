import { createHash } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import type { protos } from '@google-cloud/container';
import { DEFAULT_GKE_VERSION, resolveVersion } from './versions';

export { DEFAULT_GKE_VERSION };

export type Cluster = protos.google.container.v1.ICluster;
export type NodePool = protos.google.container.v1.INodePool;
export type Operation = protos.google.container.v1.IOperation;

const API_ROOT = 'https://container.googleapis.com/v1';
const COMPUTE_ROOT = 'https://www.googleapis.com/compute/v1';

/** An error the gRPC layer returns with the given status code, worded as GKE words it. */
export class GkeApiError extends Error {
  constructor(readonly code: grpc.status, message: string) {
    super(message);
    this.name = 'GkeApiError';
  }
}

export const notFound = (resource: string) =>
  new GkeApiError(grpc.status.NOT_FOUND, `Not found: ${resource}.`);
export const alreadyExists = (resource: string) =>
  new GkeApiError(grpc.status.ALREADY_EXISTS, `Already exists: ${resource}.`);
export const invalidArgument = (message: string) =>
  new GkeApiError(grpc.status.INVALID_ARGUMENT, message);

// GKE's own rule for cluster and node pool names: lowercase letters, digits and hyphens,
// starting with a letter, ending with a letter or digit, at most 40 characters.
const RESOURCE_NAME = /^[a-z](?:[-a-z0-9]{0,38}[a-z0-9])?$/;
const PROJECT_ID = /^[a-z][-a-z0-9]{4,28}[a-z0-9]$/;
const LOCATION = /^[a-z]+-[a-z]+[0-9]+(?:-[a-z])?$/;

export function validateResourceName(
  field: string,
  value: string | null | undefined,
): string {
  if (!value || !RESOURCE_NAME.test(value)) {
    throw invalidArgument(
      `Invalid value for field "${field}": "${
        value ?? ''
      }". Must be a match of regex ` +
        `'(?:[a-z](?:[-a-z0-9]{0,38}[a-z0-9])?)' (only alphanumerics and '-' allowed, must ` +
        `start with a letter and end with an alphanumeric, and must be no longer than 40 characters).`,
    );
  }
  return value;
}

export interface LocationRef {
  project: string;
  /** A region, a zone, or `-` for every location of the project. */
  location: string;
}

export interface ClusterRef extends LocationRef {
  cluster: string;
}

export interface NodePoolRef extends ClusterRef {
  nodePool: string;
}

export interface OperationRef extends LocationRef {
  operation: string;
}

function checkProjectAndLocation(
  ref: LocationRef,
  allowAllLocations: boolean,
): void {
  if (!PROJECT_ID.test(ref.project)) {
    throw invalidArgument(`Invalid project ID "${ref.project}".`);
  }
  if (
    !(
      LOCATION.test(ref.location) ||
      (allowAllLocations && ref.location === '-')
    )
  ) {
    throw invalidArgument(
      `Location "${ref.location}" is not a valid GKE region or zone.`,
    );
  }
}

interface NameFields {
  name?: string | null;
  parent?: string | null;
  projectId?: string | null;
  zone?: string | null;
  clusterId?: string | null;
  nodePoolId?: string | null;
  operationId?: string | null;
}

/**
 * Resolves `projects/{p}/locations/{l}` from `parent` (or `name` for list calls) or the
 * deprecated projectId/zone fields, as the real API still accepts both.
 */
export function parseLocation(
  req: NameFields,
  field: 'parent' | 'name' = 'parent',
): LocationRef {
  const text = req[field];
  let ref: LocationRef;
  if (text) {
    const m = /^projects\/([^/]+)\/locations\/([^/]+)$/.exec(text);
    if (!m) {
      throw invalidArgument(
        `Invalid value for field "${field}": "${text}". Expected "projects/*/locations/*".`,
      );
    }
    ref = { project: m[1], location: m[2] };
  } else if (req.projectId && req.zone) {
    ref = { project: req.projectId, location: req.zone };
  } else {
    throw invalidArgument(`Required field "${field}" is missing.`);
  }
  checkProjectAndLocation(ref, true);
  return ref;
}

export function parseClusterName(
  req: NameFields,
  field: 'name' | 'parent' = 'name',
): ClusterRef {
  const text = req[field];
  let ref: ClusterRef;
  if (text) {
    const m = /^projects\/([^/]+)\/locations\/([^/]+)\/clusters\/([^/]+)$/.exec(
      text,
    );
    if (!m) {
      throw invalidArgument(
        `Invalid value for field "${field}": "${text}". Expected "projects/*/locations/*/clusters/*".`,
      );
    }
    ref = { project: m[1], location: m[2], cluster: m[3] };
  } else if (req.projectId && req.zone && req.clusterId) {
    ref = {
      project: req.projectId,
      location: req.zone,
      cluster: req.clusterId,
    };
  } else {
    throw invalidArgument(`Required field "${field}" is missing.`);
  }
  checkProjectAndLocation(ref, false);
  validateResourceName('cluster_id', ref.cluster);
  return ref;
}

export function parseNodePoolName(req: NameFields): NodePoolRef {
  let ref: NodePoolRef;
  if (req.name) {
    const m =
      /^projects\/([^/]+)\/locations\/([^/]+)\/clusters\/([^/]+)\/nodePools\/([^/]+)$/.exec(
        req.name,
      );
    if (!m) {
      throw invalidArgument(
        `Invalid value for field "name": "${req.name}". Expected "projects/*/locations/*/clusters/*/nodePools/*".`,
      );
    }
    ref = { project: m[1], location: m[2], cluster: m[3], nodePool: m[4] };
  } else if (req.projectId && req.zone && req.clusterId && req.nodePoolId) {
    ref = {
      project: req.projectId,
      location: req.zone,
      cluster: req.clusterId,
      nodePool: req.nodePoolId,
    };
  } else {
    throw invalidArgument('Required field "name" is missing.');
  }
  checkProjectAndLocation(ref, false);
  validateResourceName('cluster_id', ref.cluster);
  validateResourceName('node_pool_id', ref.nodePool);
  return ref;
}

export function parseOperationName(req: NameFields): OperationRef {
  let ref: OperationRef;
  if (req.name) {
    const m =
      /^projects\/([^/]+)\/locations\/([^/]+)\/operations\/([^/]+)$/.exec(
        req.name,
      );
    if (!m) {
      throw invalidArgument(
        `Invalid value for field "name": "${req.name}". Expected "projects/*/locations/*/operations/*".`,
      );
    }
    ref = { project: m[1], location: m[2], operation: m[3] };
  } else if (req.projectId && req.zone && req.operationId) {
    ref = {
      project: req.projectId,
      location: req.zone,
      operation: req.operationId,
    };
  } else {
    throw invalidArgument('Required field "name" is missing.');
  }
  checkProjectAndLocation(ref, false);
  return ref;
}

export const locationPath = (r: LocationRef) =>
  `projects/${r.project}/locations/${r.location}`;
export const clusterPath = (r: ClusterRef) =>
  `${locationPath(r)}/clusters/${r.cluster}`;
export const nodePoolPath = (r: NodePoolRef) =>
  `${clusterPath(r)}/nodePools/${r.nodePool}`;
export const operationPath = (r: OperationRef) =>
  `${locationPath(r)}/operations/${r.operation}`;
export const selfLink = (resourcePath: string) => `${API_ROOT}/${resourcePath}`;

export const isRegion = (location: string) =>
  /^[a-z]+-[a-z]+[0-9]+$/.test(location);
export const regionOf = (location: string) =>
  isRegion(location) ? location : location.replace(/-[a-z]$/, '');

/** Stable hex derived from the inputs, so generated ids and addresses repeat across runs. */
export function stableHex(length: number, ...parts: string[]): string {
  return createHash('sha256')
    .update(parts.join('\0'))
    .digest('hex')
    .slice(0, length);
}

/** Fills what GKE computes for a node pool (links, version, status, defaults). */
export function materializeNodePool(
  cluster: ClusterRef,
  clusterLocations: string[],
  version: string,
  input: NodePool,
): NodePool {
  const name = validateResourceName('node_pool.name', input.name);
  const ref: NodePoolRef = { ...cluster, nodePool: name };
  const locations = input.locations?.length
    ? [...input.locations]
    : [...clusterLocations];
  const suffix = stableHex(8, clusterPath(cluster), name);
  const config = input.config ?? {};
  // proto3 drops false booleans on the wire: a `management` message that is present means
  // exactly what it says (absent fields are false); only an absent one gets GKE's defaults.
  const management = input.management
    ? {
        autoUpgrade: Boolean(input.management.autoUpgrade),
        autoRepair: Boolean(input.management.autoRepair),
      }
    : { autoUpgrade: true, autoRepair: true };
  return {
    ...input,
    name,
    config: {
      machineType: 'e2-medium',
      diskSizeGb: 100,
      diskType: 'pd-balanced',
      imageType: 'COS_CONTAINERD',
      oauthScopes: ['https://www.googleapis.com/auth/cloud-platform'],
      serviceAccount: 'default',
      ...config,
      metadata: {
        'disable-legacy-endpoints': 'true',
        ...(config.metadata ?? {}),
      },
    },
    initialNodeCount:
      input.initialNodeCount ?? (input.autoscaling?.enabled ? 0 : 3),
    locations,
    selfLink: selfLink(nodePoolPath(ref)),
    version:
      input.version && input.version !== '-'
        ? resolveVersion(input.version, undefined) ?? input.version
        : version,
    instanceGroupUrls: locations.map(
      zone =>
        `${COMPUTE_ROOT}/projects/${
          cluster.project
        }/zones/${zone}/instanceGroupManagers/gke-${cluster.cluster.slice(
          0,
          14,
        )}-${name.slice(0, 14)}-${suffix}-grp`,
    ),
    status: 'PROVISIONING',
    statusMessage: '',
    conditions: input.conditions ?? [],
    management,
    podIpv4CidrSize: input.podIpv4CidrSize ?? 24,
    maxPodsConstraint: input.maxPodsConstraint ?? { maxPodsPerNode: '110' },
    upgradeSettings: input.upgradeSettings ?? {
      maxSurge: 1,
      maxUnavailable: 0,
      strategy: 'SURGE',
    },
    etag: stableHex(16, 'etag', nodePoolPath(ref)),
  };
}

function nodeLocationsFor(
  location: string,
  requested?: string[] | null,
): string[] {
  if (requested?.length) {
    return [...requested];
  }
  return isRegion(location)
    ? ['a', 'b', 'c'].map(z => `${location}-${z}`)
    : [location];
}

/** First usable address of a CIDR block (GKE gives the control plane the .2 address). */
function controlPlaneAddress(cidr: string): string {
  const [base] = cidr.split('/');
  const octets = base.split('.').map(Number);
  octets[3] += 2;
  return octets.join('.');
}

/**
 * Fills what GKE computes for a cluster: links, endpoint, versions, node locations,
 * network defaults, and the default node pool when the request names none.
 */
export function materializeCluster(
  location: LocationRef,
  input: Cluster,
  createTime: string,
  options: { caPem?: string } = {},
): Cluster {
  const name = validateResourceName('cluster.name', input.name);
  const ref: ClusterRef = { ...location, cluster: name };
  const region = regionOf(location.location);
  const channel = String(input.releaseChannel?.channel ?? '');
  const version =
    resolveVersion(input.initialClusterVersion, channel) ??
    input.initialClusterVersion ??
    DEFAULT_GKE_VERSION;
  const locations = nodeLocationsFor(location.location, input.locations);
  const poolInputs: NodePool[] = input.nodePools?.length
    ? input.nodePools
    : [
        {
          name: 'default-pool',
          config: input.nodeConfig ?? {},
          initialNodeCount: input.initialNodeCount ?? 3,
        },
      ];
  const seen = new Set<string>();
  for (const pool of poolInputs) {
    if (pool.name && seen.has(pool.name)) {
      throw invalidArgument(
        `Node pool "${pool.name}" appears more than once in the request.`,
      );
    }
    seen.add(pool.name ?? '');
  }
  const nodePools = poolInputs.map(pool =>
    materializeNodePool(ref, locations, version, pool),
  );
  const privateConfig = input.privateClusterConfig;
  const privateEndpoint = privateConfig?.masterIpv4CidrBlock
    ? controlPlaneAddress(privateConfig.masterIpv4CidrBlock)
    : undefined;
  const publicEndpoint = `34.${parseInt(
    stableHex(2, name, 'a'),
    16,
  )}.${parseInt(stableHex(2, name, 'b'), 16)}.${
    parseInt(stableHex(2, name, 'c'), 16) || 1
  }`;
  const endpoint =
    privateConfig?.enablePrivateEndpoint && privateEndpoint
      ? privateEndpoint
      : publicEndpoint;
  const network = input.network || 'default';
  const subnetwork = input.subnetwork || network;
  const currentNodeCount = nodePools.reduce(
    (sum, pool) =>
      sum + (pool.initialNodeCount ?? 0) * (pool.locations?.length ?? 1),
    0,
  );
  return {
    ...input,
    name,
    nodePools,
    nodeConfig: undefined,
    initialNodeCount: undefined,
    locations,
    location: location.location,
    zone: location.location,
    selfLink: selfLink(clusterPath(ref)),
    id: stableHex(32, clusterPath(ref), createTime),
    endpoint,
    privateClusterConfig: privateConfig
      ? {
          ...privateConfig,
          privateEndpoint,
          publicEndpoint: privateConfig.enablePrivateEndpoint
            ? undefined
            : publicEndpoint,
          peeringName: `gke-n${stableHex(17, name, 'peer')}-peer`,
        }
      : undefined,
    initialClusterVersion: version,
    currentMasterVersion: version,
    currentNodeVersion: version,
    createTime,
    // GKE returns the cluster CA base64-encoded; clients build their kubeconfig from it.
    masterAuth: {
      ...(input.masterAuth ?? {}),
      clusterCaCertificate:
        input.masterAuth?.clusterCaCertificate ||
        (options.caPem ? Buffer.from(options.caPem).toString('base64') : ''),
    },
    controlPlaneEndpointsConfig: input.controlPlaneEndpointsConfig
      ? {
          ...input.controlPlaneEndpointsConfig,
          dnsEndpointConfig: {
            ...(input.controlPlaneEndpointsConfig.dnsEndpointConfig ?? {}),
            endpoint: `gke-${stableHex(32, clusterPath(ref))}-${parseInt(
              stableHex(8, location.project),
              16,
            )}.${location.location}.gke.goog`,
          },
        }
      : undefined,
    status: 'PROVISIONING',
    statusMessage: '',
    conditions: input.conditions ?? [],
    network,
    subnetwork,
    networkConfig: {
      datapathProvider: 'LEGACY_DATAPATH',
      ...(input.networkConfig ?? {}),
      network: `projects/${location.project}/global/networks/${network}`,
      subnetwork: `projects/${location.project}/regions/${region}/subnetworks/${subnetwork}`,
    },
    clusterIpv4Cidr: input.clusterIpv4Cidr || '10.4.0.0/14',
    servicesIpv4Cidr: '34.118.224.0/20',
    nodeIpv4CidrSize: 24,
    loggingService: input.loggingService || 'logging.googleapis.com/kubernetes',
    monitoringService:
      input.monitoringService || 'monitoring.googleapis.com/kubernetes',
    labelFingerprint: stableHex(
      8,
      'labels',
      JSON.stringify(input.resourceLabels ?? {}),
    ),
    currentNodeCount,
    instanceGroupUrls: nodePools.flatMap(pool => pool.instanceGroupUrls ?? []),
  };
}
