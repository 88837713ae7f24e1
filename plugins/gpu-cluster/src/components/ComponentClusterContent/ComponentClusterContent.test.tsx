import { renderInTestApp } from '@backstage/frontend-test-utils';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import type { ComponentClusterStatus } from '@gpu-platform/backstage-plugin-gpu-cluster-common';
import { screen, waitFor } from '@testing-library/react';
import {
  gpuClusterApiRef,
  gpuComponentApiRef,
  type GpuClusterApi,
  type GpuComponentApi,
} from '../../api';
import { demoStatus, demoWorkloads } from '../../__testUtils__/demoStatus';
import {
  isGpuClusterAvailable,
  isGpuClusterComponent,
} from '../../isGpuCluster';
import { GpuClusterContent } from '../GpuClusterContent';

const LOADED = { timeout: 10_000 };
jest.setTimeout(30_000);

const entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'trainer',
    namespace: 'default',
    annotations: {
      'gpu-platform.dev/gpu-cluster': 'resource:default/h200-dws-demo',
      'gpu-platform.dev/workload-namespace': 'default',
      'gpu-platform.dev/local-queue': 'dws-local-queue',
    },
  },
  spec: { type: 'service', dependsOn: ['resource:default/h200-dws-demo'] },
};

const status: ComponentClusterStatus = {
  componentRef: 'component:default/trainer',
  clusterRef: 'resource:default/h200-dws-demo',
  clusterName: 'h200-dws-demo',
  namespace: 'default',
  localQueueName: 'dws-local-queue',
  generatedAt: demoStatus.generatedAt,
  sources: demoStatus.sources,
  sections: demoStatus.sections,
  summary: {
    pendingWorkloads: 1,
    admittedWorkloads: 1,
    waitingProvisioningRequests: 1,
  },
  localQueue: {
    namespace: 'default',
    name: 'dws-local-queue',
    clusterQueue: 'dws-cluster-queue',
    active: true,
    pendingWorkloads: 1,
    reservingWorkloads: 0,
    admittedWorkloads: 1,
  },
  clusterQueue: { ...demoStatus.clusterQueues[0], pendingWorkloads: 3 },
  rayClusters: [],
  rayJobs: [],
  explanations: { items: [], limit: 10, total: 0 },
};

function apis(component: Partial<GpuComponentApi> = {}) {
  const mine = demoWorkloads.filter(w => w.namespace === 'default');
  const cluster = {
    getStatus: jest.fn(),
    explain: jest.fn(),
    previewStack: jest.fn(),
    listStatus: jest.fn(async (_ref: unknown, list: string) => ({
      items: list === 'workloads' ? mine : [],
      total: list === 'workloads' ? mine.length : 0,
      offset: 0,
      limit: 20,
    })),
    getStackPolicy: jest.fn(),
    getFleet: jest.fn(),
    getRayJobs: jest.fn(),
  } as unknown as GpuClusterApi;
  const comp: GpuComponentApi = {
    getComponentStatus: jest.fn(async () => status),
    ...component,
  };
  return { cluster, comp };
}

describe('the GPU cluster tab of a Component', () => {
  it('applies to Components naming a cluster, namespace and LocalQueue', () => {
    expect(isGpuClusterComponent(entity)).toBe(true);
    expect(isGpuClusterAvailable(entity)).toBe(true);
    const { 'gpu-platform.dev/local-queue': _q, ...partial } =
      entity.metadata.annotations;
    const without = {
      ...entity,
      metadata: { ...entity.metadata, annotations: partial },
    };
    expect(isGpuClusterAvailable(without)).toBe(false);
    expect(isGpuClusterAvailable({ ...entity, kind: 'System' })).toBe(false);
  });

  it('shows its queue, the ClusterQueue depth and pages its lists through /components', async () => {
    const { cluster, comp } = apis();
    await renderInTestApp(
      <EntityProvider entity={entity}>
        <GpuClusterContent />
      </EntityProvider>,
      {
        apis: [
          [gpuClusterApiRef, cluster],
          [gpuComponentApiRef, comp],
        ],
      },
    );
    expect(
      await screen.findByText(
        'dws-cluster-queue: 3 pending, 1 admitted',
        undefined,
        LOADED,
      ),
    ).toBeInTheDocument();
    expect(comp.getComponentStatus).toHaveBeenCalledWith({
      namespace: 'default',
      name: 'trainer',
    });
    expect(screen.getByText('active')).toBeInTheDocument();
    expect(
      screen.getByText('No RayClusters in this namespace.'),
    ).toBeInTheDocument();
    expect(cluster.getStatus).not.toHaveBeenCalled();
    await waitFor(
      () =>
        expect(cluster.listStatus).toHaveBeenCalledWith(
          { namespace: 'default', name: 'trainer', kind: 'component' },
          'workloads',
          expect.anything(),
        ),
      LOADED,
    );
  });

  it('explains a refusal (the Component does not depend on the cluster)', async () => {
    const error = Object.assign(new Error('refused'), {
      name: 'ResponseError',
      body: {
        error: {
          name: 'ClusterAccessError',
          message:
            'component:default/trainer names resource:default/x in gpu-platform.dev/gpu-cluster but does not list it in spec.dependsOn',
          reason: 'NOT_A_DEPENDENCY',
        },
      },
    });
    const { cluster, comp } = apis({
      getComponentStatus: jest.fn(async () => {
        throw error;
      }),
    });
    await renderInTestApp(
      <EntityProvider entity={entity}>
        <GpuClusterContent />
      </EntityProvider>,
      {
        apis: [
          [gpuClusterApiRef, cluster],
          [gpuComponentApiRef, comp],
        ],
      },
    );
    expect(
      await screen.findByText(
        /does not depend on this cluster/,
        undefined,
        LOADED,
      ),
    ).toBeInTheDocument();
  });
});
