/**
 * What Compute Engine offers where, for the Compute API emulator: the machine types of each zone
 * (with their built-in GPUs) and the zones of each region. A snapshot of Google's "GPU regions and
 * zones availability" page (https://cloud.google.com/compute/docs/gpus/gpu-regions-zones) and the
 * GPU machine-type tables (https://cloud.google.com/compute/docs/gpus, vCPU and memory per shape);
 * the GPU data comes from the GKE emulator's table (`../gke/machineTypes`), so both emulators agree.
 * General-purpose machine types (E2, N2, N1) are offered in every zone listed here. Real projects
 * see more zones and types; the emulator serves only these.
 */
import { FIXED_GPU_MACHINES } from '../gke/machineTypes';

const zones = (text: string): readonly string[] =>
  text.split(/\s+/).filter(Boolean);

/** Zones per GPU machine family (gpu-regions-zones, one list per family). */
const GPU_FAMILY_ZONES: ReadonlyArray<[RegExp, readonly string[]]> = [
  [
    /^a3-ultragpu-/,
    zones(`asia-south1-b asia-south2-c europe-west1-b europe-west4-a us-central1-b us-east4-b
      us-east5-a us-south1-b us-west1-c`),
  ],
  [
    /^a4-highgpu-/,
    zones(`asia-northeast1-b asia-southeast1-b europe-north1-b europe-west4-b us-central1-b
      us-east1-b us-east4-b us-south1-b us-west2-c us-west3-b us-west3-c`),
  ],
  [
    /^a3-megagpu-/,
    zones(`asia-east1-c asia-northeast1-b asia-southeast1-b asia-southeast1-c
      australia-southeast1-c europe-north1-c europe-west1-b europe-west1-c europe-west3-c
      europe-west4-b europe-west4-c us-central1-a us-central1-b us-central1-c us-east4-a
      us-east4-b us-east4-c us-east5-a us-west1-a us-west1-b us-west4-a`),
  ],
  [
    /^a3-(highgpu|edgegpu)-/,
    zones(`asia-east1-c asia-northeast1-b asia-south1-c asia-south2-b asia-southeast1-b
      asia-southeast1-c australia-southeast1-c europe-north1-c europe-west1-b europe-west1-c
      europe-west3-c europe-west4-b europe-west4-c europe-west9-c us-central1-a us-central1-b
      us-central1-c us-east4-a us-east4-b us-east4-c us-east5-a us-west1-a us-west1-b
      us-west4-a`),
  ],
  [
    /^a2-ultragpu-/,
    zones(`asia-southeast1-c europe-west4-a us-central1-a us-central1-c us-east4-c us-east5-a
      us-east5-b`),
  ],
  [
    /^a2-megagpu-/,
    zones(`asia-southeast1-c europe-west4-a europe-west4-b us-central1-a us-central1-b
      us-central1-c us-central1-f`),
  ],
  [
    /^a2-highgpu-/,
    zones(`asia-northeast1-a asia-northeast1-c asia-northeast3-a asia-northeast3-b
      asia-southeast1-b asia-southeast1-c europe-west4-a europe-west4-b me-west1-a me-west1-c
      us-central1-a us-central1-b us-central1-c us-central1-f us-east1-b us-west1-b us-west3-b
      us-west4-b`),
  ],
  [
    /^g2-standard-/,
    zones(`asia-east1-a asia-east1-b asia-east1-c asia-northeast1-a asia-northeast1-b
      asia-northeast1-c asia-northeast3-a asia-northeast3-b asia-south1-a asia-south1-b
      asia-south1-c asia-southeast1-a asia-southeast1-b asia-southeast1-c europe-west1-b
      europe-west1-c europe-west2-a europe-west2-b europe-west3-a europe-west3-b europe-west4-a
      europe-west4-b europe-west4-c europe-west6-b europe-west6-c me-central2-a me-central2-c
      northamerica-northeast1-b northamerica-northeast2-a northamerica-northeast2-b
      us-central1-a us-central1-b us-central1-c us-east1-b us-east1-c us-east1-d us-east4-a
      us-east4-c us-west1-a us-west1-b us-west1-c us-west4-a us-west4-c`),
  ],
];

/** Zones where N1 VMs take attached T4s (gpu-regions-zones); N1 itself is offered in all of them. */
const N1_T4_ZONES =
  zones(`asia-east1-a asia-east1-c asia-northeast1-a asia-northeast1-c
  asia-south1-a asia-south1-b asia-southeast1-a asia-southeast1-b asia-southeast1-c europe-west1-b
  europe-west1-c europe-west1-d europe-west2-a europe-west2-b europe-west4-a europe-west4-b
  europe-west4-c us-central1-a us-central1-b us-central1-c us-central1-f us-east1-c us-east1-d
  us-east4-a us-east4-b us-east4-c us-west1-a us-west1-b us-west2-b us-west2-c us-west4-a
  us-west4-b`);

/** vCPUs and memory (MiB) of the GPU shapes (the machine-type tables of compute/docs/gpus). */
const GPU_SHAPES: Readonly<Record<string, [number, number]>> = {
  'a4-highgpu-8g': [224, 3968 * 1024],
  'a3-ultragpu-8g': [224, 2952 * 1024],
  'a3-megagpu-8g': [208, 1872 * 1024],
  'a3-highgpu-1g': [26, 234 * 1024],
  'a3-highgpu-2g': [52, 468 * 1024],
  'a3-highgpu-4g': [104, 936 * 1024],
  'a3-highgpu-8g': [208, 1872 * 1024],
  'a3-edgegpu-8g': [208, 1872 * 1024],
  'a2-ultragpu-1g': [12, 170 * 1024],
  'a2-ultragpu-2g': [24, 340 * 1024],
  'a2-ultragpu-4g': [48, 680 * 1024],
  'a2-ultragpu-8g': [96, 1360 * 1024],
  'a2-highgpu-1g': [12, 85 * 1024],
  'a2-highgpu-2g': [24, 170 * 1024],
  'a2-highgpu-4g': [48, 340 * 1024],
  'a2-highgpu-8g': [96, 680 * 1024],
  'a2-megagpu-16g': [96, 1360 * 1024],
  'g2-standard-4': [4, 16 * 1024],
  'g2-standard-8': [8, 32 * 1024],
  'g2-standard-12': [12, 48 * 1024],
  'g2-standard-16': [16, 64 * 1024],
  'g2-standard-24': [24, 96 * 1024],
  'g2-standard-32': [32, 128 * 1024],
  'g2-standard-48': [48, 192 * 1024],
  'g2-standard-96': [96, 384 * 1024],
};

/** General-purpose shapes offered in every zone: vCPUs, MiB per vCPU. */
const GENERAL_SHAPES: ReadonlyArray<[string, number, number]> = [
  ...[2, 4, 8, 16, 32].map(
    n => [`e2-standard-${n}`, n, 4096] as [string, number, number],
  ),
  ...[2, 4, 8, 16, 32].map(
    n => [`n2-standard-${n}`, n, 4096] as [string, number, number],
  ),
  ...[1, 2, 4, 8, 16, 32].map(
    n => [`n1-standard-${n}`, n, 3840] as [string, number, number],
  ),
];

/** A machine type as Compute Engine describes it in one zone. */
export interface MachineTypeShape {
  name: string;
  guestCpus: number;
  memoryMb: number;
  accelerators: Array<{
    guestAcceleratorType: string;
    guestAcceleratorCount: number;
  }>;
}

/** Every zone the emulator serves, sorted. */
export const EMULATED_ZONES: readonly string[] = [
  ...new Set([...GPU_FAMILY_ZONES.flatMap(([, list]) => list), ...N1_T4_ZONES]),
].sort();

/** The region of a zone (`us-central1-b` → `us-central1`). */
export const regionOfZone = (zone: string) => zone.replace(/-[a-z]$/, '');

/** Every region the emulator serves, sorted. */
export const EMULATED_REGIONS: readonly string[] = [
  ...new Set(EMULATED_ZONES.map(regionOfZone)),
].sort();

/** The machine types offered in a zone (empty for a zone the emulator does not serve). */
export function machineTypesInZone(zone: string): MachineTypeShape[] {
  if (!EMULATED_ZONES.includes(zone)) return [];
  const gpu = [...FIXED_GPU_MACHINES.entries()]
    .filter(([name]) =>
      GPU_FAMILY_ZONES.some(
        ([family, list]) => family.test(name) && list.includes(zone),
      ),
    )
    .filter(([name]) => GPU_SHAPES[name])
    .map(([name, gpus]) => ({
      name,
      guestCpus: GPU_SHAPES[name][0],
      memoryMb: GPU_SHAPES[name][1],
      accelerators: [
        {
          guestAcceleratorType: gpus.acceleratorType,
          guestAcceleratorCount: gpus.count,
        },
      ],
    }));
  const general = GENERAL_SHAPES.map(([name, cpus, mbPerCpu]) => ({
    name,
    guestCpus: cpus,
    memoryMb: cpus * mbPerCpu,
    accelerators: [],
  }));
  return [...general, ...gpu].sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * GPU quota metric of each accelerator type (the metric names of
 * https://cloud.google.com/compute/resource-usage#gpu_quota; the `PREEMPTIBLE_` variant is the
 * Spot / preemptible and DWS flex-start pool).
 */
export const GPU_QUOTA_METRICS: Readonly<Record<string, string>> = {
  'nvidia-b200': 'NVIDIA_B200_GPUS',
  'nvidia-h200-141gb': 'NVIDIA_H200_GPUS',
  'nvidia-h100-mega-80gb': 'NVIDIA_H100_MEGA_GPUS',
  'nvidia-h100-80gb': 'NVIDIA_H100_GPUS',
  'nvidia-a100-80gb': 'NVIDIA_A100_80GB_GPUS',
  'nvidia-tesla-a100': 'NVIDIA_A100_GPUS',
  'nvidia-l4': 'NVIDIA_L4_GPUS',
  'nvidia-tesla-t4': 'NVIDIA_T4_GPUS',
  'nvidia-tesla-v100': 'NVIDIA_V100_GPUS',
  'nvidia-tesla-p100': 'NVIDIA_P100_GPUS',
  'nvidia-tesla-p4': 'NVIDIA_P4_GPUS',
};

/** Every GPU quota metric a region reports, on-demand and preemptible. */
export const GPU_QUOTA_METRIC_NAMES: readonly string[] = Object.values(
  GPU_QUOTA_METRICS,
).flatMap(metric => [metric, `PREEMPTIBLE_${metric}`]);
