import { randomUUID } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
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
} from './resources';

type OperationType =
  | 'CREATE_CLUSTER'
  | 'DELETE_CLUSTER'
  | 'CREATE_NODE_POOL'
  | 'DELETE_NODE_POOL';

/** Progress metrics GKE reports per operation kind, in the order the work happens. */
const PROGRESS_STAGES: Record<OperationType, string[]> = {
  CREATE_CLUSTER: [
    'CLUSTER_CONFIGURING',
    'CLUSTER_DEPLOYING',
    'CLUSTER_HEALTHCHECKING',
  ],
  DELETE_CLUSTER: ['CLUSTER_DELETING'],
  CREATE_NODE_POOL: ['NODE_POOL_CONFIGURING', 'NODE_POOL_DEPLOYING'],
  DELETE_NODE_POOL: ['NODE_POOL_DELETING'],
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
}

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
    const cluster = materializeCluster(location, input, this.timestamp());
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
    const cluster = materializeCluster(location, input, this.timestamp());
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

  // ---- internals ----------------------------------------------------------------------

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
