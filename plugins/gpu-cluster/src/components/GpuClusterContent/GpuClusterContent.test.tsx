import { renderInTestApp } from '@backstage/frontend-test-utils';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import type { ClusterStatus } from '@gpu-platform/backstage-plugin-gpu-cluster-common';
import {
  act,
  fireEvent,
  screen,
  waitFor,
  within,
} from '@testing-library/react';
import { gpuClusterApiRef, type GpuClusterApi } from '../../api';
import {
  demoExplanations,
  demoPage,
  demoProvisioningRequests,
  demoStatus,
  demoWorkloads,
} from '../../__testUtils__/demoStatus';
import { POLL_INTERVAL_MS } from '../useClusterStatus';
import { GpuClusterContent, GpuClusterSummaryCard } from './GpuClusterContent';

/** How long a find waits: the tab renders several remote tables, slow on a busy machine. */
const LOADED = { timeout: 10_000 };
// A test waits for several such finds; Jest's default 5 s would end it before one of them.
jest.setTimeout(30_000);

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
  // The backend's paging over the demo's lists.
  listStatus: jest.fn(async (_ref, list, q) =>
    demoPage(list, q),
  ) as GpuClusterApi['listStatus'],
  getStackPolicy: jest.fn(),
  getFleet: jest.fn(),
  getRayJobs: jest.fn(),
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
      await screen.findByText('Cluster h200-dws-demo', undefined, LOADED),
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
    // Zone of the provisioned request and of the node, each from its paged table.
    expect(
      (await screen.findAllByText('us-central1-b', undefined, LOADED)).length,
    ).toBeGreaterThanOrEqual(2);
    expect(
      screen.getByText('llama-finetune-waiting: WaitingForCapacity'),
    ).toBeInTheDocument();
    expect(
      screen.getByText(
        /Max run duration ends 2026-09-02T07:45:00.000Z \(23 h 45 min left\)/,
      ),
    ).toBeInTheDocument();
    const rayJob = screen.getByText(/RayJob ray-h200-smoke/);
    expect(
      within(rayJob).getByText('RUNNING / Running').closest('[data-tone]'),
    ).toHaveAttribute('data-tone', 'running');
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
      (
        await screen.findAllByText(
          /unreachable: kubernetes down/,
          undefined,
          LOADED,
        )
      ).length,
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
        await screen.findByText('Cluster h200-dws-demo', undefined, LOADED),
      ).toBeInTheDocument();
      await act(async () => {
        jest.advanceTimersByTime(POLL_INTERVAL_MS);
      });
      expect(
        await screen.findByText(
          /Showing the status from 2026-09-01T08:00:00.000Z: the last refresh failed/,
          undefined,
          LOADED,
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
      explanations: { items: [], limit: 10, total: 0 },
    };
    await renderContent(
      apiReturning({ getStatus: jest.fn(async () => degraded) }),
    );
    expect(
      await screen.findByText(
        /unknown \(pods could not be read\) in use of 16 allocatable/,
        undefined,
        LOADED,
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
        undefined,
        LOADED,
      ),
    ).toBeInTheDocument();
    // The reason is shown without a click.
    expect(
      screen.getByText(
        'provisioningrequests stale (500: Internal Server Error)',
      ),
    ).toBeVisible();
    // Its rows are still shown.
    expect(
      await screen.findByText(
        /job-nccl-allreduce-test-demo1-dws-prov-1/,
        undefined,
        LOADED,
      ),
    ).toBeInTheDocument();
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
      await screen.findByText(
        'Kueue is not installed in this cluster.',
        undefined,
        LOADED,
      ),
    ).toBeInTheDocument();
  });

  it('pages ProvisioningRequests on the server, with the state filter', async () => {
    const many = Array.from({ length: 45 }, (_, i) => ({
      ...demoProvisioningRequests[0],
      name: `job-train-${String(i).padStart(2, '0')}-dws-prov-1`,
    }));
    const listStatus = jest.fn(async (_ref: unknown, list: any, q: any) =>
      list === 'provisioningrequests'
        ? {
            items: many.slice(q.offset, q.offset + q.limit) as any[],
            total: many.length,
            offset: q.offset,
            limit: q.limit,
          }
        : demoPage<any>(list, q),
    );
    await renderContent(apiReturning({ listStatus }));
    expect(
      await screen.findByText(/job-train-00-dws-prov-1/, undefined, LOADED),
    ).toBeInTheDocument();
    expect(lastQuery(listStatus, 'provisioningrequests')).toEqual([
      { namespace: 'default', name: 'h200-dws-demo' },
      'provisioningrequests',
      expect.objectContaining({ offset: 0, limit: 20, sort: 'name' }),
    ]);
    expect(screen.queryByText(/job-train-20-dws-prov-1/)).toBeNull();
    expect(screen.getAllByText(/1-20 of 45/).length).toBeGreaterThan(0);
    await act(async () => {
      within(tableTitled('Provisioning requests (DWS)'))
        .getAllByRole('button', { name: /next page/i })[0]
        .click();
    });
    expect(
      await screen.findByText(/job-train-20-dws-prov-1/, undefined, LOADED),
    ).toBeInTheDocument();
    expect(lastQuery(listStatus, 'provisioningrequests')?.[2]).toMatchObject({
      offset: 20,
      limit: 20,
    });
    // The filter, not the sortable "State" column header.
    const filter = screen
      .getAllByRole('button', { name: /^State/ })
      .find(el => el.getAttribute('aria-haspopup') === 'listbox')!;
    fireEvent.mouseDown(filter);
    await act(async () => {
      fireEvent.click(screen.getByRole('option', { name: 'Accepted' }));
    });
    await waitFor(() =>
      expect(lastQuery(listStatus, 'provisioningrequests')?.[2]).toMatchObject({
        state: 'Accepted',
      }),
    );
  });

  it('pages the unfinished workloads on the server and explains one on demand', async () => {
    const many = Array.from({ length: 30 }, (_, i) => ({
      ...demoWorkloads[0],
      name: `job-sweep-${String(i).padStart(2, '0')}`,
      owner: { kind: 'Job', name: `sweep-${String(i).padStart(2, '0')}` },
    }));
    const listStatus = jest.fn(async (_ref: unknown, list: any, q: any) =>
      list === 'workloads'
        ? {
            items: many.slice(q.offset, q.offset + q.limit) as any[],
            total: many.length,
            offset: q.offset,
            limit: q.limit,
          }
        : demoPage<any>(list, q),
    );
    const explain = jest.fn(async (_ref: unknown, w: any) => ({
      ...demoExplanations[0],
      workload: w.name,
      job: 'sweep-07',
      verdict: 'WaitingForQuota' as const,
      summary: 'Waiting for quota in ClusterQueue dws-cluster-queue.',
    }));
    const summary = {
      ...demoStatus,
      explanations: { items: demoExplanations, limit: 2, total: 32 },
    };
    await renderContent(
      apiReturning({
        listStatus,
        explain,
        getStatus: jest.fn(async () => summary),
      }),
    );
    expect(
      await screen.findByText('default/job-sweep-00', undefined, LOADED),
    ).toBeInTheDocument();
    // The summary says it carries only the head of the unfinished workloads.
    expect(
      screen.getByText(/The 2 most pressing of 32 unfinished workloads/),
    ).toBeInTheDocument();
    expect(lastQuery(listStatus, 'workloads')?.[2]).toMatchObject({
      unfinished: true,
      offset: 0,
      limit: 20,
    });
    expect(screen.queryByText('default/job-sweep-20')).toBeNull();
    await act(async () => {
      within(tableTitled('Workloads'))
        .getAllByRole('button', { name: /next page/i })[0]
        .click();
    });
    expect(
      await screen.findByText('default/job-sweep-20', undefined, LOADED),
    ).toBeInTheDocument();
    expect(lastQuery(listStatus, 'workloads')?.[2]).toMatchObject({
      offset: 20,
    });
    // Not in the summary's head: asked of the backend when picked.
    expect(explain).not.toHaveBeenCalled();
    await act(async () => {
      screen.getByRole('button', { name: 'why default/job-sweep-27' }).click();
    });
    expect(
      await screen.findByText('sweep-07: WaitingForQuota', undefined, LOADED),
    ).toBeInTheDocument();
    expect(explain).toHaveBeenCalledWith(
      { namespace: 'default', name: 'h200-dws-demo' },
      { namespace: 'default', name: 'job-sweep-27' },
    );
  });

  it('explains a workload of the summary head without asking the backend', async () => {
    const explain = jest.fn();
    await renderContent(apiReturning({ explain }));
    expect(
      await screen.findByText(
        'default/job-llama-finetune-waiting-demo1',
        undefined,
        LOADED,
      ),
    ).toBeInTheDocument();
    await act(async () => {
      screen
        .getByRole('button', {
          name: 'why default/job-llama-finetune-waiting-demo1',
        })
        .click();
    });
    expect(
      screen.getByText('Why: default/job-llama-finetune-waiting-demo1'),
    ).toBeInTheDocument();
    expect(
      screen.getAllByText('llama-finetune-waiting: WaitingForCapacity'),
    ).toHaveLength(2);
    expect(explain).not.toHaveBeenCalled();
  });

  it('pages nodes on the server, filtered by node pool', async () => {
    const listStatus = jest.fn(async (_ref: unknown, list: any, q: any) =>
      demoPage<any>(list, q),
    );
    await renderContent(apiReturning({ listStatus }));
    expect(
      await screen.findByText(
        'gke-h200-dws-demo-h200-dws-k7p2',
        undefined,
        LOADED,
      ),
    ).toBeInTheDocument();
    expect(lastQuery(listStatus, 'nodes')?.[2]).toMatchObject({
      offset: 0,
      limit: 20,
      sort: 'name',
    });
    const pool = screen
      .getAllByRole('button', { name: /^Pool/ })
      .find(el => el.getAttribute('aria-haspopup') === 'listbox')!;
    fireEvent.mouseDown(pool);
    await act(async () => {
      fireEvent.click(screen.getByRole('option', { name: 'h200-dws' }));
    });
    await waitFor(() =>
      expect(lastQuery(listStatus, 'nodes')?.[2]).toMatchObject({
        nodePool: 'h200-dws',
      }),
    );
  });
});

/** The arguments of the latest `listStatus` call for one list (the tables load concurrently). */
function lastQuery(listStatus: jest.Mock, list: string) {
  return listStatus.mock.calls.filter(call => call[1] === list).at(-1);
}

/** The paper of the material-table whose title is `title`. */
function tableTitled(title: string): HTMLElement {
  const heading = screen
    .getAllByText(title)
    .find(el => el.closest('.MuiPaper-root'));
  return heading!.closest('.MuiPaper-root') as HTMLElement;
}
