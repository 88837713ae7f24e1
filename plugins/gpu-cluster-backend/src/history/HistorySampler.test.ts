import { mockServices } from '@backstage/backend-test-utils';
import type { ClusterStatusDetail } from '@gpu-platform/backstage-plugin-gpu-cluster-common';
import { ClusterAccessError } from '../services/ClusterAccessError';
import type { GpuClusterConfig } from '../services/config';
import { HistorySampler } from './HistorySampler';

const NOW = Date.parse('2026-11-29T12:00:00Z');
const DAY = 86_400_000;

const detailOf = (entityRef: string) =>
  ({
    entityRef,
    summary: { gpusInUse: 8, gpusAllocatable: 16 },
    clusterQueues: [],
    localQueues: [],
    workloads: [],
    provisioningRequests: [],
  } as unknown as ClusterStatusDetail);

describe('HistorySampler', () => {
  it('samples every known cluster once, skips the unreadable and slow ones, then prunes by retention', async () => {
    const record = jest.fn(async () => {});
    const prune = jest.fn(async () => 3);
    const getDetail = jest.fn(async (entityRef: string) => {
      if (entityRef === 'resource:default/slow') {
        // Never answers: the per-cluster timeout ends the wait.
        return new Promise<ClusterStatusDetail>(() => {});
      }
      return detailOf(entityRef);
    });
    const sampler = new HistorySampler({
      auth: mockServices.auth(),
      logger: mockServices.logger.mock(),
      supplier: {
        resolve: async entityRef => {
          if (entityRef === 'resource:default/gone') {
            throw new ClusterAccessError('ENTITY_NOT_FOUND', 'no entity');
          }
          return {
            entityRef,
            cluster: { name: entityRef } as GpuClusterConfig,
          };
        },
      },
      status: { getDetail } as any,
      store: { record, prune },
      // The same entity twice (configured and registered) is sampled once.
      knownEntityRefs: async () => [
        'resource:default/a',
        'resource:default/gone',
        'resource:default/slow',
        'resource:default/a',
      ],
      config: { retentionMs: 7 * DAY, concurrency: 2, clusterTimeoutMs: 50 },
      now: () => NOW,
    });

    const run = await sampler.run();

    expect(run.sampled).toEqual(['resource:default/a']);
    expect(run.skipped).toEqual(
      expect.arrayContaining([
        { entityRef: 'resource:default/gone', reason: 'ENTITY_NOT_FOUND' },
        { entityRef: 'resource:default/slow', reason: 'TIMEOUT' },
      ]),
    );
    expect(record).toHaveBeenCalledTimes(1);
    expect(record).toHaveBeenCalledWith(
      'resource:default/a',
      NOW,
      expect.objectContaining({
        cluster: expect.objectContaining({ gpusInUse: 8, gpusAllocatable: 16 }),
      }),
    );
    expect(prune).toHaveBeenCalledWith(NOW - 7 * DAY);
    expect(run.pruned).toBe(3);
  });
});
