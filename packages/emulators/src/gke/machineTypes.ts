/**
 * The Compute Engine GPU facts the emulator checks node pools against: which machine types carry
 * built-in GPUs (and which, how many), and which GPUs attach to N1. Figures from the GPU machine
 * types tables, https://cloud.google.com/compute/docs/gpus (A4, A3 Ultra/Mega/High, A2 Ultra/
 * High/Mega, G2) and https://cloud.google.com/compute/docs/gpus/gpu-regions-zones (N1 + T4, V100,
 * P100, P4). Only what the emulator enforces is listed; other machine types are accepted without
 * accelerators.
 */

/** A machine type with GPUs built in: the request may only name exactly these. */
export interface FixedGpuMachine {
  acceleratorType: string;
  count: number;
}

const fixed = (
  acceleratorType: string,
  shapes: Array<[string, number]>,
): Array<[string, FixedGpuMachine]> =>
  shapes.map(([machineType, count]) => [
    machineType,
    { acceleratorType, count },
  ]);

export const FIXED_GPU_MACHINES: ReadonlyMap<string, FixedGpuMachine> = new Map(
  [
    ...fixed('nvidia-b200', [['a4-highgpu-8g', 8]]),
    ...fixed('nvidia-h200-141gb', [['a3-ultragpu-8g', 8]]),
    ...fixed('nvidia-h100-mega-80gb', [['a3-megagpu-8g', 8]]),
    ...fixed('nvidia-h100-80gb', [
      ['a3-highgpu-1g', 1],
      ['a3-highgpu-2g', 2],
      ['a3-highgpu-4g', 4],
      ['a3-highgpu-8g', 8],
      ['a3-edgegpu-8g', 8],
    ]),
    ...fixed('nvidia-a100-80gb', [
      ['a2-ultragpu-1g', 1],
      ['a2-ultragpu-2g', 2],
      ['a2-ultragpu-4g', 4],
      ['a2-ultragpu-8g', 8],
    ]),
    ...fixed('nvidia-tesla-a100', [
      ['a2-highgpu-1g', 1],
      ['a2-highgpu-2g', 2],
      ['a2-highgpu-4g', 4],
      ['a2-highgpu-8g', 8],
      ['a2-megagpu-16g', 16],
    ]),
    ...fixed('nvidia-l4', [
      ['g2-standard-4', 1],
      ['g2-standard-8', 1],
      ['g2-standard-12', 1],
      ['g2-standard-16', 1],
      ['g2-standard-24', 2],
      ['g2-standard-32', 1],
      ['g2-standard-48', 4],
      ['g2-standard-96', 8],
    ]),
  ],
);

/** GPUs that attach to N1 machine types, with the counts a VM may take. */
export const N1_ATTACHABLE_GPUS: ReadonlyMap<string, readonly number[]> =
  new Map([
    ['nvidia-tesla-t4', [1, 2, 4]],
    ['nvidia-tesla-v100', [1, 2, 4, 8]],
    ['nvidia-tesla-p100', [1, 2, 4]],
    ['nvidia-tesla-p4', [1, 2, 4]],
  ]);

/** Every GPU type the emulator knows (built-in or attachable). */
export const KNOWN_GPU_TYPES: ReadonlySet<string> = new Set([
  ...[...FIXED_GPU_MACHINES.values()].map(m => m.acceleratorType),
  ...N1_ATTACHABLE_GPUS.keys(),
]);

/**
 * Machine types on which DWS flex-start accepts a COMPACT placement policy: A3 Ultra and A4
 * (Cluster Toolkit's gke-node-pool precondition, "Compact placement with DWS Flex Start is only
 * supported for A3 Ultra, A4, and H4D machine types", GoogleCloudPlatform/cluster-toolkit#5737).
 */
export const COMPACT_WITH_FLEX_START = /^(a3-ultragpu-|a4-highgpu-|h4d-)/;

/** GKE's default machine type when a node config names none. */
export const DEFAULT_MACHINE_TYPE = 'e2-medium';
