import { renderInTestApp } from '@backstage/frontend-test-utils';
import { entityRouteRef } from '@backstage/plugin-catalog-react';
import type { GpuFleet } from '@gpu-platform/backstage-plugin-gpu-cluster-common';
import { fireEvent, screen, within } from '@testing-library/react';
import { gpuClusterApiRef, type GpuClusterApi } from '../../api';
import { GpuFleetPage } from './GpuFleetPage';

const LOADED = { timeout: 10_000 };
jest.setTimeout(20_000);

const fleet: GpuFleet = {
  generatedAt: '2026-11-29T09:00:00Z',
  total: 3,
  limit: 100,
  clusters: [
    {
      entityRef: 'resource:default/team-a-gke',
      title: 'team-a-gke',
      owner: 'group:default/team-a',
      mine: true,
      projectId: 'team-a-project',
      location: 'us-central1',
      gkeStatus: 'RUNNING',
      summary: {
        gpusInUse: 8,
        gpusAllocatable: 16,
        pendingWorkloads: 3,
        waitingProvisioningRequests: 2,
      },
      worstFlag: {
        severity: 'error',
        code: 'ProvisioningFailed',
        subject: 'ProvisioningRequest default/job-1',
        message: 'QuotaExceeded: NVIDIA_H200_GPUS in us-central1',
        fix: 'Raise the NVIDIA_H200_GPUS quota of us-central1',
      },
      flagCount: 2,
      degradedSections: ['ray'],
    },
    {
      entityRef: 'resource:default/shared-gke',
      title: 'shared-gke',
      owner: 'group:default/platform-team',
      mine: false,
      projectId: 'shared-project',
      location: 'europe-west4',
      gkeStatus: 'RECONCILING',
      summary: {
        gpusInUse: 64,
        gpusAllocatable: 64,
        pendingWorkloads: 40,
        waitingProvisioningRequests: 0,
      },
      flagCount: 0,
    },
    {
      entityRef: 'resource:default/gone-gke',
      title: 'gone-gke',
      owner: 'group:default/platform-team',
      mine: false,
      error: {
        reason: 'GKE_CLUSTER_NOT_FOUND',
        message: 'GKE has no cluster gone-gke in shared-project/us-central1',
      },
    },
  ],
};

const api = (impl: Partial<GpuClusterApi>): GpuClusterApi => ({
  getStatus: jest.fn(),
  explain: jest.fn(),
  previewStack: jest.fn(),
  listStatus: jest.fn(),
  getStackPolicy: jest.fn(),
  getFleet: jest.fn(async () => fleet),
  getRayJobs: jest.fn(),
  ...impl,
});

const renderPage = (gpuClusterApi: GpuClusterApi) =>
  renderInTestApp(<GpuFleetPage />, {
    apis: [[gpuClusterApiRef, gpuClusterApi]],
    mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef },
  });

/** The table's body rows, first cell text first. */
const bodyRows = () =>
  screen
    .getAllByRole('row')
    .filter(row => within(row).queryAllByRole('cell').length > 0);

describe('GpuFleetPage', () => {
  it('lists every cluster, theirs first, with figures, chips and what needs attention', async () => {
    await renderPage(api({}));
    expect(
      await screen.findByText('3 of 3 GPU clusters', undefined, LOADED),
    ).toBeInTheDocument();
    const rows = bodyRows();
    expect(
      rows.map(r => within(r).getAllByRole('cell')[0].textContent),
    ).toEqual(['team-a-gkeyours', 'shared-gke', 'gone-gke']);
    const mine = within(rows[0]);
    expect(mine.getByRole('link', { name: 'team-a-gke' })).toHaveAttribute(
      'href',
      '/catalog/default/resource/team-a-gke/gpu-cluster',
    );
    expect(mine.getByText('8 / 16')).toBeInTheDocument();
    expect(mine.getByText('RUNNING')).toBeInTheDocument();
    expect(
      mine.getByText(
        'ProvisioningRequest default/job-1: QuotaExceeded: NVIDIA_H200_GPUS in us-central1 (+1 more)',
      ),
    ).toBeInTheDocument();
    expect(
      mine.getByText('Try: Raise the NVIDIA_H200_GPUS quota of us-central1'),
    ).toBeInTheDocument();
    expect(mine.getByText('Not current: ray')).toBeInTheDocument();
    expect(within(rows[1]).getByText('RECONCILING')).toBeInTheDocument();
    expect(within(rows[1]).getByText('No flags')).toBeInTheDocument();
    // A cluster without status says why, with no made-up figures.
    const gone = within(rows[2]);
    expect(
      gone.getByText(/GKE has no cluster gone-gke in shared-project/),
    ).toBeInTheDocument();
    expect(gone.getAllByText('—').length).toBeGreaterThanOrEqual(3);
  });

  it('narrows to the user’s clusters and sorts by queue depth', async () => {
    await renderPage(api({}));
    await screen.findByText('3 of 3 GPU clusters', undefined, LOADED);
    // Deepest queue first (the second click sorts descending); no figures, last.
    const header = screen.getByRole('columnheader', { name: 'Queue depth' });
    const sort = within(header).getAllByRole('button')[0];
    fireEvent.click(sort);
    fireEvent.click(sort);
    expect(
      bodyRows().map(r => within(r).getAllByRole('cell')[0].textContent),
    ).toEqual(['shared-gke', 'team-a-gkeyours', 'gone-gke']);
    fireEvent.click(screen.getByLabelText('Only my clusters'));
    expect(
      await screen.findByText('1 of 3 GPU clusters', undefined, LOADED),
    ).toBeInTheDocument();
    expect(
      bodyRows().map(r => within(r).getAllByRole('cell')[0].textContent),
    ).toEqual(['team-a-gkeyours']);
  });

  it('shows the error when the fleet cannot be read', async () => {
    await renderPage(
      api({
        getFleet: jest.fn(async () => {
          throw new Error('gpu-cluster backend unavailable');
        }),
      }),
    );
    expect(
      await screen.findByText(
        'Error: gpu-cluster backend unavailable',
        { selector: 'h6' },
        LOADED,
      ),
    ).toBeInTheDocument();
  });

  it('says when the user owns no cluster', async () => {
    await renderPage(
      api({
        getFleet: jest.fn(async () => ({ ...fleet, clusters: [], total: 0 })),
      }),
    );
    await screen.findByText('0 of 0 GPU clusters', undefined, LOADED);
    expect(
      screen.getByText('No GPU cluster in the catalog that you can see.'),
    ).toBeInTheDocument();
  });
});
