import { createHash } from 'node:crypto';
import { condition } from '../../kube/objects';
import { formatAmount, type ResourceAmounts } from './quantity';
import type { Taint } from './podSpec';
import { FABRIC_ANNOTATION, type EmulatedFabric } from '../ncclTest';

/**
 * A GKE node pool as the emulated cluster knows it: the labels and taints every node of the
 * pool carries, what one node can allocate, and how the pool grows. Nodes of a pool are real
 * `v1` Node objects in the store; the emulated kube-scheduler places pods on them and the
 * emulated cluster autoscaler adds nodes (queued-provisioning pools only through a
 * ProvisioningRequest).
 */
export interface EmulatedNodePool {
  name: string;
  machineType: string;
  /** Labels of every node (GKE's own labels included). */
  labels: Record<string, string>;
  taints: Taint[];
  /** Allocatable of one node, in scheduler amounts (millicores for cpu, bytes, counts). */
  allocatable: ResourceAmounts;
  capacity: ResourceAmounts;
  /** Nodes that exist from the start (a fixed-size pool, or the autoscaler's minimum). */
  initialNodes: number;
  /** Upper bound the autoscaler (or a ProvisioningRequest) may grow the pool to. */
  maxNodes: number;
  /** Cluster autoscaler scales the pool for pending pods (false: fixed size). */
  autoscaling: boolean;
  /** DWS queued provisioning: nodes only come through a ProvisioningRequest. */
  queuedProvisioning: boolean;
  zone: string;
  /**
   * The RDMA fabric the pool's NCCL runs see (default healthy); `socket-fallback` models the gIB
   * plugin or RDMA interfaces missing, so NCCL falls back to TCP (see `ncclTest.ts`).
   */
  rdmaFabric?: EmulatedFabric;
}

export interface GkeNodePoolInput {
  name: string;
  machineType: string;
  /** vCPUs and memory of the machine type (GiB), from the Compute Engine machine catalog. */
  vcpus: number;
  memoryGb: number;
  accelerator?: { type: string; count: number };
  /** Node count per zone for a fixed pool; the autoscaler minimum otherwise. */
  nodeCount?: number;
  minNodes?: number;
  maxNodes?: number;
  autoscaling?: boolean;
  spot?: boolean;
  flexStart?: boolean;
  queuedProvisioning?: boolean;
  /** `node_config.labels` and `node_config.taint` the pool is created with. */
  labels?: Record<string, string>;
  taints?: Taint[];
  zone: string;
  maxPodsPerNode?: number;
  bootDiskGb?: number;
  /**
   * Device resources the node advertises besides GPUs, such as the
   * `networking.gke.io.networks/rdma-0` (and `.IP`) capacity GKE multi-networking adds.
   */
  extendedResources?: Record<string, number>;
}

const GIB = 2 ** 30;

/**
 * CPU GKE reserves for system daemons (docs "Standard cluster architecture › Node allocatable
 * resources"): 6% of the first core, 1% of the next, 0.5% of the next 2, 0.25% above 4 cores.
 */
export function gkeReservedCpuMillis(vcpus: number): number {
  const cores = vcpus;
  let reserved = 0.06 * Math.min(cores, 1);
  reserved += 0.01 * Math.max(0, Math.min(cores, 2) - 1);
  reserved += 0.005 * Math.max(0, Math.min(cores, 4) - 2);
  reserved += 0.0025 * Math.max(0, cores - 4);
  return Math.round(reserved * 1000);
}

/**
 * Memory GKE reserves (same doc): 25% of the first 4 GiB, 20% of the next 4, 10% of the next
 * 8, 6% of the next 112, 2% above 128 GiB, plus the 100 MiB kubelet eviction threshold.
 */
export function gkeReservedMemoryBytes(memoryGb: number): number {
  const tiers: [number, number][] = [
    [4, 0.25],
    [4, 0.2],
    [8, 0.1],
    [112, 0.06],
    [Infinity, 0.02],
  ];
  let left = memoryGb;
  let reserved = 0;
  for (const [size, share] of tiers) {
    const part = Math.min(left, size);
    reserved += part * share;
    left -= part;
    if (left <= 0) break;
  }
  return Math.round(reserved * GIB) + 100 * 2 ** 20;
}

/**
 * A node pool as GKE creates it from a CreateNodePool request: GKE's own node labels
 * (`cloud.google.com/gke-nodepool`, `-accelerator`, `-accelerator-count`, `-spot`,
 * `-flex-start`, `-queued`, machine family), the automatic `nvidia.com/gpu=present:NoSchedule`
 * taint on GPU pools (docs "Run GPUs in GKE Standard node pools"), the
 * `cloud.google.com/gke-queued=true:NoSchedule` taint of queued-provisioning pools, and the
 * allocatable GKE leaves after its CPU and memory reservations.
 */
export function gkeNodePool(input: GkeNodePoolInput): EmulatedNodePool {
  const labels: Record<string, string> = {
    'cloud.google.com/gke-nodepool': input.name,
    'cloud.google.com/machine-family': input.machineType.split('-')[0],
    'node.kubernetes.io/instance-type': input.machineType,
    'topology.kubernetes.io/zone': input.zone,
    'topology.kubernetes.io/region': input.zone.replace(/-[a-z]$/, ''),
    'kubernetes.io/os': 'linux',
    'kubernetes.io/arch': 'amd64',
    ...(input.labels ?? {}),
  };
  const taints: Taint[] = [...(input.taints ?? [])];
  if (input.accelerator) {
    labels['cloud.google.com/gke-accelerator'] = input.accelerator.type;
    labels['cloud.google.com/gke-accelerator-count'] = String(
      input.accelerator.count,
    );
    labels['cloud.google.com/gke-gpu'] = 'true';
    if (!taints.some(t => t.key === 'nvidia.com/gpu')) {
      taints.push({
        key: 'nvidia.com/gpu',
        value: 'present',
        effect: 'NoSchedule',
      });
    }
  }
  if (input.spot) labels['cloud.google.com/gke-spot'] = 'true';
  if (input.flexStart || input.queuedProvisioning)
    labels['cloud.google.com/gke-flex-start'] = 'true';
  if (input.queuedProvisioning) {
    labels['cloud.google.com/gke-queued'] = 'true';
    if (!taints.some(t => t.key === 'cloud.google.com/gke-queued')) {
      taints.push({
        key: 'cloud.google.com/gke-queued',
        value: 'true',
        effect: 'NoSchedule',
      });
    }
  }
  const memory = Math.round(input.memoryGb * GIB);
  const pods = input.maxPodsPerNode ?? 110;
  const disk = (input.bootDiskGb ?? 100) * GIB;
  const capacity: ResourceAmounts = {
    cpu: input.vcpus * 1000,
    memory,
    pods,
    'ephemeral-storage': disk,
    ...(input.accelerator ? { 'nvidia.com/gpu': input.accelerator.count } : {}),
    ...(input.extendedResources ?? {}),
  };
  const allocatable: ResourceAmounts = {
    ...capacity,
    cpu: capacity.cpu - gkeReservedCpuMillis(input.vcpus),
    memory: memory - gkeReservedMemoryBytes(input.memoryGb),
    // 10% of the boot disk is kept for the kubelet's eviction threshold and system use.
    'ephemeral-storage': Math.floor(disk * 0.9),
  };
  const queued = Boolean(input.queuedProvisioning);
  const autoscaling = queued || Boolean(input.autoscaling);
  return {
    name: input.name,
    machineType: input.machineType,
    labels,
    taints,
    allocatable,
    capacity,
    initialNodes: queued ? 0 : input.nodeCount ?? input.minNodes ?? 0,
    maxNodes: autoscaling
      ? input.maxNodes ?? input.nodeCount ?? 0
      : input.nodeCount ?? 0,
    autoscaling,
    queuedProvisioning: queued,
    zone: input.zone,
  };
}

const toQuantities = (amounts: ResourceAmounts) =>
  Object.fromEntries(
    Object.entries(amounts).map(([k, v]) => [k, formatAmount(k, v)]),
  );

/** GKE's node name shape: gke-<cluster>-<pool>-<8 hex>-<4 chars>. */
export function gkeNodeName(cluster: string, pool: string, seed: string) {
  const h = createHash('sha256').update(seed).digest('hex');
  return `gke-${cluster.slice(0, 14)}-${pool.slice(0, 14)}-${h.slice(0, 8)}-${h
    .slice(8, 12)
    .replace(/[0-9]/g, d => 'abcdefghij'[Number(d)])}`;
}

/** A Ready `v1` Node of the pool. */
export function nodeOf(
  pool: EmulatedNodePool,
  name: string,
  time: string,
  project: string,
  extraLabels: Record<string, string> = {},
) {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      labels: {
        ...pool.labels,
        'kubernetes.io/hostname': name,
        ...extraLabels,
      },
      ...(pool.rdmaFabric === 'socket-fallback'
        ? { annotations: { [FABRIC_ANNOTATION]: pool.rdmaFabric } }
        : {}),
    },
    spec: {
      providerID: `gce://${project}/${pool.zone}/${name}`,
      ...(pool.taints.length ? { taints: pool.taints } : {}),
    },
    status: {
      capacity: toQuantities(pool.capacity),
      allocatable: toQuantities(pool.allocatable),
      conditions: [
        condition(
          'Ready',
          'True',
          'KubeletReady',
          'kubelet is posting ready status',
          time,
        ),
      ],
      nodeInfo: {
        kubeletVersion: 'v1.32.4-gke.1106000',
        containerRuntimeVersion: 'containerd://1.7.24',
        osImage: 'Container-Optimized OS from Google',
        architecture: 'amd64',
        operatingSystem: 'linux',
      },
    },
  };
}
