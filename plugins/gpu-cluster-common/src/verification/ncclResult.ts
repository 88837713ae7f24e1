/**
 * Parser of the NCCL all_gather verification Job's log: nccl-tests' `all_gather_perf` table, the
 * NCCL_DEBUG=INFO lines naming the network transport, and the Job's own marker line. Pure and
 * bounded: input past `NCCL_LOG_MAX_CHARS` is cut, lines past `MAX_LINE_CHARS` are skipped, and
 * every regular expression is anchored without nested quantifiers.
 */

/** The marker line the verification Job prints after the table. @public */
export const NCCL_RESULT_MARKER = 'GPU_PLATFORM_NCCL_RESULT';

/** At most this much of a log is parsed (the head: the INFO lines come first, the table last). @public */
export const NCCL_LOG_MAX_CHARS = 1024 * 1024;

/** The table never has more rows than sizes 1 B…2^40 B, factor 2; more is not all_gather_perf. */
const MAX_ROWS = 64;
const MAX_LINE_CHARS = 4096;

/** Timing and bandwidth of one direction of a table row. @public */
export interface NcclRunFigures {
  timeUs: number;
  algBandwidthGBps: number;
  busBandwidthGBps: number;
  /** `#wrong` (data errors); undefined when the run did not check (`N/A`). */
  wrong?: number;
}

/** One message size of the table. @public */
export interface NcclSizeRow {
  sizeBytes: number;
  count: number;
  type: string;
  outOfPlace: NcclRunFigures;
  inPlace: NcclRunFigures;
}

/** Which network NCCL used between nodes. @public */
export interface NcclTransport {
  /** As NCCL names it: `NET/gIB`, `NET/IB`, `NET/Socket`… */
  name: string;
  /** `rdma` for the IB verbs plugins (gIB, IB), `socket` for the TCP fallback. */
  kind: 'rdma' | 'socket' | 'other';
}

/** The marker line's fields, as the Job computed them. @public */
export interface NcclMarker {
  /** busbw of the largest message size, which the Job compared with the threshold. */
  busBandwidthGBps: number;
  thresholdGBps: number;
  transport: string;
}

/** @public */
export type NcclAllGatherParse =
  | {
      parsed: true;
      rows: NcclSizeRow[];
      /** `# Avg bus bandwidth`, else the mean of the out-of-place busbw. */
      avgBusBandwidthGBps: number;
      /**
       * Out-of-place busbw of the largest message size: what the fabric sustains, and what the
       * verification judges (the average over 1 KiB…8 GiB is dominated by latency-bound sizes).
       */
      largestSizeBusBandwidthGBps: number;
      largestSizeBytes: number;
      transport?: NcclTransport;
      marker?: NcclMarker;
      /** Sum of `#wrong` over the rows (0 when the run did not check). */
      wrongValues: number;
      /** The log was longer than `NCCL_LOG_MAX_CHARS`. */
      truncated: boolean;
    }
  | {
      parsed: false;
      /** Why, in one sentence a person can act on. */
      reason: string;
      transport?: NcclTransport;
      marker?: NcclMarker;
      truncated: boolean;
    };

const NUMBER = /^-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?$/;
const INTEGER = /^\d+$/;
const AVG_LINE = /^#\s*Avg bus bandwidth\s*:\s*(\S+)/;
const USING_NETWORK = /NCCL INFO Using network (\w+)/;
const NET_NAME = /\bNET\/(\w+)/;
const MARKER_FIELD = /^(busbw|threshold|transport)=(\S*)$/;

function finite(token: string | undefined): number | undefined {
  if (token === undefined || !NUMBER.test(token)) return undefined;
  const n = Number(token);
  return Number.isFinite(n) ? n : undefined;
}

function figures(tokens: string[]): NcclRunFigures | undefined {
  const [time, alg, bus, wrong] = tokens;
  const timeUs = finite(time);
  const algBandwidthGBps = finite(alg);
  const busBandwidthGBps = finite(bus);
  if (
    timeUs === undefined ||
    algBandwidthGBps === undefined ||
    busBandwidthGBps === undefined
  )
    return undefined;
  let wrongCount: number | undefined;
  if (wrong !== 'N/A') {
    if (!INTEGER.test(wrong ?? '')) return undefined;
    wrongCount = Number(wrong);
  }
  return { timeUs, algBandwidthGBps, busBandwidthGBps, wrong: wrongCount };
}

/**
 * A data row: `size count type [redop] [root] time algbw busbw #wrong time algbw busbw #wrong`.
 * nccl-tests 2.13+ prints redop (`none`) and root (`-1`) for every collective; older builds
 * printed fewer columns, so the figures are read from the end and the head must be size, count,
 * type.
 */
function parseRow(line: string): NcclSizeRow | undefined {
  const tokens = line.split(/\s+/);
  if (tokens.length < 11 || tokens.length > 13) return undefined;
  const [size, count, type] = tokens;
  if (!INTEGER.test(size) || !INTEGER.test(count) || !/^\w+$/.test(type))
    return undefined;
  const outOfPlace = figures(tokens.slice(-8, -4));
  const inPlace = figures(tokens.slice(-4));
  if (!outOfPlace || !inPlace) return undefined;
  return {
    sizeBytes: Number(size),
    count: Number(count),
    type,
    outOfPlace,
    inPlace,
  };
}

function transportOf(name: string): NcclTransport {
  const plugin = name.replace(/^NET\//, '');
  let kind: NcclTransport['kind'] = 'other';
  if (plugin === 'gIB' || plugin === 'IB') kind = 'rdma';
  else if (plugin === 'Socket') kind = 'socket';
  return { name: `NET/${plugin}`, kind };
}

function parseMarker(line: string): NcclMarker | undefined {
  const fields = new Map<string, string>();
  for (const token of line.split(/\s+/).slice(1)) {
    const m = MARKER_FIELD.exec(token);
    if (m) fields.set(m[1], m[2]);
  }
  const busBandwidthGBps = finite(fields.get('busbw'));
  const thresholdGBps = finite(fields.get('threshold'));
  const transport = fields.get('transport');
  if (busBandwidthGBps === undefined || thresholdGBps === undefined)
    return undefined;
  return {
    busBandwidthGBps,
    thresholdGBps,
    transport:
      transport && /^[\w/]{1,32}$/.test(transport) ? transport : 'unknown',
  };
}

/**
 * Parses the rank-0 log of the verification Job. Garbage, an empty log or a log without the
 * table yields `parsed: false` with the reason; it never throws.
 * @public
 */
export function parseNcclAllGatherLog(log: string): NcclAllGatherParse {
  const text = typeof log === 'string' ? log : '';
  const truncated = text.length > NCCL_LOG_MAX_CHARS;
  const head = truncated ? text.slice(0, NCCL_LOG_MAX_CHARS) : text;

  const rows: NcclSizeRow[] = [];
  let avg: number | undefined;
  let usingNetwork: string | undefined;
  let firstNet: string | undefined;
  let marker: NcclMarker | undefined;
  let tooManyRows = false;

  for (const raw of head.split('\n')) {
    if (raw.length > MAX_LINE_CHARS) continue;
    const line = raw.trim();
    if (!line) continue;
    if (line.startsWith(NCCL_RESULT_MARKER)) {
      marker = parseMarker(line) ?? marker;
      continue;
    }
    if (line.startsWith('#')) {
      const m = AVG_LINE.exec(line);
      if (m) avg = finite(m[1]) ?? avg;
      continue;
    }
    if (line.includes('NCCL INFO')) {
      usingNetwork ??= USING_NETWORK.exec(line)?.[1];
      firstNet ??= NET_NAME.exec(line)?.[1];
      continue;
    }
    const row = parseRow(line);
    if (row) {
      if (rows.length >= MAX_ROWS) tooManyRows = true;
      else rows.push(row);
    }
  }

  const transportName = usingNetwork ?? firstNet;
  const transport = transportName ? transportOf(transportName) : undefined;
  if (tooManyRows) {
    return {
      parsed: false,
      reason: `Unparseable: more than ${MAX_ROWS} table rows; this is not all_gather_perf output.`,
      transport,
      marker,
      truncated,
    };
  }
  if (rows.length === 0) {
    return {
      parsed: false,
      reason: truncated
        ? `Unparseable: no all_gather_perf table in the first ${NCCL_LOG_MAX_CHARS} characters of the log.`
        : 'Unparseable: the log has no all_gather_perf table (the test did not run or its output is not nccl-tests).',
      transport,
      marker,
      truncated,
    };
  }
  const wrongValues = rows.reduce(
    (sum, r) => sum + (r.outOfPlace.wrong ?? 0) + (r.inPlace.wrong ?? 0),
    0,
  );
  const mean =
    rows.reduce((sum, r) => sum + r.outOfPlace.busBandwidthGBps, 0) /
    rows.length;
  const largest = rows.reduce((a, b) => (b.sizeBytes > a.sizeBytes ? b : a));
  return {
    parsed: true,
    rows,
    avgBusBandwidthGBps: avg ?? Math.round(mean * 1000) / 1000,
    largestSizeBusBandwidthGBps: largest.outOfPlace.busBandwidthGBps,
    largestSizeBytes: largest.sizeBytes,
    transport,
    marker,
    wrongValues,
    truncated,
  };
}
