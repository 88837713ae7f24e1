/**
 * Starting points for the "Create GPU cluster" form: the GPU node pool most people want for a
 * job, with real machine types from the accelerator catalog. A preset only fills the node pool;
 * everything else keeps the spec's defaults, and every value stays editable.
 */
import type { ProvisioningMode } from './constants';
import type { GpuStackSpecInput } from './schema';

/** One preset of the form. @public */
export interface GpuClusterPreset {
  id: string;
  title: string;
  /** One sentence: what it is for and what to expect. */
  description: string;
  /** The first node pool the preset sets (spec input: unset fields take their defaults). */
  nodePool: NonNullable<GpuStackSpecInput['nodePools']>[number] & {
    machineType: string;
    provisioning: { mode: ProvisioningMode };
  };
}

/** The presets, first one = the spec's default pool. @public */
export const GPU_CLUSTER_PRESETS: readonly GpuClusterPreset[] = [
  {
    id: 'h200-dws-queued-training',
    title: '8× H200, DWS queued, for training',
    description:
      'A3 Ultra nodes with RDMA networking, obtained all at once through Kueue when capacity frees up: multi-node training that can wait.',
    nodePool: {
      name: 'h200-dws',
      machineType: 'a3-ultragpu-8g',
      provisioning: { mode: 'queued-provisioning' },
      maxNodes: 4,
    },
  },
  {
    id: 'h100-flex-start',
    title: '8× H100 flex-start',
    description:
      'A3 High nodes from DWS flex-start: each node starts as soon as capacity is found and runs up to 7 days.',
    nodePool: {
      name: 'h100-flex',
      machineType: 'a3-highgpu-8g',
      provisioning: { mode: 'flex-start' },
      maxNodes: 2,
    },
  },
  {
    id: 'l4-spot-inference',
    title: 'L4 Spot for inference',
    description:
      'G2 nodes with one L4 each on Spot VMs: cheap serving capacity that can be preempted at any time.',
    nodePool: {
      name: 'l4-spot',
      machineType: 'g2-standard-8',
      provisioning: { mode: 'spot' },
      maxNodes: 8,
    },
  },
  {
    id: 'a100-reservation',
    title: 'A100 on-demand with a reservation',
    description:
      'A2 nodes with 8× A100 40GB consuming a Compute Engine reservation you already hold: starts right away, no preemption.',
    nodePool: {
      name: 'a100-resv',
      machineType: 'a2-highgpu-8g',
      provisioning: { mode: 'reservation' },
      maxNodes: 2,
    },
  },
];

/** The preset a node pool was made from (same machine type, mode and name), if any. @public */
export function matchingPreset(pool: {
  name?: unknown;
  machineType?: unknown;
  provisioning?: { mode?: unknown };
}): GpuClusterPreset | undefined {
  return GPU_CLUSTER_PRESETS.find(
    p =>
      p.nodePool.machineType === pool.machineType &&
      p.nodePool.provisioning.mode === pool.provisioning?.mode &&
      p.nodePool.name === pool.name,
  );
}
