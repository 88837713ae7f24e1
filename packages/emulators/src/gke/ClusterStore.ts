import { randomUUID } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import type { protos } from '@google-cloud/container';
import { Clock } from '../clock';
import {
  Cluster,
  ClusterRef,
  GkeApiError,
  LocationRef,
  NodePool,
  NodePoolRef,
  Operation,
  OperationRef,
  alreadyExists,
  clusterPath,
  materializeCluster,
  materializeNodePool,
  nodePoolPath,
  notFound,
  operationPath,
  selfLink,
  stableHex,
} from './resources';
import { checkCluster, checkNodePool } from './rules';
import { resolveVersion } from './versions';

type OperationType =
  | 'CREATE_CLUSTER'
  | 'DELETE_CLUSTER'
  | 'UPDATE_CLUSTER'
  | 'UPGRADE_MASTER'
  | 'SET_LABELS'
  | 'CREATE_NODE_POOL'
  | 'DELETE_NODE_POOL'
  | 'UPGRADE_NODES'
  | 'SET_NODE_POOL_MANAGEMENT'
  | 'SET_NODE_POOL_SIZE';

type ClusterUpdate = protos.google.container.v1.IClusterUpdate;
type UpdateNodePoolRequest = protos.google.container.v1.IUpdateNodePoolRequest;

/** Progress metrics GKE reports per operation kind, in the order the work happens. */
const PROGRESS_STAGES: Record<OperationType, string[]> = {
  CREATE_CLUSTER: [
    'CLUSTER_CONFIGURING',
    'CLUSTER_DEPLOYING',
    'CLUSTER_HEALTHCHECKING',
  ],
  DELETE_CLUSTER: ['CLUSTER_DELETING'],
  UPDATE_CLUSTER: ['CLUSTER_CONFIGURING'],
  UPGRADE_MASTER: ['CLUSTER_UPGRADING'],
  SET_LABELS: ['CLUSTER_CONFIGURING'],
  CREATE_NODE_POOL: ['NODE_POOL_CONFIGURING', 'NODE_POOL_DEPLOYING'],
  DELETE_NODE_POOL: ['NODE_POOL_DELETING'],
  UPGRADE_NODES: ['NODE_POOL_UPDATING'],
  SET_NODE_POOL_MANAGEMENT: ['NODE_POOL_CONFIGURING'],
  SET_NODE_POOL_SIZE: ['NODE_POOL_RESIZING'],
};
/** Work items per stage; the numbers only need to look like GKE's, not match them. */
const STAGE_TOTAL = 10;

interface Transition {
  at: number;
  apply: () => void;
}

interface TrackedOperation {
  ref: OperationRef;
  type: OperationType;
  clusterKey: string;
  targetPath: string;
  startedAt: number;
  doneAt?: number;
  /** When the operation is expected to finish, for progress figures. */
  plannedDoneAt: number;
  status: 'PENDING' | 'RUNNING' | 'DONE';
  transitions: Transition[];
}

export interface ClusterStoreOptions {
  clock: Clock;
  /** Duration of each operation phase: PENDING lasts one step, RUNNING two. */
  operationStepMs: number;
  /** PEM of the CA GKE reports as `masterAuth.clusterCaCertificate` for new clusters. */
  clusterCaPem?: string;
  /** Called once a cluster's deletion has finished (to stop what serves its control plane). */
  onClusterDeleted?: (path: string) => void;
}

/**
 * ClusterUpdate fields the emulator applies, each onto the cluster field it sets. The proto
 * (ClusterUpdate): "Exactly one update can be applied to a cluster with each request, so at most
 * one field can be provided" — `desired_node_pool_id` only selects the pool.
 */
const CLUSTER_UPDATE_FIELDS: Record<string, (c: Cluster, v: any) => void> = {
  desiredReleaseChannel: (c, v) => {
    c.releaseChannel = v;
  },
  desiredAddonsConfig: (c, v) => {
    c.addonsConfig = { ...(c.addonsConfig ?? {}), ...v };
  },
  desiredMasterAuthorizedNetworksConfig: (c, v) => {
    c.masterAuthorizedNetworksConfig = v;
  },
  desiredLoggingConfig: (c, v) => {
    c.loggingConfig = v;
  },
  desiredMonitoringConfig: (c, v) => {
    c.monitoringConfig = v;
  },
  desiredWorkloadIdentityConfig: (c, v) => {
    c.workloadIdentityConfig = v;
  },
  desiredControlPlaneEndpointsConfig: (c, v) => {
    c.controlPlaneEndpointsConfig = {
      ...(c.controlPlaneEndpointsConfig ?? {}),
      ...v,
    };
  },
  desiredEnableMultiNetworking: (c, v) => {
    c.networkConfig = { ...(c.networkConfig ?? {}), enableMultiNetworking: v };
  },
  desiredDatapathProvider: (c, v) => {
    c.networkConfig = { ...(c.networkConfig ?? {}), datapathProvider: v };
  },
  desiredGcfsConfig: (c, v) => {
    c.nodePoolDefaults = {
      ...(c.nodePoolDefaults ?? {}),
      nodeConfigDefaults: {
        ...(c.nodePoolDefaults?.nodeConfigDefaults ?? {}),
        gcfsConfig: v,
      },
    };
  },
};

/**
 * In-memory GKE control plane: clusters with their node pools, and the long-running
 * operations that change them. State advances lazily from the clock on every call, so a
 * manual clock gives fully deterministic progress.
 */
export class ClusterStore {
  private readonly clusters = new Map<
    string,
    { ref: ClusterRef; cluster: Cluster }
  >();
  private readonly operations: TrackedOperation[] = [];

  constructor(private readonly options: ClusterStoreOptions) {}

  // ---- seeding, for fixtures and scenario tests --------------------------------------

  /** Puts a cluster directly in the RUNNING state (or the status it carries), no operation. */
  seedCluster(location: LocationRef, input: Cluster): Cluster {
    const cluster = this.materializeChecked(location, input);
    const ref: ClusterRef = { ...location, cluster: cluster.name! };
    const key = clusterPath(ref);
    if (this.clusters.has(key)) {
      throw alreadyExists(key);
    }
    // A seed may pin the control plane address (e.g. a local Kubernetes emulator's host:port).
    if (input.endpoint) cluster.endpoint = input.endpoint;
    const privateEndpoint = input.privateClusterConfig?.privateEndpoint;
    if (privateEndpoint && cluster.privateClusterConfig) {
      cluster.privateClusterConfig.privateEndpoint = privateEndpoint;
    }
    const dnsEndpoint =
      input.controlPlaneEndpointsConfig?.dnsEndpointConfig?.endpoint;
    if (dnsEndpoint && cluster.controlPlaneEndpointsConfig?.dnsEndpointConfig) {
      cluster.controlPlaneEndpointsConfig.dnsEndpointConfig.endpoint =
        dnsEndpoint;
    }
    cluster.status = input.status ?? 'RUNNING';
    cluster.statusMessage = input.statusMessage ?? '';
    for (const pool of cluster.nodePools ?? []) {
      const original = input.nodePools?.find(p => p.name === pool.name);
      pool.status = original?.status ?? 'RUNNING';
      pool.statusMessage = original?.statusMessage ?? '';
    }
    this.clusters.set(key, { ref, cluster });
    return structuredClone(cluster);
  }

  /** Overrides status fields of an existing cluster or node pool (scenario tests). */
  patchStatus(
    path: string,
    patch:
      | Pick<Cluster, 'status' | 'statusMessage' | 'conditions'>
      | Pick<NodePool, 'status' | 'statusMessage' | 'conditions'>,
  ): void {
    this.settle();
    const m =
      /^(projects\/[^/]+\/locations\/[^/]+\/clusters\/[^/]+)(?:\/nodePools\/([^/]+))?$/.exec(
        path,
      );
    const entry = m && this.clusters.get(m[1]);
    if (!m || !entry) {
      throw notFound(path);
    }
    const target: Cluster | NodePool | undefined = m[2]
      ? entry.cluster.nodePools?.find(p => p.name === m[2])
      : entry.cluster;
    if (!target) {
      throw notFound(path);
    }
    Object.assign(target, patch);
  }

  // ---- reads --------------------------------------------------------------------------

  listClusters(location: LocationRef): Cluster[] {
    this.settle();
    return [...this.clusters.values()]
      .filter(({ ref }) => inLocation(ref, location))
      .map(({ cluster }) => structuredClone(cluster));
  }

  getCluster(ref: ClusterRef): Cluster {
    this.settle();
    return structuredClone(this.requireCluster(ref).cluster);
  }

  listNodePools(ref: ClusterRef): NodePool[] {
    this.settle();
    return structuredClone(this.requireCluster(ref).cluster.nodePools ?? []);
  }

  getNodePool(ref: NodePoolRef): NodePool {
    this.settle();
    const pool = this.requireCluster(ref).cluster.nodePools?.find(
      p => p.name === ref.nodePool,
    );
    if (!pool) {
      throw notFound(nodePoolPath(ref));
    }
    return structuredClone(pool);
  }

  listOperations(location: LocationRef): Operation[] {
    this.settle();
    return this.operations
      .filter(op => inLocation(op.ref, location))
      .map(op => this.view(op));
  }

  getOperation(ref: OperationRef): Operation {
    this.settle();
    const op = this.operations.find(
      o =>
        o.ref.operation === ref.operation &&
        o.ref.project === ref.project &&
        o.ref.location === ref.location,
    );
    if (!op) {
      throw notFound(operationPath(ref));
    }
    return this.view(op);
  }

  // ---- mutations ----------------------------------------------------------------------

  createCluster(location: LocationRef, input: Cluster): Operation {
    this.settle();
    const cluster = this.materializeChecked(location, input);
    const ref: ClusterRef = { ...location, cluster: cluster.name! };
    const key = clusterPath(ref);
    if (this.clusters.has(key)) {
      throw alreadyExists(key);
    }
    this.clusters.set(key, { ref, cluster });
    const op = this.startOperation(ref, 'CREATE_CLUSTER', key, () => {
      cluster.status = 'RUNNING';
      for (const pool of cluster.nodePools ?? []) {
        pool.status = 'RUNNING';
      }
    });
    return this.view(op);
  }

  deleteCluster(ref: ClusterRef): Operation {
    this.settle();
    const key = clusterPath(ref);
    const entry = this.requireCluster(ref);
    this.assertNoOperation(key);
    entry.cluster.status = 'STOPPING';
    for (const pool of entry.cluster.nodePools ?? []) {
      pool.status = 'STOPPING';
    }
    const op = this.startOperation(ref, 'DELETE_CLUSTER', key, () => {
      this.clusters.delete(key);
      this.options.onClusterDeleted?.(key);
    });
    return this.view(op);
  }

  createNodePool(clusterRef: ClusterRef, input: NodePool): Operation {
    this.settle();
    const { cluster } = this.requireCluster(clusterRef);
    const key = clusterPath(clusterRef);
    const pool = materializeNodePool(
      clusterRef,
      cluster.locations ?? [],
      cluster.currentNodeVersion ?? cluster.currentMasterVersion ?? '',
      input,
    );
    const ref: NodePoolRef = { ...clusterRef, nodePool: pool.name! };
    if (cluster.nodePools?.some(p => p.name === pool.name)) {
      throw alreadyExists(nodePoolPath(ref));
    }
    this.assertNoOperation(key);
    checkNodePool(cluster, pool);
    cluster.nodePools = [...(cluster.nodePools ?? []), pool];
    cluster.instanceGroupUrls = [
      ...(cluster.instanceGroupUrls ?? []),
      ...(pool.instanceGroupUrls ?? []),
    ];
    // GKE reports the cluster as RECONCILING while one of its node pools changes.
    cluster.status = 'RECONCILING';
    const op = this.startOperation(
      ref,
      'CREATE_NODE_POOL',
      nodePoolPath(ref),
      () => {
        pool.status = 'RUNNING';
        cluster.status = 'RUNNING';
      },
    );
    return this.view(op);
  }

  deleteNodePool(ref: NodePoolRef): Operation {
    this.settle();
    const { cluster } = this.requireCluster(ref);
    const key = clusterPath(ref);
    const pool = cluster.nodePools?.find(p => p.name === ref.nodePool);
    if (!pool) {
      throw notFound(nodePoolPath(ref));
    }
    this.assertNoOperation(key);
    pool.status = 'STOPPING';
    cluster.status = 'RECONCILING';
    const op = this.startOperation(
      ref,
      'DELETE_NODE_POOL',
      nodePoolPath(ref),
      () => {
        cluster.nodePools = (cluster.nodePools ?? []).filter(p => p !== pool);
        const gone = new Set(pool.instanceGroupUrls ?? []);
        cluster.instanceGroupUrls = (cluster.instanceGroupUrls ?? []).filter(
          u => !gone.has(u),
        );
        cluster.status = 'RUNNING';
      },
    );
    return this.view(op);
  }

  /**
   * UpdateNodePool: the fields the request carries replace the pool's (node version, locations,
   * machine and disk, labels, taints, network tags, upgrade settings, queued provisioning,
   * flex-start, max run duration, accelerators); the result must pass GKE's node pool rules.
   */
  updateNodePool(ref: NodePoolRef, request: UpdateNodePoolRequest): Operation {
    return this.changeNodePool(ref, 'UPGRADE_NODES', pool => {
      const config = { ...(pool.config ?? {}) };
      const r = request;
      if (r.nodeVersion) {
        pool.version =
          r.nodeVersion === '-'
            ? this.requireCluster(ref).cluster.currentMasterVersion
            : resolveVersion(r.nodeVersion, undefined) ?? r.nodeVersion;
      }
      if (r.locations?.length) pool.locations = [...r.locations];
      if (r.imageType) config.imageType = r.imageType;
      if (r.machineType) config.machineType = r.machineType;
      if (r.diskType) config.diskType = r.diskType;
      if (Number(r.diskSizeGb ?? 0) > 0)
        config.diskSizeGb = Number(r.diskSizeGb);
      if (r.labels) config.labels = { ...(r.labels.labels ?? {}) };
      if (r.resourceLabels) {
        config.resourceLabels = { ...(r.resourceLabels.labels ?? {}) };
      }
      if (r.taints) config.taints = [...(r.taints.taints ?? [])];
      if (r.tags) config.tags = [...(r.tags.tags ?? [])];
      if (r.workloadMetadataConfig) {
        config.workloadMetadataConfig = r.workloadMetadataConfig;
      }
      if (r.gvnic) config.gvnic = r.gvnic;
      if (r.accelerators?.length) config.accelerators = [...r.accelerators];
      if (r.maxRunDuration) config.maxRunDuration = r.maxRunDuration;
      if (r.flexStart !== undefined && r.flexStart !== null) {
        config.flexStart = r.flexStart;
      }
      if (r.upgradeSettings) pool.upgradeSettings = r.upgradeSettings;
      if (r.queuedProvisioning) {
        pool.queuedProvisioning = {
          enabled: Boolean(r.queuedProvisioning.enabled),
        };
      }
      if (r.nodeNetworkConfig) {
        pool.networkConfig = {
          ...(pool.networkConfig ?? {}),
          ...(r.nodeNetworkConfig.enablePrivateNodes !== undefined
            ? { enablePrivateNodes: r.nodeNetworkConfig.enablePrivateNodes }
            : {}),
        };
      }
      pool.config = config;
    });
  }

  /** SetNodePoolManagement: a present message is taken literally (proto3 drops false). */
  setNodePoolManagement(
    ref: NodePoolRef,
    management: NodePool['management'],
  ): Operation {
    return this.changeNodePool(ref, 'SET_NODE_POOL_MANAGEMENT', pool => {
      pool.management = {
        autoUpgrade: Boolean(management?.autoUpgrade),
        autoRepair: Boolean(management?.autoRepair),
      };
    });
  }

  /** SetNodePoolAutoscaling, and UpdateCluster's desired_node_pool_autoscaling. */
  setNodePoolAutoscaling(
    ref: NodePoolRef,
    autoscaling: NodePool['autoscaling'],
    type: OperationType = 'UPDATE_CLUSTER',
  ): Operation {
    return this.changeNodePool(ref, type, pool => {
      pool.autoscaling = autoscaling?.enabled
        ? { ...autoscaling, enabled: true }
        : { enabled: false };
    });
  }

  /** SetNodePoolSize: GKE resizes the pool's instance groups; the pool object keeps its fields. */
  setNodePoolSize(ref: NodePoolRef, nodeCount: number): Operation {
    if (!(nodeCount >= 0)) {
      throw new GkeApiError(
        grpc.status.INVALID_ARGUMENT,
        `Invalid value for field "node_count": ${nodeCount}. Must be at least 0.`,
      );
    }
    return this.changeNodePool(ref, 'SET_NODE_POOL_SIZE', () => {});
  }

  /** UpdateCluster: one desired_* change per request, checked against every rule. */
  updateCluster(ref: ClusterRef, update: ClusterUpdate): Operation {
    this.settle();
    const entry = this.requireCluster(ref);
    const fields = Object.entries(update ?? {}).filter(
      ([field, value]) =>
        field !== 'desiredNodePoolId' && value !== undefined && value !== null,
    );
    if (fields.length !== 1) {
      throw new GkeApiError(
        grpc.status.INVALID_ARGUMENT,
        fields.length === 0
          ? 'Invalid value for field "update": no update was given.'
          : `Invalid value for field "update": exactly one update can be applied to a cluster with each request, got ${fields
              .map(([f]) => f)
              .join(', ')}.`,
      );
    }
    const [[field, value]] = fields;
    const poolScoped = ['desiredNodePoolAutoscaling', 'desiredNodeVersion'];
    if (poolScoped.includes(field)) {
      const pools = entry.cluster.nodePools ?? [];
      const poolName =
        update.desiredNodePoolId || (pools.length === 1 ? pools[0].name : '');
      if (!poolName) {
        throw new GkeApiError(
          grpc.status.INVALID_ARGUMENT,
          `Invalid value for field "update.desired_node_pool_id": required for ${field} when the cluster has ${pools.length} node pools.`,
        );
      }
      const poolRef = { ...ref, nodePool: poolName };
      return field === 'desiredNodePoolAutoscaling'
        ? this.setNodePoolAutoscaling(poolRef, value)
        : this.updateNodePool(poolRef, { nodeVersion: value });
    }
    const key = clusterPath(ref);
    this.assertNoOperation(key);
    const next = structuredClone(entry.cluster);
    let type: OperationType = 'UPDATE_CLUSTER';
    if (field === 'desiredMasterVersion') {
      const channel = String(next.releaseChannel?.channel ?? '');
      const resolved = resolveVersion(value, channel);
      if (!resolved) {
        throw new GkeApiError(
          grpc.status.INVALID_ARGUMENT,
          `Master version "${value}" is unsupported.`,
        );
      }
      next.currentMasterVersion = resolved;
      next.initialClusterVersion = next.initialClusterVersion ?? resolved;
      type = 'UPGRADE_MASTER';
    } else {
      const apply = CLUSTER_UPDATE_FIELDS[field];
      if (!apply) {
        throw new GkeApiError(
          grpc.status.UNIMPLEMENTED,
          `The GKE emulator does not model ClusterUpdate.${field}.`,
        );
      }
      apply(next, value);
    }
    checkCluster({ ...next, initialClusterVersion: undefined });
    for (const pool of next.nodePools ?? []) checkNodePool(next, pool);
    entry.cluster.status = 'RECONCILING';
    const op = this.startOperation(ref, type, key, () => {
      entry.cluster = { ...next, status: 'RUNNING' };
    });
    return this.view(op);
  }

  /** SetLabels: replaces the cluster's resource labels. */
  setLabels(
    ref: ClusterRef,
    labels: Record<string, string>,
    labelFingerprint?: string,
  ): Operation {
    this.settle();
    const entry = this.requireCluster(ref);
    const key = clusterPath(ref);
    if (
      labelFingerprint &&
      labelFingerprint !== entry.cluster.labelFingerprint
    ) {
      // Optimistic locking on labels, as GKE does with label_fingerprint.
      throw new GkeApiError(
        grpc.status.FAILED_PRECONDITION,
        'Labels could not be set due to fingerprint mismatch.',
      );
    }
    this.assertNoOperation(key);
    const op = this.startOperation(ref, 'SET_LABELS', key, () => {
      entry.cluster.resourceLabels = { ...labels };
      entry.cluster.labelFingerprint = stableHex(
        8,
        'labels',
        JSON.stringify(labels),
      );
    });
    return this.view(op);
  }

  /** Points a cluster's endpoints at what serves its control plane (a local Kubernetes emulator). */
  setControlPlane(
    ref: ClusterRef,
    controlPlane: { endpoint: string; caPem: string },
  ): void {
    const { cluster } = this.requireCluster(ref);
    cluster.endpoint = controlPlane.endpoint;
    if (cluster.privateClusterConfig) {
      cluster.privateClusterConfig.privateEndpoint = controlPlane.endpoint;
      if (!cluster.privateClusterConfig.enablePrivateEndpoint) {
        cluster.privateClusterConfig.publicEndpoint = controlPlane.endpoint;
      }
    }
    // GKE's DNS-based endpoint is a host name (`gke-….gke.goog`) served with a publicly trusted
    // certificate; here it is `localhost:<port>` of the same emulator, whose CA the development
    // processes add to their trust store (NODE_EXTRA_CA_CERTS, SSL_CERT_FILE).
    const dns = cluster.controlPlaneEndpointsConfig?.dnsEndpointConfig;
    if (dns) {
      dns.endpoint = `localhost:${controlPlane.endpoint.split(':').pop()}`;
    }
    cluster.masterAuth = {
      ...(cluster.masterAuth ?? {}),
      clusterCaCertificate: Buffer.from(controlPlane.caPem).toString('base64'),
    };
  }

  // ---- internals ----------------------------------------------------------------------

  /** GKE's computed fields, then GKE's rules for the cluster and every pool it creates. */
  private materializeChecked(location: LocationRef, input: Cluster): Cluster {
    checkCluster(input);
    const cluster = materializeCluster(location, input, this.timestamp(), {
      caPem: this.options.clusterCaPem,
    });
    for (const pool of cluster.nodePools ?? []) checkNodePool(cluster, pool);
    return cluster;
  }

  /**
   * Changes one node pool through a long-running operation: the change is applied to a copy,
   * checked against GKE's rules, and becomes visible when the operation is DONE.
   */
  private changeNodePool(
    ref: NodePoolRef,
    type: OperationType,
    change: (pool: NodePool) => void,
  ): Operation {
    this.settle();
    const entry = this.requireCluster(ref);
    const key = clusterPath(ref);
    const index = (entry.cluster.nodePools ?? []).findIndex(
      p => p.name === ref.nodePool,
    );
    if (index < 0) {
      throw notFound(nodePoolPath(ref));
    }
    this.assertNoOperation(key);
    const next = structuredClone(entry.cluster.nodePools![index]);
    change(next);
    checkNodePool(entry.cluster, next);
    entry.cluster.nodePools![index].status = 'RECONCILING';
    entry.cluster.status = 'RECONCILING';
    const op = this.startOperation(ref, type, nodePoolPath(ref), () => {
      const pools = entry.cluster.nodePools ?? [];
      const at = pools.findIndex(p => p.name === ref.nodePool);
      if (at >= 0) {
        pools[at] = {
          ...next,
          status: 'RUNNING',
          etag: stableHex(16, 'etag', JSON.stringify(next)),
        };
      }
      entry.cluster.status = 'RUNNING';
    });
    return this.view(op);
  }

  /** Applies every transition that is due, oldest first. */
  settle(): void {
    const now = this.options.clock.now();
    for (;;) {
      let next: { op: TrackedOperation; transition: Transition } | undefined;
      for (const op of this.operations) {
        const transition = op.transitions[0];
        if (
          transition &&
          transition.at <= now &&
          (!next || transition.at < next.transition.at)
        ) {
          next = { op, transition };
        }
      }
      if (!next) {
        return;
      }
      next.op.transitions.shift();
      next.transition.apply();
    }
  }

  private startOperation(
    target: ClusterRef | NodePoolRef,
    type: OperationType,
    targetPath: string,
    complete: () => void,
  ): TrackedOperation {
    const now = this.options.clock.now();
    const step = this.options.operationStepMs;
    const op: TrackedOperation = {
      ref: {
        project: target.project,
        location: target.location,
        operation: `operation-${now}-${randomUUID().slice(0, 8)}`,
      },
      type,
      clusterKey: clusterPath(target),
      targetPath,
      startedAt: now,
      plannedDoneAt: now + 3 * step,
      status: 'PENDING',
      transitions: [],
    };
    op.transitions.push(
      {
        at: now + step,
        apply: () => {
          op.status = 'RUNNING';
        },
      },
      {
        at: now + 3 * step,
        apply: () => {
          op.status = 'DONE';
          op.doneAt = op.plannedDoneAt;
          complete();
        },
      },
    );
    this.operations.push(op);
    return op;
  }

  private assertNoOperation(clusterKey: string): void {
    const running = this.operations.find(
      op => op.clusterKey === clusterKey && op.status !== 'DONE',
    );
    if (running) {
      throw new GkeApiError(
        grpc.status.FAILED_PRECONDITION,
        `Cluster is running incompatible operation ${running.ref.operation}.`,
      );
    }
  }

  private requireCluster(ref: ClusterRef) {
    const entry = this.clusters.get(clusterPath(ref));
    if (!entry) {
      throw notFound(clusterPath(ref));
    }
    return entry;
  }

  private timestamp(ms = this.options.clock.now()): string {
    return new Date(ms).toISOString();
  }

  private view(op: TrackedOperation): Operation {
    const now = this.options.clock.now();
    const span = Math.max(1, op.plannedDoneAt - op.startedAt);
    let fraction = Math.min(1, (now - op.startedAt) / span);
    if (op.status === 'DONE') {
      fraction = 1;
    } else if (op.status === 'PENDING') {
      fraction = 0;
    }
    const stages = PROGRESS_STAGES[op.type];
    const metrics = stages.flatMap((stage, i) => {
      const stageDone = Math.round(
        Math.min(1, Math.max(0, fraction * stages.length - i)) * STAGE_TOTAL,
      );
      return [
        { name: stage, intValue: String(stageDone) },
        { name: `${stage}_TOTAL`, intValue: String(STAGE_TOTAL) },
      ];
    });
    return {
      name: op.ref.operation,
      zone: op.ref.location,
      location: op.ref.location,
      operationType: op.type,
      status: op.status,
      statusMessage: '',
      detail: '',
      selfLink: selfLink(operationPath(op.ref)),
      targetLink: selfLink(op.targetPath),
      startTime: this.timestamp(op.startedAt),
      endTime: op.doneAt !== undefined ? this.timestamp(op.doneAt) : '',
      progress: { status: op.status, metrics },
    };
  }
}

function inLocation(ref: LocationRef, filter: LocationRef): boolean {
  return (
    ref.project === filter.project &&
    (filter.location === '-' || ref.location === filter.location)
  );
}
