/**
 * What the nccl-tests image prints in the emulated cluster: a pod whose container runs
 * `all_gather_perf` (the stack's verification Job) "runs" it on the fabric of the nodes its Job's
 * pods landed on. Rank 0 (completion index 0) prints NCCL_DEBUG=INFO lines, nccl-tests' table
 * (nccl-tests 2.13+ `print_header` / `print_line_header` columns) and the Job script's marker
 * line, and exits 1 when the largest size's busbw is below MIN_BUS_BW, as the script does; the
 * other ranks print nothing and exit 0.
 *
 * The fabric of a node is healthy (NET/gIB at ~87 % of 8 × 400 Gbit/s) unless the node carries
 * `FABRIC_ANNOTATION: socket-fallback`, which models the gIB plugin or the RDMA interfaces
 * missing from the pods: NCCL falls back to NET/Socket over the node's gVNIC.
 */

type Obj = Record<string, any>;

/** Set on a Node to choose the fabric its NCCL runs see (`healthy` or `socket-fallback`). */
export const FABRIC_ANNOTATION = 'emulator.gpu-platform.dev/rdma-fabric';

export type EmulatedFabric = 'healthy' | 'socket-fallback';

/** The result of the emulated run of one pod's container. */
export interface EmulatedContainerRun {
  log: string;
  exitCode: number;
}

// 8 ConnectX-7 at 400 Gbit/s = 400 GB/s per node; a healthy RoCE ring sustains ~87 % at 8 GiB.
// The Socket fallback runs over one gVNIC (200 Gbit/s) with TCP copies: ~12 GB/s.
const PEAK_BUSBW_GBPS: Record<EmulatedFabric, number> = {
  healthy: 348,
  'socket-fallback': 11.6,
};
// Message size at which busbw reaches half its peak (latency-bound below).
const HALF_PEAK_BYTES: Record<EmulatedFabric, number> = {
  healthy: 32 * 2 ** 20,
  'socket-fallback': 4 * 2 ** 20,
};
const MAX_SIZES = 64;

const commandOf = (container: Obj) =>
  [...(container.command ?? []), ...(container.args ?? [])].join(' ');

/** The container that runs all_gather_perf, if the pod has one. */
export function ncclTestContainer(pod: Obj): Obj | undefined {
  return (pod.spec?.containers ?? []).find((c: Obj) =>
    commandOf(c).includes('all_gather_perf'),
  );
}

const envOf = (container: Obj, name: string): string | undefined =>
  (container.env ?? []).find((e: Obj) => e.name === name)?.value;

function bytesOf(text: string | undefined, fallback: number): number {
  const m = /^(\d{1,12})([KMG]?)$/.exec(text ?? '');
  if (!m) return fallback;
  const scale = { '': 1, K: 2 ** 10, M: 2 ** 20, G: 2 ** 30 }[m[2]] ?? 1;
  return Number(m[1]) * scale;
}

/** The sweep of `all_gather_perf -b <min> -e <max> -f <factor>` (1 KiB…8 GiB ×2 by default). */
function sweep(command: string): number[] {
  const arg = (flag: string) =>
    new RegExp(`all_gather_perf\\b[^\\n]*?\\s${flag}\\s+(\\S+)`).exec(
      command,
    )?.[1];
  const min = Math.max(1, bytesOf(arg('-b'), 1024));
  const max = bytesOf(arg('-e'), 8 * 2 ** 30);
  const factor = Math.max(2, Number(arg('-f') ?? 2) || 2);
  const sizes: number[] = [];
  for (let s = min; s <= max && sizes.length < MAX_SIZES; s *= factor)
    sizes.push(s);
  return sizes;
}

/** The fabric of a run: degraded if any node the Job's pods landed on is. */
export function fabricOf(nodes: Obj[]): EmulatedFabric {
  return nodes.some(
    n => n.metadata?.annotations?.[FABRIC_ANNOTATION] === 'socket-fallback',
  )
    ? 'socket-fallback'
    : 'healthy';
}

const fixed = (n: number, digits: number) => n.toFixed(digits);
const pad = (s: string, width: number) => s.padStart(width);

function infoLines(host: string, fabric: EmulatedFabric): string[] {
  const p = `${host}:212:212 [0] NCCL INFO`;
  if (fabric === 'healthy') {
    return [
      `${p} Bootstrap : Using eth0:10.8.0.5<0>`,
      `${p} NET/Plugin: Loaded net plugin gIB (v8)`,
      `${p} NET/gIB : Using [0]mlx5_0:1/RoCE [1]mlx5_1:1/RoCE [2]mlx5_2:1/RoCE [3]mlx5_3:1/RoCE [4]mlx5_4:1/RoCE [5]mlx5_5:1/RoCE [6]mlx5_6:1/RoCE [7]mlx5_7:1/RoCE ; OOB eth0:10.8.0.5<0>`,
      `${p} Using network gIB`,
    ];
  }
  return [
    `${p} Bootstrap : Using eth0:10.8.0.5<0>`,
    `${p} NET/Plugin: Could not find: libnccl-net.so. Using internal network plugin.`,
    `${p} NET/IB : No device found.`,
    `${p} NET/Socket : Using [0]eth0:10.8.0.5<0> [1]eth1:192.168.0.5<0>`,
    `${p} Using network Socket`,
  ];
}

/**
 * The emulated output and exit code of `pod`'s all_gather_perf container, `nodes` being the
 * nodes its Job's pods run on. Deterministic: the same inputs print the same log.
 */
export function runNcclAllGather(
  pod: Obj,
  nodes: Obj[],
): EmulatedContainerRun | undefined {
  const container = ncclTestContainer(pod);
  if (!container) return undefined;
  const index =
    pod.metadata?.labels?.['batch.kubernetes.io/job-completion-index'] ?? '0';
  if (index !== '0') return { log: '', exitCode: 0 };

  const fabric = fabricOf(nodes);
  const nodesCount = Math.max(2, Number(envOf(container, 'NODES')) || 2);
  const gpus = Math.max(1, Number(envOf(container, 'GPUS_PER_NODE')) || 8);
  const ranks = nodesCount * gpus;
  const threshold = Number(envOf(container, 'MIN_BUS_BW')) || 0;
  const host = `${envOf(container, 'JOB_NAME') ?? 'nccl'}-0`;
  const peak = PEAK_BUSBW_GBPS[fabric];
  const half = HALF_PEAK_BYTES[fabric];

  const lines = infoLines(host, fabric);
  lines.push(
    `# nThread 1 nGpus 1 minBytes 1024 maxBytes 8589934592 step: 2(factor) warmup iters: 5 iters: 100 agg iters: 1 validation: 1 graph: 0`,
    '#',
    `#                                                              out-of-place                       in-place          `,
    `#       size         count      type   redop    root     time   algbw   busbw #wrong     time   algbw   busbw #wrong`,
    `#        (B)    (elements)                               (us)  (GB/s)  (GB/s)            (us)  (GB/s)  (GB/s)       `,
  );
  let sum = 0;
  let last = 0;
  const sizes = sweep(commandOf(container));
  for (const size of sizes) {
    const busbw = (peak * size) / (size + half);
    const algbw = (busbw * ranks) / (ranks - 1);
    const timeUs = size / (algbw * 1e3);
    const inPlace = busbw * 1.003;
    const cols = (t: number, a: number, b: number) =>
      `${pad(fixed(t, t < 10000 ? 2 : 0), 8)} ${pad(fixed(a, 2), 7)} ${pad(
        fixed(b, 2),
        7,
      )} ${pad('0', 6)}`;
    lines.push(
      `${pad(String(size), 12)} ${pad(
        String(Math.floor(size / 4 / ranks)),
        13,
      )} ${pad('float', 9)} ${pad('none', 7)} ${pad('-1', 7)} ${cols(
        timeUs,
        algbw,
        busbw,
      )} ${cols(timeUs / 1.003, algbw * 1.003, inPlace)}`,
    );
    sum += Number(fixed(busbw, 2));
    last = Number(fixed(busbw, 2));
  }
  const avg = sizes.length ? sum / sizes.length : 0;
  lines.push(
    '# Out of bounds values : 0 OK',
    `# Avg bus bandwidth    : ${fixed(avg, 4)} `,
    '#',
    `GPU_PLATFORM_NCCL_RESULT busbw=${last} avg=${fixed(
      avg,
      4,
    )} threshold=${threshold} transport=NET/${
      fabric === 'healthy' ? 'gIB' : 'Socket'
    }`,
  );
  return { log: `${lines.join('\n')}\n`, exitCode: last >= threshold ? 0 : 1 };
}
