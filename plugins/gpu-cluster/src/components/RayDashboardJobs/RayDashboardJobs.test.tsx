import { renderInTestApp } from '@backstage/frontend-test-utils';
import { NotAllowedError } from '@backstage/errors';
import type { RayClusterStatus } from '@gpu-platform/backstage-plugin-gpu-cluster-common';
import { fireEvent, screen } from '@testing-library/react';
import { gpuClusterApiRef, type GpuClusterApi } from '../../api';
import { RayDashboardJobs } from './RayDashboardJobs';

jest.setTimeout(20_000);
const LOADED = { timeout: 10_000 };

const rayCluster: RayClusterStatus = {
  namespace: 'ray',
  name: 'ray-h200',
  state: 'ready',
  readyWorkers: 1,
  desiredWorkers: 1,
  headServiceName: 'ray-h200-head-svc',
  dashboardPort: 8265,
  portForwardCommand:
    'kubectl -n ray port-forward service/ray-h200-head-svc 8265:8265',
  conditions: [],
};

const api = (getRayJobs: GpuClusterApi['getRayJobs']): GpuClusterApi => ({
  getStatus: jest.fn(),
  explain: jest.fn(),
  previewStack: jest.fn(),
  listStatus: jest.fn(),
  getStackPolicy: jest.fn(),
  getFleet: jest.fn(),
  getRayJobs,
});

const render = (gpuClusterApi: GpuClusterApi) =>
  renderInTestApp(
    <RayDashboardJobs
      entityRef="resource:default/h200-dws-demo"
      rayCluster={rayCluster}
    />,
    { apis: [[gpuClusterApiRef, gpuClusterApi]] },
  );

describe('RayDashboardJobs', () => {
  it('says how to open the dashboard and lists its jobs on request', async () => {
    const getRayJobs = jest.fn(async () => ({
      namespace: 'ray',
      rayCluster: 'ray-h200',
      fetchedAt: '2026-11-29T09:00:00Z',
      total: 2,
      limit: 50,
      jobs: [
        {
          submissionId: 'raysubmit_adhoc',
          type: 'SUBMISSION',
          status: 'FAILED',
          entrypoint: 'python train.py --lr 3e-4',
          message: 'Job entrypoint command failed with exit code 1',
          startTime: '2026-11-29T08:50:00.000Z',
        },
        {
          submissionId: 'ray-h200-smoke-8k2mq',
          type: 'SUBMISSION',
          status: 'RUNNING',
          entrypoint: 'python smoke.py',
          startTime: '2026-11-29T08:40:00.000Z',
        },
      ],
    }));
    await render(api(getRayJobs));
    expect(
      screen.getByText(
        'kubectl -n ray port-forward service/ray-h200-head-svc 8265:8265',
      ),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('link', { name: 'http://localhost:8265' }),
    ).toHaveAttribute('href', 'http://localhost:8265');
    // Nothing is read until asked: the jobs are the owners'.
    expect(getRayJobs).not.toHaveBeenCalled();
    fireEvent.click(
      screen.getByRole('button', {
        name: 'Jobs of ray-h200 from its dashboard',
      }),
    );
    expect(
      await screen.findByText(
        'Ray jobs of ray-h200 (2 of 2)',
        undefined,
        LOADED,
      ),
    ).toBeInTheDocument();
    expect(getRayJobs).toHaveBeenCalledWith(
      { namespace: 'default', name: 'h200-dws-demo' },
      { namespace: 'ray', name: 'ray-h200' },
    );
    expect(screen.getByText('raysubmit_adhoc')).toBeInTheDocument();
    expect(screen.getByText('FAILED')).toBeInTheDocument();
    expect(screen.getByText('RUNNING')).toBeInTheDocument();
    expect(
      screen.getByText('Job entrypoint command failed with exit code 1'),
    ).toBeInTheDocument();
  });

  it('says why when the jobs may not be read', async () => {
    await render(
      api(async () => {
        throw new NotAllowedError(
          'Not allowed to read the Ray jobs of resource:default/h200-dws-demo (permission gpuCluster.ray.jobs.read: its owners)',
        );
      }),
    );
    fireEvent.click(
      screen.getByRole('button', {
        name: 'Jobs of ray-h200 from its dashboard',
      }),
    );
    expect(
      await screen.findByText(
        /permission gpuCluster\.ray\.jobs\.read: its owners/,
        undefined,
        LOADED,
      ),
    ).toBeInTheDocument();
  });
});
