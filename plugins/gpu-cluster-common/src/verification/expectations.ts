import { findAccelerator } from '../spec/catalog';

/**
 * What the NCCL all_gather verification should reach on one machine type's RDMA fabric: the
 * figure the page compares a run with, and the pass threshold the verification Job checks
 * (`MIN_BUS_BW`). The Job, the status backend, the CLI and the page all read it from here.
 * @public
 */
export interface NcclAllGatherExpectation {
  machineType: string;
  /** The RDMA fabric the figure holds for. */
  fabric: 'GPUDirect-RDMA (RoCE, gIB)';
  /** RDMA NICs × line rate of each, in Gbit/s. */
  rdmaNics: number;
  nicGbps: number;
  /** The NICs' line rate per node in GB/s (rdmaNics × nicGbps / 8): the ceiling of busbw. */
  lineRateGBps: number;
  /** The all_gather bus bandwidth a healthy two-node run reaches at the largest size (GB/s). */
  expectedBusBandwidthGBps: number;
  /** Below this, at the largest size, the verification fails (GB/s). */
  minBusBandwidthGBps: number;
  /** Where the NIC figure comes from. */
  source: string;
  /** How expected and minimum derive from it (no published measured figure exists; see below). */
  derivation: string;
}

// Neither Google's GKE pages on A3 Ultra / A4 GPUDirect-RDMA nor the Cluster Toolkit pages publish
// an expected all_gather bus bandwidth for these machine types (searched 2026-11: they show how
// to run nccl-tests, not the figure to expect). So the figures derive from the NIC line rate:
// - busbw is normalised to the bottleneck link (nccl-tests doc/PERFORMANCE.md), which across
//   nodes is the node's RDMA NICs: 8 × 400 Gbit/s = 400 GB/s.
// - The figure judged is the busbw of the largest message size (8 GiB): nccl-tests' "Avg bus
//   bandwidth" over 1 KiB…8 GiB is dominated by the latency-bound small sizes and says little
//   about the fabric.
// - A healthy RoCE ring reaches ~85 % of line rate at large messages (protocol and header
//   overhead): expected 85 %.
// - Failing below 60 % of line rate leaves room for run-to-run noise, yet catches the failures
//   that matter: the TCP Socket fallback (a few GB/s) and a NIC or rail down with stalls.
const EXPECTED_SHARE = 0.85;
const MIN_SHARE = 0.6;

function rdmaExpectation(
  machineType: string,
  nicGbps: number,
  source: string,
): NcclAllGatherExpectation {
  const rdmaNics = findAccelerator(machineType)?.rdmaNics ?? 0;
  const lineRateGBps = (rdmaNics * nicGbps) / 8;
  return {
    machineType,
    fabric: 'GPUDirect-RDMA (RoCE, gIB)',
    rdmaNics,
    nicGbps,
    lineRateGBps,
    expectedBusBandwidthGBps: Math.round(lineRateGBps * EXPECTED_SHARE),
    minBusBandwidthGBps: Math.round(lineRateGBps * MIN_SHARE),
    source,
    derivation: `No published all_gather figure for ${machineType}: expected ${
      EXPECTED_SHARE * 100
    } % and minimum ${
      MIN_SHARE * 100
    } % of the RDMA line rate (${rdmaNics} × ${nicGbps} Gbit/s).`,
  };
}

/** @public */
export const NCCL_ALL_GATHER_EXPECTATIONS: readonly NcclAllGatherExpectation[] =
  [
    rdmaExpectation(
      'a3-ultragpu-8g',
      400,
      'Compute Engine accelerator-optimized machines, A3 Ultra: 8 × NVIDIA ConnectX-7 400 Gbps RDMA NICs (3,200 Gbps GPU-to-GPU) — https://cloud.google.com/compute/docs/accelerator-optimized-machines#a3-ultra-vms',
    ),
    rdmaExpectation(
      'a4-highgpu-8g',
      400,
      'Compute Engine accelerator-optimized machines, A4: 8 × NVIDIA ConnectX-7 400 Gbps RDMA NICs (3,200 Gbps GPU-to-GPU) — https://cloud.google.com/compute/docs/accelerator-optimized-machines#a4-vms',
    ),
  ];

/** The expectation of a machine type, or undefined when it has no RDMA fabric. @public */
export function ncclAllGatherExpectation(
  machineType: string,
): NcclAllGatherExpectation | undefined {
  return NCCL_ALL_GATHER_EXPECTATIONS.find(e => e.machineType === machineType);
}

/**
 * The pass threshold of the verification Job: the spec's override if set, else the catalog's
 * minimum for the machine type.
 * @public
 */
export function ncclMinBusBandwidthGBps(
  machineType: string,
  override?: number,
): number | undefined {
  return override ?? ncclAllGatherExpectation(machineType)?.minBusBandwidthGBps;
}
