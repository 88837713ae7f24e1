import { ClusterStore } from './ClusterStore';
import { ManualClock } from '../clock';
import {
  DEMO_CLUSTER,
  DEMO_GPU_POOL,
  DEMO_LOCATION,
  DEMO_PROJECT,
  seedDemo,
} from './demo';
import {
  GkeApiError,
  parseClusterName,
  parseLocation,
  parseNodePoolName,
} from './resources';

const STEP = 100;
const demoRef = {
  project: DEMO_PROJECT,
  location: DEMO_LOCATION,
  cluster: DEMO_CLUSTER,
};

function setup() {
  const clock = new ManualClock(Date.UTC(2025, 0, 1));
  const store = new ClusterStore({ clock, operationStepMs: STEP });
  seedDemo(store);
  return { clock, store };
}

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof GkeApiError) {
      return `${e.code}:${e.message}`;
    }
    throw e;
  }
  return 'ok';
}

describe('ClusterStore', () => {
  it('walks an operation PENDING → RUNNING → DONE on the clock, with timestamps', () => {
    const { clock, store } = setup();
    const op = store.createCluster(
      { project: DEMO_PROJECT, location: 'europe-west4-a' },
      { name: 'zonal' },
    );
    const ref = { project: DEMO_PROJECT, location: 'europe-west4-a' };
    const read = () => store.getOperation({ ...ref, operation: op.name! });
    expect(read()).toMatchObject({
      status: 'PENDING',
      startTime: '2025-01-01T00:00:00.000Z',
      endTime: '',
    });
    clock.advance(STEP);
    expect(read().status).toBe('RUNNING');
    clock.advance(STEP);
    expect(store.getCluster({ ...ref, cluster: 'zonal' }).status).toBe(
      'PROVISIONING',
    );
    clock.advance(STEP);
    expect(read()).toMatchObject({
      status: 'DONE',
      endTime: '2025-01-01T00:00:00.300Z',
    });
    const cluster = store.getCluster({ ...ref, cluster: 'zonal' });
    expect(cluster).toMatchObject({
      status: 'RUNNING',
      locations: ['europe-west4-a'],
      currentNodeCount: 3,
    });
    expect(cluster.networkConfig?.subnetwork).toBe(
      `projects/${DEMO_PROJECT}/regions/europe-west4/subnetworks/default`,
    );
  });

  it('applies due transitions in time order even when the clock jumps', () => {
    const { clock, store } = setup();
    const location = { project: DEMO_PROJECT, location: DEMO_LOCATION };
    store.createCluster(location, { name: 'first' });
    clock.advance(STEP);
    store.createCluster(location, { name: 'second' });
    clock.advance(10 * STEP);
    expect(store.listClusters(location).map(c => [c.name, c.status])).toEqual([
      [DEMO_CLUSTER, 'RUNNING'],
      ['first', 'RUNNING'],
      ['second', 'RUNNING'],
    ]);
    expect(
      store
        .listOperations({ ...location, location: '-' })
        .every(o => o.status === 'DONE'),
    ).toBe(true);
  });

  it('refuses deleting a cluster during its creation, and a pool during another pool change', () => {
    const { store } = setup();
    const location = { project: DEMO_PROJECT, location: DEMO_LOCATION };
    const op = store.createCluster(location, { name: 'busy' });
    expect(
      codeOf(() => store.deleteCluster({ ...location, cluster: 'busy' })),
    ).toBe(`9:Cluster is running incompatible operation ${op.name}.`);
    store.deleteNodePool({ ...demoRef, nodePool: DEMO_GPU_POOL });
    expect(
      codeOf(() => store.createNodePool(demoRef, { name: 'extra' })),
    ).toMatch(/^9:/);
    expect(
      codeOf(() => store.deleteNodePool({ ...demoRef, nodePool: 'missing' })),
    ).toBe(
      `5:Not found: projects/${DEMO_PROJECT}/locations/${DEMO_LOCATION}/clusters/${DEMO_CLUSTER}/nodePools/missing.`,
    );
  });

  it('lets scenarios override status and conditions', () => {
    const { store } = setup();
    store.patchStatus(
      `projects/${DEMO_PROJECT}/locations/${DEMO_LOCATION}/clusters/${DEMO_CLUSTER}/nodePools/${DEMO_GPU_POOL}`,
      {
        status: 'RUNNING_WITH_ERROR',
        statusMessage: 'GCE_STOCKOUT',
        conditions: [
          {
            message: 'Resources are insufficient in us-central1-b',
            canonicalCode: 'RESOURCE_EXHAUSTED',
          },
        ],
      },
    );
    expect(
      store.getNodePool({ ...demoRef, nodePool: DEMO_GPU_POOL }),
    ).toMatchObject({
      status: 'RUNNING_WITH_ERROR',
      conditions: [{ canonicalCode: 'RESOURCE_EXHAUSTED' }],
    });
    expect(
      codeOf(() =>
        store.patchStatus('projects/x/locations/y/clusters/z', {
          status: 'ERROR',
        }),
      ),
    ).toMatch(/^5:/);
  });

  it('returns copies, so callers cannot change stored state', () => {
    const { store } = setup();
    const cluster = store.getCluster(demoRef);
    cluster.status = 'ERROR';
    cluster.nodePools!.pop();
    expect(store.getCluster(demoRef)).toMatchObject({ status: 'RUNNING' });
    expect(store.listNodePools(demoRef)).toHaveLength(2);
  });
});

describe('request name parsing', () => {
  it('accepts resource names and the deprecated project/zone/id fields alike', () => {
    expect(
      parseLocation({ parent: 'projects/gpu-launchpad-demo/locations/-' }),
    ).toEqual({
      project: 'gpu-launchpad-demo',
      location: '-',
    });
    expect(
      parseClusterName({
        projectId: 'gpu-launchpad-demo',
        zone: 'us-central1-b',
        clusterId: 'c1',
      }),
    ).toEqual({
      project: 'gpu-launchpad-demo',
      location: 'us-central1-b',
      cluster: 'c1',
    });
    expect(
      parseNodePoolName({
        name: 'projects/gpu-launchpad-demo/locations/us-central1/clusters/c1/nodePools/np',
      }),
    ).toMatchObject({ cluster: 'c1', nodePool: 'np' });
  });

  it('rejects malformed names with INVALID_ARGUMENT', () => {
    expect(
      codeOf(() => parseLocation({ parent: 'projects/gpu-launchpad-demo' })),
    ).toMatch(/^3:/);
    expect(
      codeOf(() =>
        parseLocation({ parent: 'projects/gpu-launchpad-demo/locations/mars' }),
      ),
    ).toMatch(/^3:/);
    expect(
      codeOf(() =>
        parseClusterName({
          name: 'projects/gpu-launchpad-demo/locations/-/clusters/c',
        }),
      ),
    ).toMatch(/^3:/);
    expect(
      codeOf(() =>
        parseClusterName({
          name: `projects/gpu-launchpad-demo/locations/us-central1/clusters/${'a'.repeat(
            41,
          )}`,
        }),
      ),
    ).toMatch(/^3:/);
    expect(codeOf(() => parseClusterName({}))).toBe(
      '3:Required field "name" is missing.',
    );
  });
});
