import {
  findAccelerator,
  type GpuStackSpec,
} from '@gpu-platform/backstage-plugin-gpu-cluster-common';
import { renderTfvars } from '../terraform';

/** What the emulators' `gkeNodePool()` takes (kept structural: this file is not a test). */
export interface NodePoolCreateRequest {
  name: string;
  machineType: string;
  vcpus: number;
  memoryGb: number;
  accelerator?: { type: string; count: number };
  nodeCount?: number;
  minNodes?: number;
  maxNodes?: number;
  autoscaling?: boolean;
  spot?: boolean;
  flexStart?: boolean;
  queuedProvisioning?: boolean;
  labels?: Record<string, string>;
  taints?: { key: string; value?: string; effect: string }[];
  zone: string;
  bootDiskGb?: number;
}

/** GKE taint effects in the API's enum spelling → Kubernetes spelling. */
const EFFECTS: Record<string, string> = {
  NO_SCHEDULE: 'NoSchedule',
  PREFER_NO_SCHEDULE: 'PreferNoSchedule',
  NO_EXECUTE: 'NoExecute',
};

/** GiB per vCPU of the general-purpose shapes the system pool accepts (E2/N2/N4 docs). */
const MEMORY_PER_VCPU: Record<string, number> = {
  standard: 4,
  highmem: 8,
  highcpu: 1,
};

/**
 * The node pools a stack's cluster has, derived from the spec through the product's own
 * Terraform variables (what `terraform apply` asks GKE to create): the CPU system pool
 * (`node_count` per zone in every zone) and each GPU pool with its labels, taints, size and
 * provisioning mode. The emulators' `gkeNodePool()` adds what GKE adds itself (its node labels,
 * the GPU and queued-provisioning taints, allocatable after GKE's reservations).
 */
export function emulatedNodePools(spec: GpuStackSpec): NodePoolCreateRequest[] {
  const tfvars = renderTfvars(spec) as any;
  const zones: string[] = spec.identity.zones;
  const system = tfvars.cluster.system_pool;
  const [, shape, vcpus] =
    /^[a-z0-9]+-(standard|highmem|highcpu)-(\d+)$/.exec(system.machine_type) ??
    [];
  const pools: NodePoolCreateRequest[] = [
    {
      name: system.name,
      machineType: system.machine_type,
      vcpus: Number(vcpus),
      memoryGb: Number(vcpus) * MEMORY_PER_VCPU[shape],
      nodeCount: system.node_count * zones.length,
      zone: zones[0],
    },
  ];
  for (const pool of tfvars.node_pools as any[]) {
    const machine = findAccelerator(pool.machine_type);
    if (!machine) throw new Error(`no catalog entry for ${pool.machine_type}`);
    pools.push({
      name: pool.name,
      machineType: pool.machine_type,
      vcpus: machine.vcpus,
      memoryGb: machine.memoryGb,
      accelerator: { type: pool.gpu_type, count: pool.gpu_count },
      minNodes: pool.min_nodes,
      maxNodes: pool.max_nodes,
      autoscaling: pool.autoscaling,
      spot: pool.spot,
      flexStart: pool.flex_start,
      queuedProvisioning: pool.queued_provisioning,
      labels: pool.node_labels,
      taints: (pool.taints ?? []).map((t: any) => ({
        key: t.key,
        value: t.value,
        effect: EFFECTS[t.effect] ?? t.effect,
      })),
      zone: pool.node_locations?.[0] ?? zones[0],
      bootDiskGb: pool.disk_size_gb,
    });
  }
  return pools;
}
