import { renderInTestApp } from '@backstage/frontend-test-utils';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { screen } from '@testing-library/react';
import { gpuClusterApiRef, type GpuClusterApi } from '../../api';
import { demoStatus } from '../../__testUtils__/demoStatus';
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
});
