import type { HumanDuration } from '@backstage/types';
import { readDurationFromConfig, type Config } from '@backstage/config';
import { durationToMilliseconds } from '@backstage/types';

/** `gpuCluster.history`: sampling each cluster into the plugin's database. */
export interface HistoryConfig {
  enabled: boolean;
  /** How often every cluster is sampled (one replica samples, the scheduler's lock decides). */
  frequency: HumanDuration;
  /** A run taking longer is abandoned (and its lock released). */
  timeout: HumanDuration;
  /** Samples older than this are deleted by the same task. */
  retention: HumanDuration;
  frequencyMs: number;
  retentionMs: number;
  /** Clusters sampled at once, and how long one may take (as the fleet page reads them). */
  concurrency: number;
  clusterTimeoutMs: number;
}

const DEFAULTS = {
  frequency: { minutes: 5 },
  timeout: { minutes: 4 },
  retention: { days: 30 },
};

function duration(
  section: Config | undefined,
  key: keyof typeof DEFAULTS,
): HumanDuration {
  if (!section?.has(key)) return DEFAULTS[key];
  const value = readDurationFromConfig(section, { key });
  if (durationToMilliseconds(value) <= 0) {
    throw new Error(`gpuCluster.history.${key} must be a positive duration`);
  }
  return value;
}

/** Reads `gpuCluster.history`; on by default with the defaults above. */
export function readHistoryConfig(root: Config): HistoryConfig {
  const section = root.getOptionalConfig('gpuCluster.history');
  const frequency = duration(section, 'frequency');
  const retention = duration(section, 'retention');
  const timeout = section?.has('timeout')
    ? duration(section, 'timeout')
    : // Never longer than the interval: the next run would wait for the lock anyway.
      {
        milliseconds: Math.min(
          durationToMilliseconds(DEFAULTS.timeout),
          durationToMilliseconds(frequency),
        ),
      };
  const frequencyMs = durationToMilliseconds(frequency);
  const retentionMs = durationToMilliseconds(retention);
  if (retentionMs < frequencyMs) {
    throw new Error(
      'gpuCluster.history.retention must be at least gpuCluster.history.frequency',
    );
  }
  return {
    enabled: section?.getOptionalBoolean('enabled') ?? true,
    frequency,
    timeout,
    retention,
    frequencyMs,
    retentionMs,
    concurrency: 4,
    clusterTimeoutMs: Math.min(15_000, durationToMilliseconds(timeout)),
  };
}
