import type { CacheService } from '@backstage/backend-plugin-api';
import { mockServices } from '@backstage/backend-test-utils';
import {
  DEMO,
  startKubeEmulator,
  type KubeEmulator,
} from '@gpu-platform/emulators';
import { DefaultClusterStatusService } from './ClusterStatusService';
import type { GpuClusterConfig } from './config';

describe('DefaultClusterStatusService', () => {
  let kube: KubeEmulator;
  beforeAll(async () => {
    kube = await startKubeEmulator({
      fixtures: 'demo',
      scenarios: { enabled: false },
    });
  });
  // Bounded: the emulator's stop can wait on a client connection it does not destroy (the bench
  // sees the same); the test's outcome does not depend on it.
  afterAll(() =>
    Promise.race([
      kube?.stop(),
      new Promise(resolve => setTimeout(resolve, 3000).unref()),
    ]),
  );

  it('answers repeated calls from the status it assembled, without the cache serializer', async () => {
    const store = new Map<string, unknown>();
    const cache = {
      get: jest.fn(async (key: string) => store.get(key)),
      set: jest.fn(async (key: string, value: unknown) => {
        store.set(key, JSON.parse(JSON.stringify(value)));
      }),
      delete: jest.fn(),
      withOptions: jest.fn(),
    } as unknown as CacheService;
    const service = new DefaultClusterStatusService({
      config: {
        clusters: [],
        statusCacheTtlMs: 60_000,
        gkeCacheTtlMs: 60_000,
        discovery: 'none',
        discoveryAllowList: [],
        gke: {},
      },
      logger: mockServices.logger.mock(),
      cache,
    });
    const cluster: GpuClusterConfig = {
      name: DEMO.cluster,
      entityRef: `resource:default/${DEMO.cluster}`,
      kubernetes: { url: kube.url, caData: kube.caPem, token: kube.token },
    };
    try {
      const first = await service.getStatus(cluster.entityRef, cluster);
      const second = await service.getStatus(cluster.entityRef, cluster);
      expect(second).toBe(first);
      // One look into the shared cache (the miss before assembling), one write for other replicas.
      expect(cache.get).toHaveBeenCalledTimes(1);
      expect(cache.set).toHaveBeenCalledTimes(1);
      expect(first.summary.nodes).toBeGreaterThan(0);
    } finally {
      await service.stop();
    }
  });
});
