import {
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  DEMO,
  ManualClock,
  denyGoogleCredentialDiscovery,
  startGkeEmulator,
  startKubeEmulator,
  type GkeEmulator,
  type KubeEmulator,
} from '@gpu-platform/emulators';
import type {
  ClusterHistory,
  FleetHistory,
} from '@gpu-platform/backstage-plugin-gpu-cluster-common';
import request from 'supertest';
import { gpuClusterPlugin } from '../plugin';
import { validateResponse } from '../__testUtils__/validateResponse';
import { HISTORY_TASK_ID } from './scheduleHistorySampling';

denyGoogleCredentialDiscovery();
jest.setTimeout(60_000);

const entity = (name: string, clusterName: string) => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Resource',
  metadata: {
    name,
    namespace: 'default',
    annotations: { 'gpu-platform.dev/cluster-name': clusterName },
  },
  spec: { type: 'kubernetes-cluster', owner: 'group:default/platform-team' },
});
const entities = [
  entity(DEMO.cluster, DEMO.cluster),
  entity('offline-cluster', 'offline'),
];

const historyPath = `/api/gpu-cluster/clusters/default/${DEMO.cluster}/history`;

describe('gpu-cluster history against the emulators', () => {
  let kube: KubeEmulator;
  let gke: GkeEmulator;
  let backend: Awaited<ReturnType<typeof startTestBackend>>;
  // The test runs the scheduled task itself, as the scheduler would once per interval.
  const scheduler = mockServices.scheduler();
  const clock = new ManualClock();

  beforeAll(async () => {
    kube = await startKubeEmulator({ fixtures: 'demo', clock });
    gke = await startGkeEmulator({ fixtures: 'demo', clock });
    backend = await startTestBackend({
      features: [
        gpuClusterPlugin,
        createServiceFactory({
          service: coreServices.scheduler,
          deps: {},
          factory: () => scheduler,
        }),
        mockServices.rootConfig.factory({
          data: {
            gpuCluster: {
              statusCacheTtlSeconds: 0.001,
              history: { frequency: '1m', retention: { days: 7 } },
              clusters: [
                {
                  name: DEMO.cluster,
                  kubernetes: {
                    url: kube.url,
                    caData: kube.caPem,
                    token: kube.token,
                  },
                },
                {
                  name: 'offline',
                  entityRef: 'resource:default/offline-cluster',
                  kubernetes: { url: 'https://127.0.0.1:1', token: 'x' },
                },
              ],
            },
          },
        }),
        catalogServiceMock.factory({ entities }),
      ],
    });
  });

  afterAll(async () => {
    await backend?.stop();
    await kube?.stop();
    await gke?.stop();
  });

  it('schedules one global sampling task at the configured frequency', async () => {
    const tasks = await scheduler.getScheduledTasks();
    expect(tasks).toEqual([
      expect.objectContaining({ id: HISTORY_TASK_ID, scope: 'global' }),
    ]);
  });

  it('answers an empty history before the first sample, then the sampled figures', async () => {
    const before = await request(backend.server).get(historyPath);
    expect(before.status).toBe(200);
    validateResponse('/clusters/{namespace}/{name}/history', 200, before.body);
    expect(before.body).toMatchObject({
      entityRef: `resource:default/${DEMO.cluster}`,
      points: [],
      frequencySeconds: 60,
      retentionSeconds: 7 * 86400,
    });
    expect(before.body.lastSampleAt).toBeUndefined();

    // The offline cluster fails its sample; the demo cluster is sampled all the same.
    await scheduler.triggerTask(HISTORY_TASK_ID);
    const res = await request(backend.server).get(historyPath);
    expect(res.status).toBe(200);
    validateResponse('/clusters/{namespace}/{name}/history', 200, res.body);
    const history = res.body as ClusterHistory;
    expect(history.lastSampleAt).toBeDefined();
    expect(history.points).toEqual([
      expect.objectContaining({ samples: 1, gpusAllocatable: 16 }),
    ]);
    expect(history.queues.map(q => `${q.kind} ${q.name}`)).toEqual(
      expect.arrayContaining([
        `ClusterQueue ${DEMO.clusterQueue}`,
        `LocalQueue ${DEMO.queueNamespace}/${DEMO.localQueue}`,
      ]),
    );
    const waits = history.waits.find(
      w => w.localQueue === `${DEMO.queueNamespace}/${DEMO.localQueue}`,
    );
    expect(waits?.clusterQueue).toBe(DEMO.clusterQueue);
    const counted = history.waits.reduce(
      (n, w) => n + w.provisioned + w.waiting,
      0,
    );
    expect(counted).toBeGreaterThan(0);

    // Sampling again adds a sample but never counts a wait twice.
    await scheduler.triggerTask(HISTORY_TASK_ID);
    const again = (await request(backend.server).get(historyPath))
      .body as ClusterHistory;
    expect(again.points.reduce((n, p) => n + p.samples, 0)).toBe(2);
    expect(again.waits.map(w => w.provisioned)).toEqual(
      history.waits.map(w => w.provisioned),
    );

    const fleet = await request(backend.server).get(
      '/api/gpu-cluster/fleet/history',
    );
    expect(fleet.status).toBe(200);
    validateResponse('/fleet/history', 200, fleet.body);
    const clusters = (fleet.body as FleetHistory).clusters;
    // The offline cluster was never sampled, so it has no series.
    expect(clusters.map(c => c.entityRef)).toEqual([
      `resource:default/${DEMO.cluster}`,
    ]);
    expect(clusters[0].points[0]).toMatchObject({ gpusAllocatable: 16 });
  });

  it.each([
    ['step=abc', 'query.step: must be integer'],
    ['step=1.5', 'query.step: must be integer'],
    ['from=yesterday', 'query.from: must match format "date-time"'],
    ['window=1h', "query.window: Unknown query parameter 'window'"],
    [
      'from=2026-11-29T10:00:00Z&to=2026-11-29T09:00:00Z',
      'from: must be before to',
    ],
    ['from=2026-01-01T00:00:00Z&to=2026-11-29T00:00:00Z', 'at most 31 days'],
    [
      'from=2026-11-01T00:00:00Z&to=2026-11-29T00:00:00Z&step=60',
      'step: gives more than 720 points',
    ],
  ])('refuses ?%s naming the field', async (query, message) => {
    const res = await request(backend.server).get(`${historyPath}?${query}`);
    expect(res.status).toBe(400);
    expect(res.body.error.message).toContain(message);
  });

  it('answers 404 for an entity the catalog does not show, 400 for a malformed name', async () => {
    const missing = await request(backend.server).get(
      '/api/gpu-cluster/clusters/default/nowhere/history',
    );
    expect(missing.status).toBe(404);
    const malformed = await request(backend.server).get(
      '/api/gpu-cluster/clusters/default/-bad-/history',
    );
    expect(malformed.status).toBe(400);
  });
});

describe('gpu-cluster history permissions', () => {
  it('refuses the history and leaves a cluster off the fleet series without gpuCluster.status.read', async () => {
    const backend = await startTestBackend({
      features: [
        gpuClusterPlugin,
        mockServices.rootConfig.factory({
          data: { gpuCluster: { clusters: [], history: { enabled: false } } },
        }),
        catalogServiceMock.factory({ entities }),
        mockServices.permissions.mock({
          authorize: (async (requests: unknown[]) =>
            requests.map(() => ({ result: AuthorizeResult.DENY }))) as any,
        }).factory,
      ],
    });
    try {
      const res = await request(backend.server).get(historyPath);
      expect(res.status).toBe(403);
      expect(res.body.error.message).toContain('gpuCluster.status.read');
      const fleet = await request(backend.server).get(
        '/api/gpu-cluster/fleet/history',
      );
      expect(fleet.status).toBe(200);
      expect(fleet.body.clusters).toEqual([]);
    } finally {
      await backend.stop();
    }
  });
});
