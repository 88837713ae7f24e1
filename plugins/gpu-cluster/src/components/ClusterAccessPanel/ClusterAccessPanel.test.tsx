import { renderInTestApp } from '@backstage/frontend-test-utils';
import { ResponseError } from '@backstage/errors';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { screen } from '@testing-library/react';
import { gpuClusterApiRef, type GpuClusterApi } from '../../api';
import { GpuClusterContent } from '../GpuClusterContent';

const entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Resource',
  metadata: {
    name: 'look-alike',
    namespace: 'default',
    annotations: { 'gpu-platform.dev/cluster-name': 'h200-dws-demo' },
  },
  spec: { type: 'kubernetes-cluster' },
};

/** What the status API answers, through the client's own error path. */
const failingWith = async (status: number, error: object) =>
  ResponseError.fromResponse(
    new Response(JSON.stringify({ error, response: { statusCode: status } }), {
      status,
      headers: { 'content-type': 'application/json' },
    }) as any,
  );

const render = async (error: Error) => {
  const api: GpuClusterApi = {
    getStatus: jest.fn(async () => {
      throw error;
    }),
    explain: jest.fn(),
    previewStack: jest.fn(),
    listStatus: jest.fn(),
    getStackPolicy: jest.fn(),
    getFleet: jest.fn(),
    getRayJobs: jest.fn(),
  };
  await renderInTestApp(
    <EntityProvider entity={entity}>
      <GpuClusterContent />
    </EntityProvider>,
    { apis: [[gpuClusterApiRef, api]] },
  );
};

describe('ClusterAccessPanel', () => {
  it('says which case it is, why, and what a platform engineer configures', async () => {
    await render(
      await failingWith(403, {
        name: 'ClusterAccessError',
        reason: 'BOUND_TO_OTHER_ENTITY',
        configKey: 'gpuCluster.clusters[].entityRef',
        message:
          'Cluster h200-dws-demo is configured for resource:default/h200-dws-demo, not resource:default/look-alike: its status is served there only',
      }),
    );
    expect(
      await screen.findByText(/Cluster belongs to another entity/),
    ).toBeInTheDocument();
    expect(
      screen.getByText(/is configured for resource:default\/h200-dws-demo/),
    ).toBeInTheDocument();
    expect(
      screen.getByText('gpuCluster.clusters[].entityRef'),
    ).toBeInTheDocument();
    expect(screen.queryByText(/Request failed with/)).not.toBeInTheDocument();
  });

  it('names the allow-list when discovery may not read the project', async () => {
    await render(
      await failingWith(403, {
        name: 'ClusterAccessError',
        reason: 'DISCOVERY_NOT_ALLOWED',
        configKey: 'gpuCluster.discoveryAllowList',
        message:
          'GKE discovery is not allowed for project p-1, location us-central1',
      }),
    );
    expect(
      await screen.findByText(/Project or location not allowed/),
    ).toBeInTheDocument();
    expect(
      screen.getByText('gpuCluster.discoveryAllowList'),
    ).toBeInTheDocument();
  });

  it('says an unreachable cluster is unreachable', async () => {
    await render(
      await failingWith(503, {
        name: 'ClusterAccessError',
        reason: 'UNREACHABLE',
        configKey: 'gpuCluster.clusters',
        message:
          'Cluster h200-dws-demo is unreachable: kubernetes https://10.0.0.2: connect ECONNREFUSED',
      }),
    );
    expect(await screen.findByText(/Cluster unreachable/)).toBeInTheDocument();
    expect(screen.getByText(/connect ECONNREFUSED/)).toBeInTheDocument();
  });

  it('falls back to the error itself when the body carries no reason', async () => {
    await render(new Error('socket hang up'));
    expect(
      await screen.findByText(/The GPU cluster status could not be loaded/),
    ).toBeInTheDocument();
  });
});
