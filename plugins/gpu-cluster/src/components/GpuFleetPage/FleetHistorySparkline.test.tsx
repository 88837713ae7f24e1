import { renderInTestApp } from '@backstage/frontend-test-utils';
import { entityRouteRef } from '@backstage/plugin-catalog-react';
import type {
  FleetHistory,
  GpuFleet,
} from '@gpu-platform/backstage-plugin-gpu-cluster-common';
import { screen, within } from '@testing-library/react';
import {
  gpuClusterApiRef,
  gpuClusterHistoryApiRef,
  type GpuClusterApi,
  type GpuClusterHistoryApi,
} from '../../api';
import { GpuFleetPage } from './GpuFleetPage';

const LOADED = { timeout: 10_000 };
jest.setTimeout(20_000);

const row = (name: string) => ({
  entityRef: `resource:default/${name}`,
  title: name,
  mine: false,
  summary: { gpusInUse: 8, gpusAllocatable: 16, pendingWorkloads: 1 },
  flagCount: 0,
});
const fleet: GpuFleet = {
  generatedAt: '2026-11-29T10:00:00Z',
  total: 2,
  limit: 100,
  clusters: [row('Sampled-GKE'), row('new-gke')],
};
const history: FleetHistory = {
  from: '2026-11-28T10:00:00Z',
  to: '2026-11-29T10:00:00Z',
  stepSeconds: 1800,
  frequencySeconds: 300,
  clusters: [
    {
      // The backend keys refs lower-case.
      entityRef: 'resource:default/sampled-gke',
      points: [
        { t: '2026-11-29T09:00:00Z', gpusInUse: 0, pendingWorkloads: 2 },
        { t: '2026-11-29T09:30:00Z', gpusInUse: 8, pendingWorkloads: 1 },
      ],
    },
  ],
};

const statusApi = {
  getFleet: jest.fn(async () => fleet),
} as Partial<GpuClusterApi> as GpuClusterApi;

const renderPage = (historyApi?: GpuClusterHistoryApi) =>
  historyApi
    ? renderInTestApp(<GpuFleetPage />, {
        apis: [
          [gpuClusterApiRef, statusApi],
          [gpuClusterHistoryApiRef, historyApi],
        ],
        mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef },
      })
    : renderInTestApp(<GpuFleetPage />, {
        apis: [[gpuClusterApiRef, statusApi]],
        mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef },
      });

const rowOf = (title: string) => screen.getByText(title).closest('tr')!;

describe('GpuFleetPage history column', () => {
  it('draws each sampled cluster’s last 24 h and says which have no samples yet', async () => {
    await renderPage({
      getHistory: jest.fn(),
      getFleetHistory: jest.fn(async () => history),
    });
    await screen.findByText('2 of 2 GPU clusters', undefined, LOADED);
    expect(
      await screen.findByText(
        'Last 24 h (GPUs in use, pending)',
        undefined,
        LOADED,
      ),
    ).toBeInTheDocument();
    const sparkline = await within(rowOf('Sampled-GKE')).findByTestId(
      'gpu-fleet-sparkline',
      undefined,
      LOADED,
    );
    expect(sparkline).toHaveAttribute(
      'aria-label',
      '2 points over 24 h; last: 8 GPUs in use, 1 pending',
    );
    expect(
      within(rowOf('new-gke')).getByText('No samples yet (every 5 min)'),
    ).toBeInTheDocument();
  });

  it('says the history is unavailable when its read fails, keeping the figures', async () => {
    await renderPage({
      getHistory: jest.fn(),
      getFleetHistory: jest.fn(async () => {
        throw new Error('boom');
      }),
    });
    await screen.findByText('2 of 2 GPU clusters', undefined, LOADED);
    expect(
      (await screen.findAllByText('History unavailable', undefined, LOADED))
        .length,
    ).toBe(2);
    expect(within(rowOf('new-gke')).getByText('8 / 16')).toBeInTheDocument();
  });

  it('hides the column in an app without the history API', async () => {
    await renderPage();
    await screen.findByText('2 of 2 GPU clusters', undefined, LOADED);
    expect(
      screen.queryByText('Last 24 h (GPUs in use, pending)'),
    ).not.toBeInTheDocument();
  });
});
