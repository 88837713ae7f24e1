/**
 * How the stack's GPUs are shared between the Kueue queue, the KubeRay cluster and the NCCL
 * verification run, and how big the CPU system pool is. The Kueue quotas, the RayCluster and the
 * validator all read these, so what the form promises is what Kueue admits.
 *
 * The rules follow Kueue and KubeRay:
 * - A RayCluster admitted through Kueue (a worker group on a queued-provisioning pool) is one
 *   workload of fixed size that "will hold resource quotas while it exists" (Kueue, Run A
 *   RayCluster); Kueue cannot resize it once admitted without the alpha workload slices, so it
 *   does not autoscale and its workers are `minReplicas`.
 * - A RayCluster outside Kueue autoscales between `minReplicas` and `maxReplicas` through GKE's
 *   cluster autoscaler. Those GPUs are taken outside the queue, so the pool's Kueue quota is its
 *   capacity minus Ray's maximum: Kueue never admits work onto nodes Ray may hold.
 * - The NCCL verification Job is admitted through the queue and holds its nodes while it runs.
 */
import {
  poolGpuCount,
  rayManagedByKueue,
  verificationEnabled,
  verificationPool,
  workerGroupPool,
} from './derive';
import type { GpuNodePoolSpec, GpuStackSpec } from './schema';

/** Name of the CPU system node pool (and of its Kueue ResourceFlavor). @public */
export const SYSTEM_POOL_NAME = 'system';

const MEMORY_PER_VCPU: Record<string, Record<string, number>> = {
  n1: { standard: 3.75, highmem: 6.5, highcpu: 0.9 },
  default: { standard: 4, highmem: 8, highcpu: 1 },
};

/** vCPUs and memory of a general-purpose machine type such as e2-standard-8. @public */
export function generalPurposeMachineShape(machineType: string): {
  vcpus: number;
  memoryGb: number;
} {
  const match = /^([a-z][a-z0-9]*)-(standard|highmem|highcpu)-(\d+)$/.exec(
    machineType,
  );
  if (!match) return { vcpus: 0, memoryGb: 0 };
  const [, family, kind, count] = match;
  const vcpus = Number(count);
  const perVcpu = (MEMORY_PER_VCPU[family] ?? MEMORY_PER_VCPU.default)[kind];
  return { vcpus, memoryGb: Math.floor(vcpus * perVcpu) };
}

/** The CPU system pool: a fixed node count per zone of the spec. @public */
export function systemPoolCapacity(spec: GpuStackSpec): {
  nodes: number;
  vcpusPerNode: number;
  memoryGbPerNode: number;
} {
  const shape = generalPurposeMachineShape(
    spec.cluster.systemNodePool.machineType,
  );
  return {
    nodes: spec.cluster.systemNodePool.nodeCount * spec.identity.zones.length,
    vcpusPerNode: shape.vcpus,
    memoryGbPerNode: shape.memoryGb,
  };
}

/** CPU cores of a Kubernetes quantity ("4", "500m"). @public */
export function cpuCores(quantity: string): number {
  return quantity.endsWith('m')
    ? Number(quantity.slice(0, -1)) / 1000
    : Number(quantity);
}

const BYTES: Record<string, number> = {
  '': 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  m: 1e-3,
};

/** Gigabytes (10^9 bytes) of a Kubernetes memory quantity ("16Gi", "512M"). @public */
export function memoryGb(quantity: string): number {
  const match = /^(\d+(?:\.\d+)?)([a-zA-Z]*)$/.exec(quantity);
  if (!match) return NaN;
  return (Number(match[1]) * (BYTES[match[2]] ?? NaN)) / 1e9;
}

/** The NCCL verification run: its pool and the GPUs it holds while it runs. @public */
export function verificationDemand(
  spec: GpuStackSpec,
): { pool: GpuNodePoolSpec; nodes: number; gpus: number } | undefined {
  const pool = verificationPool(spec);
  if (!verificationEnabled(spec) || !spec.kueue.enabled || !pool)
    return undefined;
  const nodes = spec.verification.ncclAllGather.nodes;
  return { pool, nodes, gpus: nodes * poolGpuCount(pool) };
}

/** Size of one Ray worker group and what it costs. @public */
export interface RayWorkerGroupSizing {
  pool: GpuNodePoolSpec;
  gpusPerWorker: number;
  /** Whether Kueue admits the RayCluster (fixed size, no autoscaling). */
  viaKueue: boolean;
  /** Workers at creation: the fixed size under Kueue, else `minReplicas`. */
  replicas: number;
  minReplicas: number;
  maxReplicas: number;
  /** GPUs of the Kueue quota held while the RayCluster exists (0 outside Kueue). */
  quotaGpus: number;
  /** GPUs Ray may take outside the queue at most (0 under Kueue). */
  outsideQueueGpus: number;
}

/** The sizing of Ray worker group `index`; undefined when its pool does not exist. @public */
export function rayWorkerGroupSizing(
  spec: GpuStackSpec,
  index: number,
): RayWorkerGroupSizing | undefined {
  const group = spec.ray.workerGroups[index];
  const pool = workerGroupPool(spec, index);
  if (!group || !pool) return undefined;
  const gpusPerWorker = group.gpusPerWorker ?? poolGpuCount(pool);
  if (rayManagedByKueue(spec)) {
    const size = group.minReplicas;
    return {
      pool,
      gpusPerWorker,
      viaKueue: true,
      replicas: size,
      minReplicas: size,
      maxReplicas: size,
      quotaGpus: spec.ray.enabled ? size * gpusPerWorker : 0,
      outsideQueueGpus: 0,
    };
  }
  // Outside Kueue the autoscaler may grow to the pool minus what the verification run needs.
  const verification = verificationDemand(spec);
  const reservedGpus =
    verification && verification.pool.name === pool.name
      ? verification.gpus
      : 0;
  const maxReplicas =
    group.maxReplicas ??
    Math.max(
      group.minReplicas,
      Math.floor(
        (pool.maxNodes * poolGpuCount(pool) - reservedGpus) / gpusPerWorker,
      ),
    );
  return {
    pool,
    gpusPerWorker,
    viaKueue: false,
    replicas: group.minReplicas,
    minReplicas: group.minReplicas,
    maxReplicas,
    quotaGpus: 0,
    outsideQueueGpus: spec.ray.enabled ? maxReplicas * gpusPerWorker : 0,
  };
}

/** How a GPU pool's GPUs are shared. @public */
export interface PoolGpuBudget {
  /** maxNodes × GPUs per node. */
  capacity: number;
  /** GPUs an autoscaling RayCluster may take outside the queue. */
  rayOutsideQueue: number;
  /** The Kueue nominal quota of the pool's flavor. */
  quota: number;
  /** Quota a Kueue-admitted RayCluster holds while it exists. */
  rayQuota: number;
  /** Quota the NCCL verification run holds while it runs. */
  verification: number;
}

/** The GPU budget of a spec pool. @public */
export function poolGpuBudget(
  spec: GpuStackSpec,
  pool: GpuNodePoolSpec,
): PoolGpuBudget {
  const capacity = pool.maxNodes * poolGpuCount(pool);
  let rayOutsideQueue = 0;
  let rayQuota = 0;
  spec.ray.workerGroups.forEach((_, i) => {
    const sizing = rayWorkerGroupSizing(spec, i);
    if (!sizing || sizing.pool.name !== pool.name) return;
    rayOutsideQueue += sizing.outsideQueueGpus;
    rayQuota += sizing.quotaGpus;
  });
  const verification = verificationDemand(spec);
  const free = Math.max(0, capacity - rayOutsideQueue);
  return {
    capacity,
    rayOutsideQueue,
    quota:
      spec.kueue.gpuQuota === undefined
        ? free
        : Math.min(free, spec.kueue.gpuQuota),
    rayQuota,
    verification:
      verification && verification.pool.name === pool.name
        ? verification.gpus
        : 0,
  };
}

/** The Kueue nvidia.com/gpu nominal quota of a pool's flavor. @public */
export function flavorGpuQuota(
  spec: GpuStackSpec,
  pool: GpuNodePoolSpec,
): number {
  return poolGpuBudget(spec, pool).quota;
}
