import { renderInTestApp } from '@backstage/frontend-test-utils';
import type {
  ClusterStatus,
  FabricVerificationRun,
} from '@gpu-platform/backstage-plugin-gpu-cluster-common';
import { screen, within } from '@testing-library/react';
import { demoStatus } from '../../__testUtils__/demoStatus';
import { FabricVerificationCard } from './FabricVerificationCard';

const run = (
  over: Partial<FabricVerificationRun> = {},
): FabricVerificationRun => ({
  jobUid: 'u1',
  namespace: 'default',
  jobName: 'nccl-allgather-test',
  jobOutcome: 'Complete',
  finishedAt: '2026-11-29T10:00:00Z',
  readAt: '2026-11-29T10:00:02Z',
  machineType: 'a3-ultragpu-8g',
  verdict: 'pass',
  reasons: [],
  busBandwidthGBps: 347.6,
  largestSizeBytes: 8589934592,
  avgBusBandwidthGBps: 120.5,
  thresholdGBps: 240,
  expectedBusBandwidthGBps: 340,
  lineRateGBps: 400,
  transport: { name: 'NET/gIB', kind: 'rdma' },
  wrongValues: 0,
  sizes: [
    { sizeBytes: 1024, busBandwidthGBps: 0.01, inPlaceBusBandwidthGBps: 0.01 },
    {
      sizeBytes: 8589934592,
      busBandwidthGBps: 347.6,
      inPlaceBusBandwidthGBps: 348.1,
    },
  ],
  ...over,
});

const render = (fabricVerification?: ClusterStatus['fabricVerification']) =>
  renderInTestApp(
    <FabricVerificationCard status={{ ...demoStatus, fabricVerification }} />,
  );

const valueOf = (term: string) =>
  screen.getByText(term, { selector: 'dt' }).nextElementSibling as HTMLElement;

describe('FabricVerificationCard', () => {
  it('says no verification has finished yet', async () => {
    await render(undefined);
    expect(
      screen.getByText(/No NCCL verification has finished on this cluster yet/),
    ).toBeInTheDocument();
  });

  it('shows a pass against the expected figure, the transport and every size', async () => {
    await render({ latest: run(), previous: [] });
    expect(
      within(valueOf('Result')).getByText('Passed').closest('[data-tone]'),
    ).toHaveAttribute('data-tone', 'ok');
    expect(valueOf('Bus bandwidth at 8 GiB')).toHaveTextContent(
      '347.6 GB/s — expected 340 GB/s for a3-ultragpu-8g, pass threshold 240 GB/s',
    );
    expect(
      within(valueOf('Transport')).getByText('NET/gIB'),
    ).toBeInTheDocument();
    expect(screen.getByText('1 KiB')).toBeInTheDocument();
    expect(screen.getByText('8 GiB')).toBeInTheDocument();
    expect(screen.getByText('348.1')).toBeInTheDocument();
    expect(screen.queryByLabelText('why')).not.toBeInTheDocument();
  });

  it('shows a failed Socket-fallback run with its reasons, and earlier runs', async () => {
    await render({
      latest: run({
        jobUid: 'u2',
        jobOutcome: 'Failed',
        verdict: 'fail',
        busBandwidthGBps: 11.4,
        transport: { name: 'NET/Socket', kind: 'socket' },
        reasons: [
          'NCCL used NET/Socket (TCP) instead of the RDMA plugin (NET/gIB): the gIB plugin or the RDMA interfaces were not available to the pods.',
        ],
      }),
      previous: [
        {
          jobUid: 'u1',
          finishedAt: '2026-11-28T10:00:00Z',
          readAt: '2026-11-28T10:00:02Z',
          verdict: 'pass',
          busBandwidthGBps: 347.6,
        },
      ],
    });
    expect(
      within(valueOf('Result')).getByText('Failed').closest('[data-tone]'),
    ).toHaveAttribute('data-tone', 'error');
    expect(
      within(valueOf('Transport'))
        .getByText('NET/Socket')
        .closest('[data-tone]'),
    ).toHaveAttribute('data-tone', 'error');
    expect(
      within(screen.getByLabelText('why')).getByText(/NET\/Socket \(TCP\)/),
    ).toBeInTheDocument();
    expect(
      screen.getByText(
        /Earlier runs: 2026-11-28T10:00:00Z Passed \(347.6 GB\/s\)/,
      ),
    ).toBeInTheDocument();
  });

  it('shows a run whose log held no result', async () => {
    await render({
      latest: run({
        verdict: 'unparseable',
        busBandwidthGBps: undefined,
        largestSizeBytes: undefined,
        avgBusBandwidthGBps: undefined,
        transport: undefined,
        sizes: [],
        reasons: ['Unparseable: the log has no all_gather_perf table.'],
      }),
      previous: [],
    });
    expect(
      within(valueOf('Result')).getByText('No result'),
    ).toBeInTheDocument();
    expect(valueOf('Bus bandwidth')).toHaveTextContent('unknown');
    expect(
      screen.queryByText('Bus bandwidth per message size'),
    ).not.toBeInTheDocument();
  });
});
