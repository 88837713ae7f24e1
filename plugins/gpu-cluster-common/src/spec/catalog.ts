/**
 * The accelerator catalog: every GPU machine shape the stack spec accepts, with the facts the
 * validator, the Terraform renderer and the manifest renderer need. Figures come from the GKE
 * GPU machine-type tables (A3 Ultra / A4 with 8 RDMA NICs; A3 Mega with GPUDirect-TCPXO, no RDMA).
 */

/** @public */
export type GpuType =
  | 'nvidia-h200-141gb'
  | 'nvidia-b200'
  | 'nvidia-h100-mega-80gb'
  | 'nvidia-h100-80gb'
  | 'nvidia-a100-80gb'
  | 'nvidia-tesla-a100'
  | 'nvidia-l4'
  | 'nvidia-tesla-t4';

/** @public */
export const GPU_TYPES: readonly GpuType[] = [
  'nvidia-h200-141gb',
  'nvidia-b200',
  'nvidia-h100-mega-80gb',
  'nvidia-h100-80gb',
  'nvidia-a100-80gb',
  'nvidia-tesla-a100',
  'nvidia-l4',
  'nvidia-tesla-t4',
];

/** One machine type with its attached (or attachable) GPUs. @public */
export interface AcceleratorCatalogEntry {
  machineType: string;
  family: 'a4' | 'a3' | 'a2' | 'g2' | 'n1';
  gpuType: GpuType;
  /** GPU counts the machine type accepts (a single value for machine types with built-in GPUs). */
  gpuCounts: readonly number[];
  /** The count used when the spec leaves `gpu.count` empty. */
  defaultGpuCount: number;
  gpuMemoryGb: number;
  /** vCPUs and memory of the VM (sizing of Ray workers). */
  vcpus: number;
  memoryGb: number;
  /** RDMA (RoCE) NICs of the machine; 0 when the machine has no GPUDirect-RDMA fabric. */
  rdmaNics: number;
  /** Whether DWS flex-start and queued provisioning accept this machine type. */
  supportsDws: boolean;
  /** Whether Spot VMs are offered. */
  supportsSpot: boolean;
  /** Whether a COMPACT placement policy may be combined with flex-start (CT precondition). */
  supportsCompactWithFlexStart: boolean;
  displayName: string;
}

function entry(
  e: Omit<
    AcceleratorCatalogEntry,
    | 'defaultGpuCount'
    | 'supportsSpot'
    | 'supportsDws'
    | 'supportsCompactWithFlexStart'
  > &
    Partial<AcceleratorCatalogEntry>,
): AcceleratorCatalogEntry {
  return {
    defaultGpuCount: e.gpuCounts[e.gpuCounts.length - 1],
    supportsSpot: true,
    supportsDws: true,
    supportsCompactWithFlexStart: false,
    ...e,
  };
}

const fixed = (
  family: AcceleratorCatalogEntry['family'],
  gpuType: GpuType,
  gpuMemoryGb: number,
  label: string,
  shapes: Array<[string, number, number, number]>,
  extra: Partial<AcceleratorCatalogEntry> = {},
) =>
  shapes.map(([machineType, count, vcpus, memoryGb]) =>
    entry({
      machineType,
      vcpus,
      memoryGb,
      family,
      gpuType,
      gpuCounts: [count],
      gpuMemoryGb,
      rdmaNics: 0,
      displayName: `${machineType} (${count}× ${label})`,
      ...extra,
    }),
  );

/** @public */
export const ACCELERATOR_CATALOG: readonly AcceleratorCatalogEntry[] = [
  ...fixed(
    'a3',
    'nvidia-h200-141gb',
    141,
    'H200',
    [['a3-ultragpu-8g', 8, 224, 2952]],
    {
      rdmaNics: 8,
      supportsCompactWithFlexStart: true,
    },
  ),
  ...fixed(
    'a4',
    'nvidia-b200',
    180,
    'B200',
    [['a4-highgpu-8g', 8, 224, 3968]],
    {
      rdmaNics: 8,
      supportsCompactWithFlexStart: true,
    },
  ),
  ...fixed('a3', 'nvidia-h100-mega-80gb', 80, 'H100 Mega', [
    ['a3-megagpu-8g', 8, 208, 1872],
  ]),
  ...fixed('a3', 'nvidia-h100-80gb', 80, 'H100', [
    ['a3-highgpu-1g', 1, 26, 234],
    ['a3-highgpu-2g', 2, 52, 468],
    ['a3-highgpu-4g', 4, 104, 936],
    ['a3-highgpu-8g', 8, 208, 1872],
  ]),
  ...fixed('a2', 'nvidia-a100-80gb', 80, 'A100 80GB', [
    ['a2-ultragpu-1g', 1, 12, 170],
    ['a2-ultragpu-2g', 2, 24, 340],
    ['a2-ultragpu-4g', 4, 48, 680],
    ['a2-ultragpu-8g', 8, 96, 1360],
  ]),
  ...fixed('a2', 'nvidia-tesla-a100', 40, 'A100 40GB', [
    ['a2-highgpu-1g', 1, 12, 85],
    ['a2-highgpu-2g', 2, 24, 170],
    ['a2-highgpu-4g', 4, 48, 340],
    ['a2-highgpu-8g', 8, 96, 680],
    ['a2-megagpu-16g', 16, 96, 1360],
  ]),
  ...fixed('g2', 'nvidia-l4', 24, 'L4', [
    ['g2-standard-4', 1, 4, 16],
    ['g2-standard-8', 1, 8, 32],
    ['g2-standard-12', 1, 12, 48],
    ['g2-standard-16', 1, 16, 64],
    ['g2-standard-24', 2, 24, 96],
    ['g2-standard-32', 1, 32, 128],
    ['g2-standard-48', 4, 48, 192],
    ['g2-standard-96', 8, 96, 384],
  ]),
  // N1 takes attachable T4s: 1, 2 or 4 per VM.
  ...[4, 8, 16, 32].map(vcpus =>
    entry({
      machineType: `n1-standard-${vcpus}`,
      vcpus,
      memoryGb: vcpus * 3.75,
      family: 'n1',
      gpuType: 'nvidia-tesla-t4',
      gpuCounts: [1, 2, 4],
      defaultGpuCount: 1,
      gpuMemoryGb: 16,
      rdmaNics: 0,
      displayName: `n1-standard-${vcpus} (1, 2 or 4× T4)`,
    }),
  ),
];

/** Machine types in catalog order (used for the spec's enum). @public */
export const MACHINE_TYPES = ACCELERATOR_CATALOG.map(e => e.machineType) as [
  string,
  ...string[],
];

/** @public */
export function findAccelerator(
  machineType: string,
): AcceleratorCatalogEntry | undefined {
  return ACCELERATOR_CATALOG.find(e => e.machineType === machineType);
}

/** @public */
export function isRdmaMachine(machineType: string): boolean {
  return (findAccelerator(machineType)?.rdmaNics ?? 0) > 0;
}
