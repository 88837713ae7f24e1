import { renderInTestApp } from '@backstage/frontend-test-utils';
import type { ClusterHistory } from '@gpu-platform/backstage-plugin-gpu-cluster-common';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { gpuClusterHistoryApiRef, type GpuClusterHistoryApi } from '../../api';
import { ClusterHistoryCard } from './ClusterHistoryCard';

const LOADED = { timeout: 10_000 };
jest.setTimeout(20_000);

const cluster = { namespace: 'default', name: 'h200-dws-demo' };

const empty: ClusterHistory = {
  entityRef: 'resource:default/h200-dws-demo',
  from: '2026-11-29T09:00:00.000Z',
  to: '2026-11-29T10:00:00.000Z',
  stepSeconds: 30,
  frequencySeconds: 30,
  retentionSeconds: 7 * 86400,
  points: [],
  queues: [],
  queueLimit: 20,
  queuesTruncated: false,
  waits: [],
  waitSampleLimit: 20000,
  waitsTruncated: false,
};

const sampled: ClusterHistory = {
  ...empty,
  lastSampleAt: '2026-11-29T09:59:30.000Z',
  points: [
    {
      t: '2026-11-29T09:59:00.000Z',
      samples: 2,
      gpusInUse: 8,
      gpusAllocatable: 16,
      pendingWorkloads: 1,
      admittedWorkloads: 1,
      waitingProvisioningRequests: 1,
    },
  ],
  queues: [
    {
      kind: 'ClusterQueue',
      name: 'dws-cluster-queue',
      points: [
        {
          t: '2026-11-29T09:59:00.000Z',
          pending: 1,
          reserving: 1,
          admitted: 1,
        },
      ],
    },
  ],
  waits: [
    {
      localQueue: 'default/dws-local-queue',
      clusterQueue: 'dws-cluster-queue',
      provisioned: 12,
      p50Seconds: 250,
      p90Seconds: 3720,
      p99Seconds: 7200,
      maxSeconds: 7200,
      waiting: 1,
      oldestWaitingSeconds: 95,
    },
  ],
};

const apiReturning = (
  getHistory: GpuClusterHistoryApi['getHistory'],
): GpuClusterHistoryApi => ({
  getHistory: jest.fn(getHistory),
  getFleetHistory: jest.fn(),
});

describe('ClusterHistoryCard', () => {
  it('says when there are no samples yet and how often the backend samples', async () => {
    const api = apiReturning(async () => empty);
    await renderInTestApp(<ClusterHistoryCard cluster={cluster} />, {
      apis: [[gpuClusterHistoryApiRef, api]],
    });
    expect(
      await screen.findByText(
        /No samples yet: sampling every 30 s/,
        undefined,
        LOADED,
      ),
    ).toBeInTheDocument();
  });

  it('draws the charts and the wait percentiles per queue, and reads the range asked', async () => {
    const api = apiReturning(async () => sampled);
    await renderInTestApp(<ClusterHistoryCard cluster={cluster} />, {
      apis: [[gpuClusterHistoryApiRef, api]],
    });
    expect(
      await screen.findByText(
        /2 samples in the last 1h, averaged per 30 s/,
        undefined,
        LOADED,
      ),
    ).toBeInTheDocument();
    const charts = screen.getAllByTestId('gpu-cluster-history-chart');
    expect(charts.map(c => c.getAttribute('aria-label'))).toEqual([
      'GPUs: 1 points',
      'Workloads and ProvisioningRequests: 1 points',
      'Pending workloads per ClusterQueue: 1 points',
    ]);
    const row = screen
      .getByText('default/dws-local-queue → dws-cluster-queue')
      .closest('tr')!;
    for (const text of ['12', '4 min 10 s', '1 h 2 min', '2 h', '1 min 35 s']) {
      expect(within(row).getByText(text)).toBeInTheDocument();
    }
    const [ref, first] = (api.getHistory as jest.Mock).mock.calls[0];
    expect(ref).toEqual(cluster);
    expect(Date.parse(first.to) - Date.parse(first.from)).toBe(3_600_000);

    fireEvent.click(screen.getByRole('button', { name: 'last 7d' }));
    await waitFor(() => expect(api.getHistory).toHaveBeenCalledTimes(2));
    const [, week] = (api.getHistory as jest.Mock).mock.calls[1];
    expect(Date.parse(week.to) - Date.parse(week.from)).toBe(7 * 86_400_000);
  });

  it('shows the error of a failed read', async () => {
    const api = apiReturning(async () => {
      throw new Error('history unavailable');
    });
    await renderInTestApp(<ClusterHistoryCard cluster={cluster} />, {
      apis: [[gpuClusterHistoryApiRef, api]],
    });
    expect(
      (await screen.findAllByText(/history unavailable/, undefined, LOADED))
        .length,
    ).toBeGreaterThan(0);
  });

  it('shows a spinner while loading', async () => {
    const api = apiReturning(() => new Promise(() => {}));
    await renderInTestApp(<ClusterHistoryCard cluster={cluster} />, {
      apis: [[gpuClusterHistoryApiRef, api]],
    });
    expect(
      await screen.findByTestId('progress', undefined, LOADED),
    ).toBeInTheDocument();
  });

  it('renders nothing in an app without the history API', async () => {
    await renderInTestApp(
      <div data-testid="host">
        <ClusterHistoryCard cluster={cluster} />
      </div>,
    );
    expect(screen.getByTestId('host')).toBeEmptyDOMElement();
  });
});
