/**
 * The Compute Engine GPU quota a stack needs in its region, by quota metric.
 *
 * Which pool a provisioning model draws from (Google's "Obtain capacity" and GPU quota docs,
 * https://cloud.google.com/ai-hypercomputer/docs/obtain-capacity): Spot VMs and DWS flex-start
 * (with or without queued provisioning) consume the **preemptible** GPU quota
 * (`PREEMPTIBLE_NVIDIA_…_GPUS`); on-demand VMs the standard quota (`NVIDIA_…_GPUS`); VMs that
 * consume a specific reservation use the quota the reservation already holds.
 */
import type { GpuType } from './catalog';
import { resolveNodePools, type ResolvedNodePool } from './derive';
import type { GpuStackSpec } from './schema';

/** Regional Compute Engine quota metric of each GPU type (on-demand). @public */
export const GPU_QUOTA_METRICS: Readonly<Record<GpuType, string>> = {
  'nvidia-h200-141gb': 'NVIDIA_H200_GPUS',
  'nvidia-b200': 'NVIDIA_B200_GPUS',
  'nvidia-h100-mega-80gb': 'NVIDIA_H100_MEGA_GPUS',
  'nvidia-h100-80gb': 'NVIDIA_H100_GPUS',
  'nvidia-a100-80gb': 'NVIDIA_A100_80GB_GPUS',
  'nvidia-tesla-a100': 'NVIDIA_A100_GPUS',
  'nvidia-l4': 'NVIDIA_L4_GPUS',
  'nvidia-tesla-t4': 'NVIDIA_T4_GPUS',
};

/** Which quota pool a node pool draws from. @public */
export type GpuQuotaPool = 'preemptible' | 'on-demand' | 'reservation';

/** The quota pool of a resolved (Terraform) node pool. @public */
export function gpuQuotaPool(pool: ResolvedNodePool): GpuQuotaPool {
  if (pool.spot || pool.flexStart) return 'preemptible';
  if (pool.reservationAffinity.type === 'SPECIFIC_RESERVATION')
    return 'reservation';
  return 'on-demand';
}

/** The quota metric a GPU type draws from in a pool (`PREEMPTIBLE_` for Spot and DWS). @public */
export function gpuQuotaMetric(gpuType: GpuType, pool: GpuQuotaPool): string {
  const metric = GPU_QUOTA_METRICS[gpuType];
  return pool === 'preemptible' ? `PREEMPTIBLE_${metric}` : metric;
}

/** GPUs of one quota metric the stack can use at most. @public */
export interface GpuQuotaNeed {
  region: string;
  metric: string;
  pool: GpuQuotaPool;
  /** Σ maxNodes × GPUs per node of the node pools drawing from the metric. */
  gpus: number;
  /** The Terraform node pools drawing from it. */
  nodePools: string[];
}

/**
 * The regional GPU quota the stack needs when every pool is at its maximum size, one entry per
 * metric and quota pool. Reservation pools are listed too: their quota is held by the reservation.
 * @public
 */
export function stackGpuQuota(spec: GpuStackSpec): GpuQuotaNeed[] {
  const needs = new Map<string, GpuQuotaNeed>();
  for (const pool of resolveNodePools(spec)) {
    const quotaPool = gpuQuotaPool(pool);
    const metric = gpuQuotaMetric(pool.gpuType, quotaPool);
    // Reservation pools name the on-demand metric but do not draw new quota: keep them apart.
    const key = `${metric}/${quotaPool}`;
    const need = needs.get(key) ?? {
      region: spec.identity.region,
      metric,
      pool: quotaPool,
      gpus: 0,
      nodePools: [],
    };
    need.gpus += pool.maxNodes * pool.gpuCount;
    need.nodePools.push(pool.name);
    needs.set(key, need);
  }
  return [...needs.values()];
}
