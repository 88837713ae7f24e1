import type { NcclAllGatherExpectation } from './expectations';
import type { NcclAllGatherParse, NcclTransport } from './ncclResult';

/**
 * `pass`: at or above the expected figure on RDMA. `belowExpected`: passes the threshold but
 * under the expected figure. `fail`: below the threshold, on the TCP Socket fallback, data
 * errors, or the Job failed. `unparseable`: the log holds no result.
 * @public
 */
export type NcclVerdict = 'pass' | 'belowExpected' | 'fail' | 'unparseable';

/** Bus bandwidth of one message size (GB/s). @public */
export interface NcclSizeBandwidth {
  sizeBytes: number;
  busBandwidthGBps: number;
  inPlaceBusBandwidthGBps: number;
}

/**
 * One verification run as kept with the cluster and served in the status: small (at most one
 * entry per message size, no log text).
 * @public
 */
export interface FabricVerificationRun {
  /** The Job's uid: one run is read once, whichever backend replica sees it finish. */
  jobUid: string;
  namespace: string;
  jobName: string;
  /** How the Job ended. */
  jobOutcome: 'Complete' | 'Failed';
  finishedAt?: string;
  /** When the log was read. */
  readAt: string;
  machineType?: string;
  verdict: NcclVerdict;
  /** Why the verdict is not pass, one sentence each. */
  reasons: string[];
  /** busbw of the largest message size: the figure judged against threshold and expected. */
  busBandwidthGBps?: number;
  largestSizeBytes?: number;
  /** nccl-tests' average over every size (latency-bound sizes included), for reference. */
  avgBusBandwidthGBps?: number;
  thresholdGBps?: number;
  expectedBusBandwidthGBps?: number;
  lineRateGBps?: number;
  transport?: NcclTransport;
  wrongValues?: number;
  sizes: NcclSizeBandwidth[];
}

/** An earlier run, in brief. @public */
export type FabricVerificationBrief = Pick<
  FabricVerificationRun,
  | 'jobUid'
  | 'finishedAt'
  | 'readAt'
  | 'verdict'
  | 'busBandwidthGBps'
  | 'transport'
>;

/** What the status carries of the fabric verification: the last run whole, earlier ones in brief. @public */
export interface FabricVerificationSummary {
  latest?: FabricVerificationRun;
  /** Earlier runs, newest first (at most 9). */
  previous: FabricVerificationBrief[];
}

/** @public */
export interface NcclVerdictInput {
  parse: NcclAllGatherParse;
  jobOutcome: 'Complete' | 'Failed';
  expectation?: NcclAllGatherExpectation;
  /** The threshold the Job ran with (its MIN_BUS_BW); defaults to the marker's, then the catalog's. */
  thresholdGBps?: number;
}

/** Judges one run against the catalog's figures for its machine type. @public */
export function judgeNcclRun(input: NcclVerdictInput): {
  verdict: NcclVerdict;
  reasons: string[];
  thresholdGBps?: number;
} {
  const { parse, jobOutcome, expectation } = input;
  const thresholdGBps =
    input.thresholdGBps ??
    (parse.marker?.thresholdGBps || undefined) ??
    expectation?.minBusBandwidthGBps;
  const reasons: string[] = [];
  if (parse.transport?.kind === 'socket') {
    reasons.push(
      `NCCL used ${parse.transport.name} (TCP) instead of the RDMA plugin (NET/gIB): the gIB plugin or the RDMA interfaces were not available to the pods.`,
    );
  }
  if (!parse.parsed) {
    if (jobOutcome === 'Failed')
      reasons.push('The verification Job failed before printing a result.');
    reasons.push(parse.reason);
    return { verdict: 'unparseable', reasons, thresholdGBps };
  }
  const busbw = parse.largestSizeBusBandwidthGBps;
  const at = formatBytes(parse.largestSizeBytes);
  let verdict: NcclVerdict = 'pass';
  if (thresholdGBps !== undefined && busbw < thresholdGBps) {
    verdict = 'fail';
    reasons.push(
      `Bus bandwidth ${busbw} GB/s at ${at} is below the threshold of ${thresholdGBps} GB/s.`,
    );
  } else if (expectation && busbw < expectation.expectedBusBandwidthGBps) {
    verdict = 'belowExpected';
    reasons.push(
      `Bus bandwidth ${busbw} GB/s at ${at} is below the ${expectation.expectedBusBandwidthGBps} GB/s expected for ${expectation.machineType}.`,
    );
  }
  if (parse.transport?.kind === 'socket') verdict = 'fail';
  if (parse.wrongValues > 0) {
    verdict = 'fail';
    reasons.push(
      `${parse.wrongValues} wrong values: the collective corrupted data.`,
    );
  }
  if (jobOutcome === 'Failed' && verdict !== 'fail') {
    verdict = 'fail';
    reasons.push('The verification Job failed.');
  }
  return { verdict, reasons, thresholdGBps };
}

/** 1024 → "1 KiB", 8589934592 → "8 GiB" (sizes of an all_gather_perf sweep). @public */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${Number.isInteger(value) ? value : value.toFixed(1)} ${units[unit]}`;
}

/** Builds the kept record of one run. @public */
export function fabricVerificationRun(
  job: {
    uid: string;
    namespace: string;
    name: string;
    outcome: 'Complete' | 'Failed';
    finishedAt?: string;
  },
  parse: NcclAllGatherParse,
  options: {
    readAt: string;
    machineType?: string;
    expectation?: NcclAllGatherExpectation;
    thresholdGBps?: number;
  },
): FabricVerificationRun {
  const judged = judgeNcclRun({
    parse,
    jobOutcome: job.outcome,
    expectation: options.expectation,
    thresholdGBps: options.thresholdGBps,
  });
  return {
    jobUid: job.uid,
    namespace: job.namespace,
    jobName: job.name,
    jobOutcome: job.outcome,
    finishedAt: job.finishedAt,
    readAt: options.readAt,
    machineType: options.machineType,
    verdict: judged.verdict,
    reasons: judged.reasons,
    busBandwidthGBps: parse.parsed
      ? parse.largestSizeBusBandwidthGBps
      : undefined,
    largestSizeBytes: parse.parsed ? parse.largestSizeBytes : undefined,
    avgBusBandwidthGBps: parse.parsed ? parse.avgBusBandwidthGBps : undefined,
    thresholdGBps: judged.thresholdGBps,
    expectedBusBandwidthGBps: options.expectation?.expectedBusBandwidthGBps,
    lineRateGBps: options.expectation?.lineRateGBps,
    transport: parse.transport,
    wrongValues: parse.parsed ? parse.wrongValues : undefined,
    sizes: parse.parsed
      ? parse.rows.map(r => ({
          sizeBytes: r.sizeBytes,
          busBandwidthGBps: r.outOfPlace.busBandwidthGBps,
          inPlaceBusBandwidthGBps: r.inPlace.busBandwidthGBps,
        }))
      : [],
  };
}
