import { renderInTestApp } from '@backstage/frontend-test-utils';
import type {
  ClusterStatus,
  FabricStatus,
} from '@gpu-platform/backstage-plugin-gpu-cluster-common';
import { screen } from '@testing-library/react';
import { demoStatus } from '../../__testUtils__/demoStatus';
import { FabricCard } from './FabricCard';

const network = (
  name: string,
  state: 'ok' | 'mismatch' | 'missing' = 'ok',
  problems: string[] = [],
) => ({
  expected: {
    name,
    vpc: 'a3u-dws-rdma-net',
    subnet: `a3u-dws-rdma-sub-${name.slice(-1)}`,
    deviceMode: 'RDMA' as const,
  },
  state,
  paramSetPresent: state !== 'missing',
  networkPresent: true,
  problems,
});

const healthy: FabricStatus = {
  expectedFrom: 'gke',
  state: 'ok',
  networks: [network('rdma-0'), network('rdma-1')],
  installer: {
    present: true,
    readyNodes: 2,
    gpuNodes: 2,
    notReadyNodes: [],
    numberReady: 2,
    desiredNumberScheduled: 2,
  },
  nodes: { gpuNodes: 2, completeNodes: 2, incomplete: [] },
};

const render = (status: Partial<ClusterStatus>) =>
  renderInTestApp(<FabricCard status={{ ...demoStatus, ...status }} />);
const toneOf = (text: string | RegExp) =>
  screen.getByText(text).closest('[data-tone]')?.getAttribute('data-tone');

describe('FabricCard', () => {
  it('shows a healthy fabric as green chips', async () => {
    await render({ fabric: healthy });
    // The overall verdict comes first, then one chip per network.
    const oks = screen.getAllByText('ok');
    expect(oks).toHaveLength(3);
    expect(oks[0].closest('[data-tone]')?.getAttribute('data-tone')).toBe('ok');
    expect(toneOf('ready on 2/2 GPU nodes')).toBe('ok');
    expect(toneOf('2/2 GPU nodes')).toBe('ok');
    expect(
      screen.getByText(/node pools' additional networks in GKE/),
    ).toBeInTheDocument();
  });

  it('names what is degraded: a wrong VPC, a node without its installer or its RDMA interfaces', async () => {
    await render({
      fabric: {
        ...healthy,
        state: 'degraded',
        networks: [
          network('rdma-0'),
          network('rdma-3', 'mismatch', [
            'vpc default, expected a3u-dws-rdma-net',
          ]),
        ],
        installer: {
          ...healthy.installer,
          readyNodes: 1,
          notReadyNodes: ['gpu-b'],
        },
        nodes: {
          gpuNodes: 2,
          completeNodes: 1,
          incomplete: [{ node: 'gpu-a', missing: ['rdma-0', 'rdma-1'] }],
        },
      },
    });
    expect(toneOf('degraded')).toBe('error');
    expect(toneOf('mismatch')).toBe('error');
    expect(
      screen.getByText(/vpc default, expected a3u-dws-rdma-net/),
    ).toBeInTheDocument();
    expect(toneOf('ready on 1/2 GPU nodes')).toBe('error');
    expect(screen.getByText(/not ready on gpu-b/)).toBeInTheDocument();
    expect(screen.getByText('gpu-a lacks rdma-0, rdma-1')).toBeInTheDocument();
  });

  it('says when the installer is absent', async () => {
    await render({
      fabric: {
        ...healthy,
        state: 'degraded',
        installer: {
          present: false,
          readyNodes: 0,
          gpuNodes: 2,
          notReadyNodes: ['a', 'b'],
        },
      },
    });
    expect(toneOf('not installed')).toBe('error');
  });

  it('is empty, not alarming, on a cluster without RDMA pools', async () => {
    await render({ fabric: undefined });
    expect(
      screen.getByText(/expects no additional networks/),
    ).toBeInTheDocument();
  });

  it('says the data is stale, or missing, instead of judging', async () => {
    await render({
      fabric: { ...healthy, state: 'unknown' },
      sections: {
        ...demoStatus.sections,
        fabric: {
          state: 'stale',
          staleSince: '2026-09-01T10:00:00Z',
          message: 'networks stale (500)',
        },
      },
    });
    expect(screen.getByText(/last known data/)).toBeInTheDocument();
    expect(toneOf('unknown')).toBe('pending');
  });

  it('shows only the error notice when the fabric could not be read', async () => {
    await render({
      fabric: undefined,
      sections: {
        ...demoStatus.sections,
        fabric: {
          state: 'missing',
          message: 'networks unavailable (403: forbidden)',
        },
      },
    });
    expect(screen.getByText(/could not be read/)).toBeInTheDocument();
    expect(screen.queryByText(/expects no additional networks/)).toBeNull();
  });
});
