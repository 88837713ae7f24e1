import { NCCL_LOG_MAX_CHARS, parseNcclAllGatherLog } from './ncclResult';

// The shape nccl-tests 2.13+ prints (src/common.cu print_header / print_line_header and the
// footer of run()), with NCCL_DEBUG=INFO NCCL_DEBUG_SUBSYS=INIT,NET lines from two ranks first.
const RDMA_LOG = `nccl-allgather-test-0:212:212 [0] NCCL INFO Bootstrap : Using eth0:10.8.0.5<0>
nccl-allgather-test-0:212:212 [0] NCCL INFO NET/Plugin: Loaded net plugin gIB (v8)
nccl-allgather-test-0:212:212 [0] NCCL INFO NET/gIB : Initializing gIB v1.0.6
nccl-allgather-test-0:212:212 [0] NCCL INFO NET/gIB : Using [0]mlx5_0:1/RoCE [1]mlx5_1:1/RoCE [2]mlx5_2:1/RoCE [3]mlx5_3:1/RoCE [4]mlx5_4:1/RoCE [5]mlx5_5:1/RoCE [6]mlx5_6:1/RoCE [7]mlx5_7:1/RoCE ; OOB eth0:10.8.0.5<0>
nccl-allgather-test-0:212:212 [0] NCCL INFO Using network gIB
# nThread 1 nGpus 1 minBytes 1024 maxBytes 8589934592 step: 2(factor) warmup iters: 5 iters: 100 agg iters: 1 validation: 1 graph: 0
#
# Using devices
#  Rank  0 Group  0 Pid    212 on nccl-allgather-test-0 device  0 [0000:8f:00] NVIDIA H200
#  Rank  8 Group  0 Pid    198 on nccl-allgather-test-1 device  0 [0000:8f:00] NVIDIA H200
nccl-allgather-test-0:212:230 [0] NCCL INFO Channel 00/0 : 15[7] -> 0[0] [receive] via NET/gIB/0/GDRDMA
#
#                                                              out-of-place                       in-place          
#       size         count      type   redop    root     time   algbw   busbw #wrong     time   algbw   busbw #wrong
#        (B)    (elements)                               (us)  (GB/s)  (GB/s)            (us)  (GB/s)  (GB/s)       
        1024            16     float    none      -1    38.71    0.03    0.02      0    37.95    0.03    0.03      0
        2048            32     float    none      -1    39.02    0.05    0.05      0    38.80    0.05    0.05      0
   134217728       2097152     float    none      -1   1220.4  109.98  103.10      0   1198.7  111.97  104.97      0
  8589934592     134217728     float    none      -1    24190  355.10  332.91      0    24107  356.33  334.06      0
# Out of bounds values : 0 OK
# Avg bus bandwidth    : 110.0345 
#
GPU_PLATFORM_NCCL_RESULT busbw=110.0345 threshold=240 transport=NET/gIB
`;

describe('parseNcclAllGatherLog', () => {
  it('reads every size, the average, the RDMA transport and the marker', () => {
    const result = parseNcclAllGatherLog(RDMA_LOG);
    expect(result.parsed).toBe(true);
    if (!result.parsed) return;
    expect(result.rows.map(r => r.sizeBytes)).toEqual([
      1024, 2048, 134217728, 8589934592,
    ]);
    expect(result.rows[3]).toEqual({
      sizeBytes: 8589934592,
      count: 134217728,
      type: 'float',
      outOfPlace: {
        timeUs: 24190,
        algBandwidthGBps: 355.1,
        busBandwidthGBps: 332.91,
        wrong: 0,
      },
      inPlace: {
        timeUs: 24107,
        algBandwidthGBps: 356.33,
        busBandwidthGBps: 334.06,
        wrong: 0,
      },
    });
    expect(result.avgBusBandwidthGBps).toBe(110.0345);
    expect(result.largestSizeBytes).toBe(8589934592);
    expect(result.largestSizeBusBandwidthGBps).toBe(332.91);
    expect(result.transport).toEqual({ name: 'NET/gIB', kind: 'rdma' });
    expect(result.marker).toEqual({
      busBandwidthGBps: 110.0345,
      thresholdGBps: 240,
      transport: 'NET/gIB',
    });
    expect(result.wrongValues).toBe(0);
    expect(result.truncated).toBe(false);
  });

  it('recognises the TCP Socket fallback', () => {
    const log = `x:1:1 [0] NCCL INFO NET/Socket : Using [0]eth0:10.8.0.5<0>
x:1:1 [0] NCCL INFO Using network Socket
        1024            16     float    none      -1    98.10    0.01    0.01      0    97.00    0.01    0.01      0
# Avg bus bandwidth    : 3.2 
`;
    const result = parseNcclAllGatherLog(log);
    expect(result.transport).toEqual({ name: 'NET/Socket', kind: 'socket' });
    expect(result.parsed && result.avgBusBandwidthGBps).toBe(3.2);
  });

  it('takes NET/IB from the INFO lines when no "Using network" line is printed', () => {
    const log = `x:1:1 [0] NCCL INFO NET/IB : Using [0]mlx5_0:1/RoCE
        1024            16     float    none      -1    38.71    0.03    0.02      0    37.95    0.03    0.03      0
`;
    const result = parseNcclAllGatherLog(log);
    expect(result.transport).toEqual({ name: 'NET/IB', kind: 'rdma' });
    // No "# Avg bus bandwidth" line: the mean of the out-of-place busbw.
    expect(result.parsed && result.avgBusBandwidthGBps).toBe(0.02);
  });

  it('reads older tables without redop and root, and N/A when validation is off', () => {
    const log = `        1024            16     float    38.71    0.03    0.02    N/A    37.95    0.03    0.03    N/A
    1048576        262144     float    140.2    7.48    7.01    N/A    139.0    7.54    7.07    N/A
`;
    const result = parseNcclAllGatherLog(log);
    expect(result.parsed).toBe(true);
    if (!result.parsed) return;
    expect(result.rows).toHaveLength(2);
    expect(result.rows[1].outOfPlace.wrong).toBeUndefined();
    expect(result.wrongValues).toBe(0);
  });

  it('counts wrong values', () => {
    const log = `        1024            16     float    none      -1    38.71    0.03    0.02      3    37.95    0.03    0.03      1
`;
    const result = parseNcclAllGatherLog(log);
    expect(result.parsed && result.wrongValues).toBe(4);
  });

  it.each([
    ['an empty log', ''],
    ['a crash', 'bash: all_gather_perf: command not found\n'],
    ['binary garbage', '\u0000\u0001\u00ff'.repeat(1000)],
    ['a header only', '#       size         count      type   redop\n'],
    [
      'rows with non-numeric figures',
      '1024 16 float none -1 abc 0.03 0.02 0 37.95 0.03 0.03 0\n',
    ],
  ])('says %s is unparseable', (_, log) => {
    const result = parseNcclAllGatherLog(log);
    expect(result.parsed).toBe(false);
    if (result.parsed) return;
    expect(result.reason).toMatch(/^Unparseable: /);
  });

  it('returns unparseable for non-string input instead of throwing', () => {
    expect(parseNcclAllGatherLog(undefined as unknown as string).parsed).toBe(
      false,
    );
  });

  it('keeps the marker of a failed run without a table', () => {
    const result = parseNcclAllGatherLog(
      'peer 1 never came up\nGPU_PLATFORM_NCCL_RESULT busbw=0 threshold=240 transport=unknown\n',
    );
    expect(result.parsed).toBe(false);
    expect(result.marker).toEqual({
      busBandwidthGBps: 0,
      thresholdGBps: 240,
      transport: 'unknown',
    });
  });

  it('refuses more rows than any all_gather_perf sweep prints', () => {
    const row =
      '        1024            16     float    none      -1    38.71    0.03    0.02      0    37.95    0.03    0.03      0\n';
    const result = parseNcclAllGatherLog(row.repeat(65));
    expect(result.parsed).toBe(false);
    expect(!result.parsed && result.reason).toMatch(/more than 64 table rows/);
  });

  it('parses only the head of an oversized log and says so', () => {
    const row =
      '        1024            16     float    none      -1    38.71    0.03    0.02      0    37.95    0.03    0.03      0\n';
    const result = parseNcclAllGatherLog(
      row + 'x'.repeat(NCCL_LOG_MAX_CHARS) + row,
    );
    expect(result.truncated).toBe(true);
    expect(result.parsed && result.rows).toHaveLength(1);
  });

  it('skips over-long lines and stays linear on pathological input', () => {
    const hostile = [
      `${'1 '.repeat(5000)}\n`,
      `# Avg bus bandwidth ${' '.repeat(3000)}:\n`,
      `GPU_PLATFORM_NCCL_RESULT ${'busbw='.repeat(500)}\n`,
      `${'NET/'.repeat(1100)}NCCL INFO\n`,
    ].join('');
    const result = parseNcclAllGatherLog(hostile.repeat(50));
    expect(result.parsed).toBe(false);
    expect(result.transport).toBeUndefined();
  });
});
