import { renderInTestApp } from '@backstage/frontend-test-utils';
import type { ClusterStatus } from '@gpu-platform/backstage-plugin-gpu-cluster-common';
import { screen } from '@testing-library/react';
import { demoStatus } from '../../__testUtils__/demoStatus';
import { RayClustersCard } from './RayClustersCard';

const render = (status: Partial<ClusterStatus>) =>
  renderInTestApp(<RayClustersCard status={{ ...demoStatus, ...status }} />);
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
