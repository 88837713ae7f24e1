import type {
  AuthService,
  LoggerService,
  RootConfigService,
  SchedulerService,
} from '@backstage/backend-plugin-api';
import type { ClusterStatusService } from '../services/ClusterStatusService';
import type { ClusterSupplier } from '../services/ClusterSupplier';
import { readGpuClusterConfig } from '../services/config';
import type { ClusterHistoryStore } from './ClusterHistoryStore';
import { readHistoryConfig, type HistoryConfig } from './config';
import { HistorySampler } from './HistorySampler';

/** The scheduler task's id: one lock across replicas sharing the database. */
export const HISTORY_TASK_ID = 'gpu-cluster-history-sample';

/**
 * Schedules the history task when `gpuCluster.history.enabled` (the default): a global task, so
 * replicas on one PostgreSQL run it once per interval between them (the scheduler's lock). Its
 * first run comes a few seconds after start, so the embedded default has points within a minute.
 */
export async function scheduleHistorySampling(options: {
  config: RootConfigService;
  scheduler: SchedulerService;
  auth: AuthService;
  logger: LoggerService;
  supplier: ClusterSupplier;
  status: ClusterStatusService;
  registrations: { listEntityRefs(): Promise<string[]> };
  store: ClusterHistoryStore;
}): Promise<HistoryConfig> {
  const { config, scheduler, logger, registrations } = options;
  const history = readHistoryConfig(config);
  if (!history.enabled) {
    logger.info(
      'gpu-cluster history: sampling off (gpuCluster.history.enabled)',
    );
    return history;
  }
  const plugin = readGpuClusterConfig(config);
  const sampler = new HistorySampler({
    ...options,
    config: history,
    knownEntityRefs: async () => [
      ...plugin.clusters.map(c => c.entityRef),
      // Registered clusters are readable only through discovery.
      ...(plugin.discovery === 'gke'
        ? await registrations.listEntityRefs()
        : []),
    ],
  });
  await scheduler.scheduleTask({
    id: HISTORY_TASK_ID,
    scope: 'global',
    frequency: history.frequency,
    timeout: history.timeout,
    initialDelay: { seconds: 5 },
    fn: async () => {
      await sampler.run();
    },
  });
  return history;
}
