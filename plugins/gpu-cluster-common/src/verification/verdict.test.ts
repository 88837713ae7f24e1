import { ACCELERATOR_CATALOG } from '../spec/catalog';
import {
  NCCL_ALL_GATHER_EXPECTATIONS,
  ncclAllGatherExpectation,
  ncclMinBusBandwidthGBps,
} from './expectations';
import { parseNcclAllGatherLog } from './ncclResult';
import { fabricVerificationRun, formatBytes, judgeNcclRun } from './verdict';

const row = (busbw: number) =>
  `  8589934592     134217728     float    none      -1    24190  355.10  ${busbw}      0    24107  356.33  ${busbw}      0\n`;
const log = (transport: string, avg: number, wrong = 0) =>
  `x:1:1 [0] NCCL INFO Using network ${transport}\n${row(avg).replace(
    '  0    24107',
    `  ${wrong}    24107`,
  )}# Avg bus bandwidth    : ${avg}\n`;

const a3Ultra = ncclAllGatherExpectation('a3-ultragpu-8g')!;

describe('NCCL all_gather expectations', () => {
  it('covers every RDMA machine type of the accelerator catalog and nothing else', () => {
    expect(NCCL_ALL_GATHER_EXPECTATIONS.map(e => e.machineType).sort()).toEqual(
      ACCELERATOR_CATALOG.filter(e => e.rdmaNics > 0)
        .map(e => e.machineType)
        .sort(),
    );
  });

  it('derives the figures from 8 × 400 Gbit/s RDMA NICs', () => {
    expect(a3Ultra).toMatchObject({
      rdmaNics: 8,
      lineRateGBps: 400,
      expectedBusBandwidthGBps: 340,
      minBusBandwidthGBps: 240,
    });
    expect(a3Ultra.source).toMatch(/^Compute Engine .* https:\/\//);
  });

  it('lets the spec override the threshold, else takes the catalog minimum', () => {
    expect(ncclMinBusBandwidthGBps('a4-highgpu-8g')).toBe(240);
    expect(ncclMinBusBandwidthGBps('a4-highgpu-8g', 100)).toBe(100);
    expect(ncclMinBusBandwidthGBps('g2-standard-96')).toBeUndefined();
  });
});

describe('judgeNcclRun', () => {
  const judge = (
    text: string,
    jobOutcome: 'Complete' | 'Failed' = 'Complete',
  ) =>
    judgeNcclRun({
      parse: parseNcclAllGatherLog(text),
      jobOutcome,
      expectation: a3Ultra,
    });

  it('passes at the expected figure on gIB', () => {
    expect(judge(log('gIB', 345))).toEqual({
      verdict: 'pass',
      reasons: [],
      thresholdGBps: 240,
    });
  });

  it('is below expected between the threshold and the expected figure', () => {
    const judged = judge(log('gIB', 300));
    expect(judged.verdict).toBe('belowExpected');
    expect(judged.reasons).toEqual([
      'Bus bandwidth 300 GB/s at 8 GiB is below the 340 GB/s expected for a3-ultragpu-8g.',
    ]);
  });

  it('judges the largest size, not the average over latency-bound sizes', () => {
    const judged = judge(
      `${row(345).replace(/^ +8589934592/, '        1024')}${row(
        345,
      )}# Avg bus bandwidth    : 120\n`,
    );
    expect(judged.verdict).toBe('pass');
  });

  it('fails below the threshold', () => {
    const judged = judge(log('gIB', 120));
    expect(judged.verdict).toBe('fail');
    expect(judged.reasons[0]).toMatch(/below the threshold of 240/);
  });

  it('fails on the Socket fallback whatever the figure', () => {
    const judged = judgeNcclRun({
      parse: parseNcclAllGatherLog(log('Socket', 300)),
      jobOutcome: 'Complete',
      expectation: a3Ultra,
      thresholdGBps: 100,
    });
    expect(judged.verdict).toBe('fail');
    expect(judged.reasons[0]).toMatch(/NET\/Socket \(TCP\)/);
  });

  it('fails on wrong values and on a failed Job', () => {
    expect(judge(log('gIB', 345, 2)).verdict).toBe('fail');
    expect(judge(log('gIB', 345), 'Failed').verdict).toBe('fail');
  });

  it('takes the threshold the Job ran with from the marker', () => {
    const judged = judgeNcclRun({
      parse: parseNcclAllGatherLog(
        `${log(
          'gIB',
          150,
        )}GPU_PLATFORM_NCCL_RESULT busbw=150 threshold=100 transport=NET/gIB\n`,
      ),
      jobOutcome: 'Complete',
      expectation: a3Ultra,
    });
    expect(judged.thresholdGBps).toBe(100);
    expect(judged.verdict).toBe('belowExpected');
  });

  it('is unparseable without a table', () => {
    const judged = judge('peer 1 never came up\n', 'Failed');
    expect(judged.verdict).toBe('unparseable');
    expect(judged.reasons).toEqual([
      'The verification Job failed before printing a result.',
      expect.stringMatching(/^Unparseable/),
    ]);
  });
});

describe('fabricVerificationRun', () => {
  it('keeps the figures per size and no log text', () => {
    const run = fabricVerificationRun(
      {
        uid: 'u1',
        namespace: 'gpu',
        name: 'nccl-allgather-test',
        outcome: 'Complete',
        finishedAt: '2026-11-29T10:00:00Z',
      },
      parseNcclAllGatherLog(log('gIB', 345)),
      {
        readAt: '2026-11-29T10:00:05Z',
        machineType: 'a3-ultragpu-8g',
        expectation: a3Ultra,
      },
    );
    expect(run).toEqual({
      jobUid: 'u1',
      namespace: 'gpu',
      jobName: 'nccl-allgather-test',
      jobOutcome: 'Complete',
      finishedAt: '2026-11-29T10:00:00Z',
      readAt: '2026-11-29T10:00:05Z',
      machineType: 'a3-ultragpu-8g',
      verdict: 'pass',
      reasons: [],
      busBandwidthGBps: 345,
      largestSizeBytes: 8589934592,
      avgBusBandwidthGBps: 345,
      thresholdGBps: 240,
      expectedBusBandwidthGBps: 340,
      lineRateGBps: 400,
      transport: { name: 'NET/gIB', kind: 'rdma' },
      wrongValues: 0,
      sizes: [
        {
          sizeBytes: 8589934592,
          busBandwidthGBps: 345,
          inPlaceBusBandwidthGBps: 345,
        },
      ],
    });
  });
});

describe('formatBytes', () => {
  it.each([
    [1024, '1 KiB'],
    [8589934592, '8 GiB'],
    [1536, '1.5 KiB'],
    [512, '512 B'],
  ])('%d → %s', (bytes, text) => expect(formatBytes(bytes)).toBe(text));
});
