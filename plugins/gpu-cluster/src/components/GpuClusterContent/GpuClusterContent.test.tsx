import { renderInTestApp } from '@backstage/frontend-test-utils';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import type { ClusterStatus } from '@gpu-platform/backstage-plugin-gpu-cluster-common';
import { act, fireEvent, screen, waitFor } from '@testing-library/react';
import { gpuClusterApiRef, type GpuClusterApi } from '../../api';
import { demoStatus } from '../../__testUtils__/demoStatus';
import { POLL_INTERVAL_MS } from '../useClusterStatus';
import { GpuClusterContent, GpuClusterSummaryCard } from './GpuClusterContent';

const entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Resource',
  metadata: {
    name: 'h200-dws-demo',
    namespace: 'default',
    annotations: { 'gpu-platform.dev/cluster-name': 'h200-dws-demo' },
  },
  spec: { type: 'kubernetes-cluster' },
};

const apiReturning = (impl: Partial<GpuClusterApi>): GpuClusterApi => ({
  getStatus: jest.fn(async () => demoStatus),
  explain: jest.fn(),
  previewStack: jest.fn(),
  // The backend's paging over the demo status's ProvisioningRequests.
  listStatus: jest.fn(async (_ref, _list, q) => ({
    items: demoStatus.provisioningRequests.slice(
      q.offset ?? 0,
      (q.offset ?? 0) + (q.limit ?? 50),
    ) as any[],
    total: demoStatus.provisioningRequests.length,
    offset: q.offset ?? 0,
    limit: q.limit ?? 50,
  })),
  getStackPolicy: jest.fn(),
  ...impl,
});

describe('GpuClusterContent', () => {
  it('renders health, queues, node pools, provisioning requests, Ray and the why-not-running chain', async () => {
    const api = apiReturning({});
    await renderInTestApp(
      <EntityProvider entity={entity}>
        <GpuClusterContent />
      </EntityProvider>,
      { apis: [[gpuClusterApiRef, api]] },
    );
    expect(
      await screen.findByText('Cluster h200-dws-demo'),
    ).toBeInTheDocument();
    expect(api.getStatus).toHaveBeenCalledWith({
      namespace: 'default',
      name: 'h200-dws-demo',
    });
    expect(screen.getByText(/8 in use of 16 allocatable/)).toBeInTheDocument();
    expect(screen.getByText(/gke: gke gpu-launchpad-demo/)).toBeInTheDocument();
    expect(screen.getByText('8 × nvidia-h200-141gb')).toBeInTheDocument();
    expect(screen.getByText('flex-start, queued')).toBeInTheDocument();
    expect(
      screen.getByText(/1 pending, 1 admitted · a3-ultra: 16 GPUs reserved/),
    ).toBeInTheDocument();
    expect(screen.getAllByText('ResourcePoolExhausted').length).toBeGreaterThan(
      0,
    );
    expect(screen.getByText('us-central1-b')).toBeInTheDocument();
    expect(
      screen.getByText('llama-finetune-waiting: WaitingForCapacity'),
    ).toBeInTheDocument();
    expect(
      screen.getByText(
        /Max run duration ends 2026-09-02T07:45:00.000Z \(23 h 45 min left\)/,
      ),
    ).toBeInTheDocument();
    expect(
      screen.getByText(/RayJob ray-h200-smoke: RUNNING \/ Running/),
    ).toBeInTheDocument();
    // The code snippet is split by the syntax highlighter; read its text as a whole.
    expect(document.body.textContent).toContain(
      'kubectl -n ray port-forward service/ray-h200-head-svc 8265:8265',
    );
  });

  it('shows the backend error', async () => {
    const api = apiReturning({
      getStatus: jest.fn(async () => {
        throw new Error(
          'Cluster h200-dws-demo is unreachable: kubernetes down',
        );
      }),
    });
    await renderInTestApp(
      <EntityProvider entity={entity}>
        <GpuClusterSummaryCard />
      </EntityProvider>,
      { apis: [[gpuClusterApiRef, api]] },
    );
    expect(
      (await screen.findAllByText(/unreachable: kubernetes down/)).length,
    ).toBeGreaterThan(0);
  });

  const renderContent = (api: GpuClusterApi) =>
    renderInTestApp(
      <EntityProvider entity={entity}>
        <GpuClusterContent />
      </EntityProvider>,
      { apis: [[gpuClusterApiRef, api]] },
    );

  it('keeps the last good status, marked stale with the error, when a poll fails', async () => {
    jest.useFakeTimers();
    try {
      const getStatus = jest
        .fn()
        .mockResolvedValueOnce(demoStatus)
        .mockRejectedValue(new Error('503 Service Unavailable: gateway'));
      await renderContent(apiReturning({ getStatus }));
      expect(
        await screen.findByText('Cluster h200-dws-demo'),
      ).toBeInTheDocument();
      await act(async () => {
        jest.advanceTimersByTime(POLL_INTERVAL_MS);
      });
      expect(
        await screen.findByText(
          /Showing the status from 2026-09-01T08:00:00.000Z: the last refresh failed/,
        ),
      ).toBeInTheDocument();
      expect(getStatus).toHaveBeenCalledTimes(2);
      expect(document.body.textContent).toContain('gateway');
      // The data is still on the page, not replaced by an error panel.
      expect(
        screen.getByText(/8 in use of 16 allocatable/),
      ).toBeInTheDocument();
      expect(
        screen.getByText('llama-finetune-waiting: WaitingForCapacity'),
      ).toBeInTheDocument();
    } finally {
      jest.useRealTimers();
    }
  });

  it('says which sections could not be read instead of showing zeros or "no workloads"', async () => {
    const degraded: ClusterStatus = {
      ...demoStatus,
      sources: [
        {
          name: 'kubernetes',
          ok: true,
          kinds: [
            { kind: 'nodes', state: 'synced' },
            { kind: 'pods', state: 'unavailable', error: '403: Forbidden' },
            {
              kind: 'workloads',
              state: 'unavailable',
              error: '403: Forbidden',
            },
          ],
        },
      ],
      sections: {
        ...demoStatus.sections,
        gpuUsage: {
          state: 'missing',
          message: 'pods unavailable (403: Forbidden)',
        },
        workloads: {
          state: 'missing',
          message: 'workloads unavailable (403: Forbidden)',
        },
      },
      summary: {
        gpusCapacity: 16,
        gpusAllocatable: 16,
        nodes: 2,
        readyNodes: 2,
        waitingProvisioningRequests: 1,
      },
      workloads: [],
      explanations: [],
    };
    await renderContent(
      apiReturning({ getStatus: jest.fn(async () => degraded) }),
    );
    expect(
      await screen.findByText(
        /unknown \(pods could not be read\) in use of 16 allocatable/,
      ),
    ).toBeInTheDocument();
    expect(screen.queryByText(/No unfinished workloads/)).toBeNull();
    // WarningPanel titles read "<Severity>: <title>".
    expect(
      screen.getByText('Error: Workloads could not be read'),
    ).toBeInTheDocument();
    expect(
      screen.getByText('Error: GPU usage could not be read'),
    ).toBeInTheDocument();
    expect(
      screen.getByText(/kubernetes: pods unavailable \(403: Forbidden\)/),
    ).toBeInTheDocument();
    // The node pool's GPUs in use are unknown too, not "0 / 16".
    expect(screen.queryByText('0 / 16')).toBeNull();
    // Pending workloads (health card) and the GPU pool's usage (table) both say unknown.
    expect(screen.getAllByText('unknown').length).toBeGreaterThanOrEqual(2);
  });

  it('shows a stale section as the last known data, since when', async () => {
    const stale: ClusterStatus = {
      ...demoStatus,
      sections: {
        ...demoStatus.sections,
        provisioningRequests: {
          state: 'stale',
          staleSince: '2026-09-01T07:55:00Z',
          message: 'provisioningrequests stale (500: Internal Server Error)',
        },
      },
    };
    await renderContent(
      apiReturning({ getStatus: jest.fn(async () => stale) }),
    );
    expect(
      await screen.findByText(
        'Warning: ProvisioningRequests: last known data (not refreshed since 2026-09-01T07:55:00Z)',
      ),
    ).toBeInTheDocument();
    // Its rows are still shown.
    expect(screen.getByText('us-central1-b')).toBeInTheDocument();
  });

  it('says Kueue is not installed rather than that there are no queues', async () => {
    const noKueue: ClusterStatus = {
      ...demoStatus,
      sections: {
        ...demoStatus.sections,
        queues: { state: 'notInstalled' },
      },
      clusterQueues: [],
      localQueues: [],
    };
    await renderContent(
      apiReturning({ getStatus: jest.fn(async () => noKueue) }),
    );
    expect(
      await screen.findByText('Kueue is not installed in this cluster.'),
    ).toBeInTheDocument();
  });

  it('pages ProvisioningRequests on the server, with the state filter', async () => {
    const many = Array.from({ length: 45 }, (_, i) => ({
      ...demoStatus.provisioningRequests[0],
      name: `job-train-${String(i).padStart(2, '0')}-dws-prov-1`,
    }));
    const listStatus = jest.fn(
      async (_ref: unknown, _list: unknown, q: any) => ({
        items: many.slice(q.offset, q.offset + q.limit) as any[],
        total: many.length,
        offset: q.offset,
        limit: q.limit,
      }),
    );
    await renderContent(apiReturning({ listStatus }));
    expect(
      await screen.findByText(/job-train-00-dws-prov-1/),
    ).toBeInTheDocument();
    expect(listStatus).toHaveBeenLastCalledWith(
      { namespace: 'default', name: 'h200-dws-demo' },
      'provisioningrequests',
      expect.objectContaining({ offset: 0, limit: 20, sort: 'name' }),
    );
    expect(screen.queryByText(/job-train-20-dws-prov-1/)).toBeNull();
    expect(screen.getAllByText(/1-20 of 45/).length).toBeGreaterThan(0);
    await act(async () => {
      screen.getAllByRole('button', { name: /next page/i })[0].click();
    });
    expect(
      await screen.findByText(/job-train-20-dws-prov-1/),
    ).toBeInTheDocument();
    expect(listStatus).toHaveBeenLastCalledWith(
      expect.anything(),
      'provisioningrequests',
      expect.objectContaining({ offset: 20, limit: 20 }),
    );
    // The filter, not the sortable "State" column header.
    const filter = screen
      .getAllByRole('button', { name: /^State/ })
      .find(el => el.getAttribute('aria-haspopup') === 'listbox')!;
    fireEvent.mouseDown(filter);
    await act(async () => {
      fireEvent.click(screen.getByRole('option', { name: 'Accepted' }));
    });
    await waitFor(() =>
      expect(listStatus).toHaveBeenLastCalledWith(
        expect.anything(),
        'provisioningrequests',
        expect.objectContaining({ state: 'Accepted' }),
      ),
    );
  });
});
