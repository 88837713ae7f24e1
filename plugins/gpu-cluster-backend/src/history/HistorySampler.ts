import type { AuthService, LoggerService } from '@backstage/backend-plugin-api';
import pLimit from 'p-limit';
import { withTimeout } from '../services/withTimeout';
import { ClusterAccessError } from '../services/ClusterAccessError';
import type { ClusterStatusService } from '../services/ClusterStatusService';
import type { ClusterSupplier } from '../services/ClusterSupplier';
import type { ClusterHistoryStore } from './ClusterHistoryStore';
import type { HistoryConfig } from './config';
import { sampleOf } from './sample';

export interface HistorySamplerOptions {
  auth: AuthService;
  logger: LoggerService;
  supplier: ClusterSupplier;
  status: ClusterStatusService;
  store: Pick<ClusterHistoryStore, 'record' | 'prune'>;
  /** The entities of `gpuCluster.clusters` and the registrations: every cluster known. */
  knownEntityRefs(): Promise<string[]>;
  config: Pick<
    HistoryConfig,
    'retentionMs' | 'concurrency' | 'clusterTimeoutMs'
  >;
  now?: () => number;
}

/** What one run did, for the log and the tests. */
export interface SamplingRun {
  sampled: string[];
  skipped: { entityRef: string; reason: string }[];
  pruned: number;
}

/**
 * One run of the history task: samples every cluster the supplier knows (configured and
 * registered) from the status the shared informers assemble (no watch of its own), a few at a
 * time with a per-cluster timeout, then deletes what is older than the retention. A cluster that
 * cannot be read is skipped (logged), never failing the run for the others.
 */
export class HistorySampler {
  private readonly now: () => number;

  constructor(private readonly options: HistorySamplerOptions) {
    this.now = options.now ?? Date.now;
  }

  async run(): Promise<SamplingRun> {
    const { auth, logger, supplier, status, store, config } = this.options;
    const credentials = await auth.getOwnServiceCredentials();
    const refs = [...new Set(await this.options.knownEntityRefs())];
    const limit = pLimit(config.concurrency);
    const run: SamplingRun = { sampled: [], skipped: [], pruned: 0 };
    await Promise.all(
      refs.map(entityRef =>
        limit(async () => {
          try {
            const sampledAt = this.now();
            const detail = await withTimeout(
              supplier
                .resolve(entityRef, credentials)
                .then(({ entityRef: resolved, cluster }) =>
                  status.getDetail(resolved, cluster),
                ),
              config.clusterTimeoutMs,
            );
            await store.record(detail.entityRef, sampledAt, sampleOf(detail));
            run.sampled.push(detail.entityRef);
          } catch (error) {
            let reason = 'ERROR';
            if (error instanceof ClusterAccessError) reason = error.reason;
            else if ((error as Error)?.name === 'Timeout') reason = 'TIMEOUT';
            run.skipped.push({ entityRef, reason });
            logger.warn(
              `gpu-cluster history: no sample of ${entityRef} (${reason}): ${
                (error as Error)?.message ?? error
              }`,
            );
          }
        }),
      ),
    );
    run.pruned = await store.prune(this.now() - config.retentionMs);
    logger.debug(
      `gpu-cluster history: sampled ${run.sampled.length} clusters, skipped ${run.skipped.length}, pruned ${run.pruned} rows`,
    );
    return run;
  }
}
