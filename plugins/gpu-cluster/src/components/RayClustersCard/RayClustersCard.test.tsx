import { renderInTestApp } from '@backstage/frontend-test-utils';
import type { ClusterStatus } from '@gpu-platform/backstage-plugin-gpu-cluster-common';
import { screen } from '@testing-library/react';
import { demoStatus } from '../../__testUtils__/demoStatus';
import { gpuClusterApiRef, type GpuClusterApi } from '../../api';
import { RayClustersCard } from './RayClustersCard';

/** The card reads nothing by itself; the dashboard's jobs only when asked (RayDashboardJobs). */
const api: GpuClusterApi = {
  getStatus: jest.fn(),
  explain: jest.fn(),
  previewStack: jest.fn(),
  listStatus: jest.fn(),
  getStackPolicy: jest.fn(),
  getFleet: jest.fn(),
  getRayJobs: jest.fn(),
};

const render = (status: Partial<ClusterStatus>) =>
  renderInTestApp(<RayClustersCard status={{ ...demoStatus, ...status }} />, {
    apis: [[gpuClusterApiRef, api]],
  });
const toneOf = (text: string | RegExp) =>
  screen.getByText(text).closest('[data-tone]')?.getAttribute('data-tone');

describe('RayClustersCard', () => {
  it('shows cluster and job states as chips', async () => {
    const rc = demoStatus.rayClusters[0];
    await render({
      rayClusters: [
        rc,
        { ...rc, name: 'starting', state: undefined, headServiceName: 's' },
      ],
      rayJobs: [
        {
          ...demoStatus.rayJobs[0],
          jobStatus: 'FAILED',
          jobDeploymentStatus: 'Failed',
        },
      ],
    });
    expect(toneOf('ready')).toBe('ok');
    expect(toneOf('starting')).toBe('pending');
    expect(toneOf('FAILED / Failed')).toBe('error');
    // The dashboard is opened through a port-forward, never an in-cluster address.
    expect(screen.getAllByText(/port-forward service\//)).toHaveLength(2);
    expect(screen.queryByText(/svc\.cluster\.local/)).toBeNull();
    expect(api.getRayJobs).not.toHaveBeenCalled();
  });

  it('tells empty from not installed from missing', async () => {
    await render({ rayClusters: [], rayJobs: [] });
    expect(screen.getByText('No RayClusters.')).toBeInTheDocument();
    await render({
      rayClusters: [],
      rayJobs: [],
      sections: { ...demoStatus.sections, ray: { state: 'notInstalled' } },
    });
    expect(
      screen.getByText('KubeRay is not installed in this cluster.'),
    ).toBeInTheDocument();
    await render({
      rayClusters: [],
      rayJobs: [],
      sections: {
        ...demoStatus.sections,
        ray: { state: 'missing', message: 'rayclusters: 403' },
      },
    });
    expect(screen.getByText(/could not be read/)).toBeInTheDocument();
    expect(screen.queryAllByText('No RayClusters.')).toHaveLength(1);
  });
});
