import type { AuthService, LoggerService } from '@backstage/backend-plugin-api';
import pLimit from 'p-limit';
import { withTimeout } from './withTimeout';
import type { ClusterStatusService, WarmUpTimes } from './ClusterStatusService';
import type { ClusterSupplier } from './ClusterSupplier';

/** Clusters warmed at once, and how long one may take before it is left to its first viewer. */
export const WARM_UP_CONCURRENCY = 4;
export const WARM_UP_TIMEOUT_MS = 60_000;

export interface WarmUpResult {
  warmed: ({ entityRef: string } & WarmUpTimes)[];
  failed: { entityRef: string; error: string }[];
}

/**
 * Starts the informers of every known cluster and assembles its status once, so the first viewer
 * after a start meets synced informers and a primed assembler. Each cluster is resolved by the
 * cluster supplier with the plugin's own credentials (the same decision a viewer's request
 * gets), a few at a time, each bounded; a failure is logged and leaves that cluster to the
 * on-demand path of its first request. Never throws.
 */
export async function warmUpClusters(options: {
  auth: AuthService;
  logger: LoggerService;
  supplier: ClusterSupplier;
  status: ClusterStatusService;
  knownEntityRefs(): Promise<string[]>;
  timeoutMs?: number;
}): Promise<WarmUpResult> {
  const { auth, logger, supplier, status } = options;
  const result: WarmUpResult = { warmed: [], failed: [] };
  if (!status.warmUp) return result;
  try {
    const credentials = await auth.getOwnServiceCredentials();
    const refs = [...new Set(await options.knownEntityRefs())];
    const limit = pLimit(WARM_UP_CONCURRENCY);
    await Promise.all(
      refs.map(entityRef =>
        limit(async () => {
          try {
            const times = await withTimeout(
              supplier
                .resolve(entityRef, credentials)
                .then(({ entityRef: resolved, cluster }) =>
                  status.warmUp!(resolved, cluster),
                ),
              options.timeoutMs ?? WARM_UP_TIMEOUT_MS,
            );
            result.warmed.push({ entityRef, ...times });
            logger.info(
              `gpu-cluster warm-up: ${entityRef} informers synced in ${Math.round(
                times.informersSyncedMs,
              )} ms, status assembled in ${Math.round(times.assembledMs)} ms`,
              {
                entityRef,
                informersSyncedMs: Math.round(times.informersSyncedMs),
                assembledMs: Math.round(times.assembledMs),
              },
            );
          } catch (error) {
            const message = String((error as Error)?.message ?? error);
            result.failed.push({ entityRef, error: message });
            logger.warn(
              `gpu-cluster warm-up: ${entityRef} not warmed, its first request starts it: ${message}`,
            );
          }
        }),
      ),
    );
  } catch (error) {
    logger.warn(`gpu-cluster warm-up skipped: ${(error as Error)?.message}`);
  }
  return result;
}
