import {
  TestDatabases,
  type TestDatabaseId,
} from '@backstage/backend-test-utils';
import { resolvePackagePath } from '@backstage/backend-plugin-api';
import type { ClusterStatusDetail } from '@gpu-platform/backstage-plugin-gpu-cluster-common';
import { ClusterHistoryStore, percentile } from './ClusterHistoryStore';
import { sampleOf } from './sample';

// PostgreSQL too when a server is given (no Docker here), e.g. a throwaway one:
// BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING=postgresql://user@127.0.0.1:port
const databases = TestDatabases.create({
  ids: [
    'SQLITE_3',
    ...(process.env.BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING
      ? (['POSTGRES_15'] as const)
      : []),
  ],
});

const REF = 'resource:default/h200-dws-demo';
const T0 = Date.parse('2026-11-29T10:00:00Z');
const MIN = 60_000;

async function storeOn(id: TestDatabaseId) {
  const knex = await databases.init(id);
  await knex.migrate.latest({
    directory: resolvePackagePath(
      '@gpu-platform/backstage-plugin-gpu-cluster-backend',
      'migrations',
    ),
  });
  return { knex, store: new ClusterHistoryStore(knex) };
}

/** A status detail with the fields the sampler reads. */
function detail(over: {
  gpusInUse?: number;
  pending: number;
  prs: Array<{
    uid: string;
    created: number;
    provisioned?: number;
    state?: 'Pending' | 'Accepted' | 'Provisioned' | 'Failed';
  }>;
}): ClusterStatusDetail {
  return {
    entityRef: REF,
    clusterName: 'h200-dws-demo',
    generatedAt: new Date(T0).toISOString(),
    sources: [],
    sections: {} as ClusterStatusDetail['sections'],
    summary: {
      gpusInUse: over.gpusInUse,
      gpusAllocatable: 16,
      pendingWorkloads: over.pending,
      admittedWorkloads: 1,
      waitingProvisioningRequests: over.prs.filter(p => !p.provisioned).length,
    },
    nodes: [],
    clusterQueues: [
      {
        name: 'dws-cluster-queue',
        active: true,
        admissionChecks: [],
        pendingWorkloads: over.pending,
        reservingWorkloads: 1,
        admittedWorkloads: 1,
        resources: [],
      },
    ],
    localQueues: [
      {
        namespace: 'default',
        name: 'dws-local-queue',
        clusterQueue: 'dws-cluster-queue',
        active: true,
        pendingWorkloads: over.pending,
        reservingWorkloads: 1,
        admittedWorkloads: 1,
      },
    ],
    workloads: over.prs.map(pr => ({
      namespace: 'default',
      name: `wl-${pr.uid}`,
      queueName: 'dws-local-queue',
      clusterQueue: 'dws-cluster-queue',
      phase: 'Pending',
      active: true,
      gpus: 8,
      conditions: [],
      admissionChecks: [],
    })),
    provisioningRequests: over.prs.map(pr => ({
      namespace: 'default',
      name: `pr-${pr.uid}`,
      uid: pr.uid,
      state: pr.state ?? (pr.provisioned ? 'Provisioned' : 'Accepted'),
      conditions: pr.provisioned
        ? [
            {
              type: 'Provisioned',
              status: 'True',
              lastTransitionTime: new Date(pr.provisioned).toISOString(),
            },
          ]
        : [],
      details: {},
      workload: `wl-${pr.uid}`,
      createdAt: new Date(pr.created).toISOString(),
    })),
    rayClusters: [],
    rayJobs: [],
    flags: [],
    explanations: [],
  };
}

describe('ClusterHistoryStore', () => {
  it('computes nearest-rank percentiles', () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(values, 50)).toBe(50);
    expect(percentile(values, 90)).toBe(90);
    expect(percentile(values, 99)).toBe(99);
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([], 50)).toBeUndefined();
  });

  it.each(databases.eachSupportedId())(
    'averages samples per step, counts each wait once and prunes by retention (%p)',
    async id => {
      const { store, knex } = await storeOn(id);
      // Three samples a minute apart; the request `a` waits 5 minutes, then is provisioned.
      await store.record(
        REF,
        T0,
        sampleOf(
          detail({
            gpusInUse: 0,
            pending: 2,
            prs: [{ uid: 'a', created: T0 - 3 * MIN }],
          }),
        ),
      );
      await store.record(
        REF,
        T0 + MIN,
        sampleOf(
          detail({
            gpusInUse: 8,
            pending: 4,
            prs: [
              { uid: 'a', created: T0 - 3 * MIN, provisioned: T0 + 2 * MIN },
              { uid: 'b', created: T0 },
            ],
          }),
        ),
      );
      // Resampled, and `a` now claims another provisioning time: the first one stays.
      await store.record(
        REF,
        T0 + 2 * MIN,
        sampleOf(
          detail({
            gpusInUse: 16,
            pending: 0,
            prs: [
              { uid: 'a', created: T0 - 3 * MIN, provisioned: T0 + 9 * MIN },
              { uid: 'b', created: T0 },
            ],
          }),
        ),
      );
      const window = { from: T0, to: T0 + 10 * MIN, stepMs: 2 * MIN };
      const points = await store.series(REF, window);
      expect(points).toEqual([
        expect.objectContaining({
          t: new Date(T0).toISOString(),
          samples: 2,
          gpusInUse: 4,
          pendingWorkloads: 3,
          gpusAllocatable: 16,
        }),
        expect.objectContaining({
          t: new Date(T0 + 2 * MIN).toISOString(),
          samples: 1,
          gpusInUse: 16,
          pendingWorkloads: 0,
        }),
      ]);
      // Upper-case refs read the same rows (routes lower-case them).
      expect(await store.series(REF.toUpperCase(), window)).toHaveLength(2);

      const queues = await store.queueSeries(REF, window, 1);
      expect(queues.truncated).toBe(true);
      expect(queues.series).toEqual([
        {
          kind: 'ClusterQueue',
          name: 'dws-cluster-queue',
          points: [
            expect.objectContaining({ pending: 3, admitted: 1 }),
            expect.objectContaining({ pending: 0 }),
          ],
        },
      ]);

      const { waits, truncated } = await store.waitStats(REF, window, 100);
      expect(truncated).toBe(false);
      expect(waits).toEqual([
        {
          localQueue: 'default/dws-local-queue',
          clusterQueue: 'dws-cluster-queue',
          provisioned: 1,
          p50Seconds: 300,
          p90Seconds: 300,
          p99Seconds: 300,
          maxSeconds: 300,
          // `b` still waiting at the last sample, created 2 minutes before it.
          waiting: 1,
          oldestWaitingSeconds: 120,
        },
      ]);
      expect(
        Number(
          (
            await knex('gpu_cluster_history_provisioning_waits')
              .count({ n: '*' })
              .first()
          )?.n,
        ),
      ).toBe(2);

      expect(await store.fleetSeries([REF], window)).toEqual([
        {
          entityRef: REF,
          points: [
            expect.objectContaining({ gpusInUse: 4, pendingWorkloads: 3 }),
            expect.objectContaining({ gpusInUse: 16 }),
          ],
        },
      ]);

      // Retention: everything last seen before T0 + 2 min goes.
      expect(await store.prune(T0 + 2 * MIN)).toBeGreaterThan(0);
      expect(await store.series(REF, window)).toHaveLength(1);
      expect(await store.lastSampleAt(REF)).toBe(T0 + 2 * MIN);
    },
  );
});
