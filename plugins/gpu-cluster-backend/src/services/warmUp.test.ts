import {
  coreServices,
  createServiceFactory,
  type RootLoggerService,
} from '@backstage/backend-plugin-api';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  DEMO,
  startKubeEmulator,
  type KubeEmulator,
} from '@gpu-platform/emulators';
import request from 'supertest';
import { gpuClusterPlugin } from '../plugin';
import { ClusterAccessError } from './ClusterAccessError';
import type { ClusterStatusService } from './ClusterStatusService';
import type { ClusterSupplier } from './ClusterSupplier';
import { warmUpClusters } from './warmUp';

const entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Resource',
  metadata: {
    name: DEMO.cluster,
    namespace: 'default',
    annotations: { 'gpu-platform.dev/cluster-name': DEMO.cluster },
  },
  spec: { type: 'kubernetes-cluster' },
};

/** Counts the requests the emulated API server receives. */
function countRequests(kube: KubeEmulator) {
  const seen: string[] = [];
  const match = kube.faults.match.bind(kube.faults);
  kube.faults.match = (method: string, path: string) => {
    seen.push(`${method} ${path}`);
    return match(method, path);
  };
  return seen;
}

const until = async (done: () => boolean, what: string) => {
  const deadline = Date.now() + 30_000;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise(resolve => setTimeout(resolve, 500));
  }
};

describe('informers warmed at startup', () => {
  // One emulator per test: a stopped backend's last watches must not count for the next test.
  let kube: KubeEmulator;
  beforeEach(async () => {
    kube = await startKubeEmulator({
      fixtures: 'demo',
      scenarios: { enabled: false },
    });
  });
  afterEach(() =>
    Promise.race([
      kube?.stop(),
      new Promise(resolve => setTimeout(resolve, 3000).unref()),
    ]),
  );

  const startBackend = (
    warmUpAtStartup: boolean | undefined,
    logs: string[],
  ) => {
    const logger: RootLoggerService = {
      error: message => logs.push(message),
      warn: message => logs.push(message),
      info: message => logs.push(message),
      debug() {},
      child: () => logger,
    };
    return startTestBackend({
      features: [
        gpuClusterPlugin,
        createServiceFactory({
          service: coreServices.rootLogger,
          deps: {},
          factory: () => logger,
        }),
        mockServices.rootConfig.factory({
          data: {
            gpuCluster: {
              history: { enabled: false },
              ...(warmUpAtStartup !== undefined && { warmUpAtStartup }),
              clusters: [
                {
                  name: DEMO.cluster,
                  kubernetes: {
                    url: kube.url,
                    caData: kube.caPem,
                    token: kube.token,
                  },
                },
              ],
            },
          },
        }),
        catalogServiceMock.factory({ entities: [entity] }),
      ],
    });
  };

  it('lists every kind before any request, so the first viewer causes no upstream request', async () => {
    const seen = countRequests(kube);
    const logs: string[] = [];
    const backend = await startBackend(undefined, logs);
    try {
      await until(
        () => logs.some(l => l.startsWith('gpu-cluster warm-up')),
        'the warm-up',
      );
      expect(logs.find(l => l.startsWith('gpu-cluster warm-up'))).toMatch(
        /resource:default\/h200-dws-demo informers synced in \d+ ms, status assembled in \d+ ms/,
      );
      expect(seen).toContainEqual(
        expect.stringMatching(
          /^GET \/apis\/kueue.x-k8s.io\/v1beta2\/workloads/,
        ),
      );
      const before = seen.length;
      const res = await request(backend.server).get(
        `/api/gpu-cluster/clusters/default/${DEMO.cluster}/status`,
      );
      expect(res.status).toBe(200);
      expect(res.body.summary.nodes).toBeGreaterThan(0);
      expect(seen.slice(before)).toEqual([]);
    } finally {
      await backend.stop();
    }
  });

  it('starts nothing before the first request when gpuCluster.warmUpAtStartup is false', async () => {
    const seen = countRequests(kube);
    const logs: string[] = [];
    const backend = await startBackend(false, logs);
    try {
      // Give a warm-up, were there one, the time it takes above.
      await new Promise(resolve => setTimeout(resolve, 1500));
      expect(seen).toEqual([]);
      const res = await request(backend.server).get(
        `/api/gpu-cluster/clusters/default/${DEMO.cluster}/status`,
      );
      expect(res.status).toBe(200);
      expect(seen.length).toBeGreaterThan(0);
    } finally {
      await backend.stop();
    }
  });
});

describe('warmUpClusters', () => {
  it('warms what it can, logs what it cannot and never throws', async () => {
    const warn = jest.fn();
    const info = jest.fn();
    const logger = { ...mockServices.logger.mock(), warn, info };
    const supplier: ClusterSupplier = {
      async resolve(entityRef) {
        if (entityRef === 'resource:default/denied') {
          throw new ClusterAccessError(
            'DISCOVERY_NOT_ALLOWED',
            'Project p is not in gpuCluster.discoveryAllowList',
            'gpuCluster.discoveryAllowList',
          );
        }
        return {
          entityRef,
          cluster: { name: entityRef.split('/')[1], entityRef } as any,
        };
      },
    };
    const status = {
      warmUp: jest.fn(async (entityRef: string) => {
        if (entityRef === 'resource:default/down') {
          throw new Error(
            'Cluster down is unreachable: kubernetes nodes error',
          );
        }
        return { informersSyncedMs: 12, assembledMs: 3 };
      }),
    } as unknown as ClusterStatusService;
    const result = await warmUpClusters({
      auth: mockServices.auth(),
      logger,
      supplier,
      status,
      knownEntityRefs: async () => [
        'resource:default/a',
        'resource:default/denied',
        'resource:default/down',
        'resource:default/a',
      ],
    });
    expect(result.warmed).toEqual([
      {
        entityRef: 'resource:default/a',
        informersSyncedMs: 12,
        assembledMs: 3,
      },
    ]);
    expect(result.failed.map(f => f.entityRef).sort()).toEqual([
      'resource:default/denied',
      'resource:default/down',
    ]);
    expect(warn).toHaveBeenCalledTimes(2);
    expect(warn.mock.calls.join('\n')).toContain('its first request starts it');

    // Even the list of clusters failing is only logged.
    const broken = await warmUpClusters({
      auth: mockServices.auth(),
      logger,
      supplier,
      status,
      knownEntityRefs: async () => {
        throw new Error('database unavailable');
      },
    });
    expect(broken).toEqual({ warmed: [], failed: [] });
    expect(warn).toHaveBeenLastCalledWith(
      'gpu-cluster warm-up skipped: database unavailable',
    );
  });
});
