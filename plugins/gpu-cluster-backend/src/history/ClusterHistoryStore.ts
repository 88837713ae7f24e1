import {
  coreServices,
  createServiceFactory,
  createServiceRef,
  resolvePackagePath,
  type DatabaseService,
} from '@backstage/backend-plugin-api';
import type {
  ClusterHistoryPoint,
  FleetClusterHistory,
  QueueHistorySeries,
  QueueWaitStats,
} from '@gpu-platform/backstage-plugin-gpu-cluster-common';
import type { Knex } from 'knex';
import type { ClusterSample } from './sample';

const SAMPLES = 'gpu_cluster_history_samples';
const QUEUE_SAMPLES = 'gpu_cluster_history_queue_samples';
const WAITS = 'gpu_cluster_history_provisioning_waits';

/** Rows per insert: far below SQLite's bound on variables per statement. */
const INSERT_CHUNK = 500;

/** A window `[from, to)` cut in steps of `stepMs` (epoch milliseconds). */
export interface HistoryWindow {
  from: number;
  to: number;
  stepMs: number;
}

/** Entity refs are stored lower-case, as the routes spell them. */
const keyOf = (entityRef: string) => entityRef.toLocaleLowerCase('en-US');

/** Aggregates come back as strings from PostgreSQL (bigint, numeric) and numbers from SQLite. */
const num = (value: unknown): number | undefined =>
  value === null || value === undefined ? undefined : Number(value);
const rounded = (value: unknown): number | undefined => {
  const n = num(value);
  return n === undefined ? undefined : Math.round(n * 100) / 100;
};

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: number[], p: number): number | undefined {
  if (sorted.length === 0) return undefined;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

/**
 * The sampled history of every cluster, in the plugin's database (SQLite in the embedded default,
 * PostgreSQL in production; the knex migrations in `migrations/`). Only the history task writes;
 * the routes read bounded windows, aggregated per step in SQL.
 */
export class ClusterHistoryStore {
  static async create(database: DatabaseService) {
    const client = await database.getClient();
    if (!database.migrations?.skip) {
      await client.migrate.latest({
        directory: resolvePackagePath(
          '@gpu-platform/backstage-plugin-gpu-cluster-backend',
          'migrations',
        ),
      });
    }
    return new ClusterHistoryStore(client);
  }

  constructor(private readonly db: Knex) {}

  /**
   * Records one sample of a cluster. Waits are one row per request: a waiting request's row is
   * refreshed each sample, a provisioned one is written once and never changed again.
   */
  async record(
    entityRef: string,
    sampledAt: number,
    sample: ClusterSample,
  ): Promise<void> {
    const ref = keyOf(entityRef);
    await this.db.transaction(async tx => {
      await tx(SAMPLES).insert({
        entity_ref: ref,
        sampled_at: sampledAt,
        gpus_in_use: sample.cluster.gpusInUse,
        gpus_allocatable: sample.cluster.gpusAllocatable,
        pending_workloads: sample.cluster.pendingWorkloads,
        admitted_workloads: sample.cluster.admittedWorkloads,
        waiting_provisioning_requests:
          sample.cluster.waitingProvisioningRequests,
      });
      const queueRows = sample.queues.map(q => ({
        entity_ref: ref,
        sampled_at: sampledAt,
        queue_kind: q.kind,
        queue: q.queue,
        pending: q.pending,
        reserving: q.reserving,
        admitted: q.admitted,
      }));
      for (let i = 0; i < queueRows.length; i += INSERT_CHUNK) {
        await tx(QUEUE_SAMPLES).insert(queueRows.slice(i, i + INSERT_CHUNK));
      }
      const waitRows = sample.waits.map(w => ({
        entity_ref: ref,
        uid: w.uid,
        namespace: w.namespace,
        name: w.name,
        local_queue: w.localQueue,
        cluster_queue: w.clusterQueue,
        state: w.state,
        created_at: w.createdAt,
        provisioned_at: w.provisionedAt,
        wait_ms: w.waitMs,
        last_seen_at: sampledAt,
      }));
      for (let i = 0; i < waitRows.length; i += INSERT_CHUNK) {
        await tx(WAITS)
          .insert(waitRows.slice(i, i + INSERT_CHUNK))
          .onConflict(['entity_ref', 'uid'])
          .merge([
            'local_queue',
            'cluster_queue',
            'state',
            'provisioned_at',
            'wait_ms',
            'last_seen_at',
          ])
          // A wait already recorded as provisioned is final (PostgreSQL and SQLite upserts).
          .whereNull(`${WAITS}.provisioned_at`);
      }
    });
  }

  /** Deletes what is older than `cutoff` (epoch ms); how many rows went. */
  async prune(cutoff: number): Promise<number> {
    const counts = await Promise.all([
      this.db(SAMPLES).where('sampled_at', '<', cutoff).del(),
      this.db(QUEUE_SAMPLES).where('sampled_at', '<', cutoff).del(),
      this.db(WAITS).where('last_seen_at', '<', cutoff).del(),
    ]);
    return counts.reduce((a, b) => a + b, 0);
  }

  async lastSampleAt(entityRef: string): Promise<number | undefined> {
    const row = await this.db(SAMPLES)
      .where('entity_ref', keyOf(entityRef))
      .max({ at: 'sampled_at' })
      .first();
    return num(row?.at);
  }

  /**
   * The step a sample time falls in, computed by the database. The cast makes it an integer on
   * both: better-sqlite3 binds numbers as REAL, so SQLite's division would not truncate.
   */
  private bucket(window: HistoryWindow) {
    return this.db.raw('CAST((sampled_at - ?) / ? AS BIGINT) as bucket', [
      window.from,
      window.stepMs,
    ]);
  }

  /** The cluster-wide figures, averaged per step; steps without samples are left out. */
  async series(
    entityRef: string,
    window: HistoryWindow,
  ): Promise<ClusterHistoryPoint[]> {
    const rows = await this.db(SAMPLES)
      .select(this.bucket(window))
      .count({ samples: '*' })
      .avg({
        gpusInUse: 'gpus_in_use',
        gpusAllocatable: 'gpus_allocatable',
        pendingWorkloads: 'pending_workloads',
        admittedWorkloads: 'admitted_workloads',
        waitingProvisioningRequests: 'waiting_provisioning_requests',
      })
      .where('entity_ref', keyOf(entityRef))
      .andWhere('sampled_at', '>=', window.from)
      .andWhere('sampled_at', '<', window.to)
      .groupBy('bucket')
      .orderBy('bucket');
    return rows.map((row: any) => ({
      t: new Date(
        window.from + Number(row.bucket) * window.stepMs,
      ).toISOString(),
      samples: Number(row.samples),
      gpusInUse: rounded(row.gpusInUse),
      gpusAllocatable: rounded(row.gpusAllocatable),
      pendingWorkloads: rounded(row.pendingWorkloads),
      admittedWorkloads: rounded(row.admittedWorkloads),
      waitingProvisioningRequests: rounded(row.waitingProvisioningRequests),
    }));
  }

  /**
   * Queue depth per step for at most `limit` queues: ClusterQueues first, then LocalQueues,
   * each by their peak depth in the window.
   */
  async queueSeries(
    entityRef: string,
    window: HistoryWindow,
    limit: number,
  ): Promise<{ series: QueueHistorySeries[]; truncated: boolean }> {
    const ref = keyOf(entityRef);
    const inWindow = (q: Knex.QueryBuilder) =>
      q
        .where('entity_ref', ref)
        .andWhere('sampled_at', '>=', window.from)
        .andWhere('sampled_at', '<', window.to);
    const queues = await inWindow(this.db(QUEUE_SAMPLES))
      .select('queue_kind', 'queue')
      .max({ peak: 'pending' })
      .groupBy('queue_kind', 'queue')
      .orderBy([
        { column: 'queue_kind', order: 'asc' },
        { column: 'peak', order: 'desc' },
        { column: 'queue', order: 'asc' },
      ])
      .limit(limit + 1);
    const chosen: { queue_kind: string; queue: string }[] = queues.slice(
      0,
      limit,
    );
    if (chosen.length === 0) return { series: [], truncated: false };
    const rows = await inWindow(this.db(QUEUE_SAMPLES))
      .select('queue_kind', 'queue', this.bucket(window))
      .avg({ pending: 'pending', reserving: 'reserving', admitted: 'admitted' })
      .whereIn(
        'queue',
        chosen.map(q => q.queue),
      )
      .groupBy('queue_kind', 'queue', 'bucket')
      .orderBy('bucket');
    const series: QueueHistorySeries[] = chosen.map(q => ({
      kind: q.queue_kind as QueueHistorySeries['kind'],
      name: q.queue as string,
      points: [] as QueueHistorySeries['points'],
    }));
    const byKey = new Map(series.map(s => [`${s.kind}\u0000${s.name}`, s]));
    for (const row of rows as any[]) {
      byKey.get(`${row.queue_kind}\u0000${row.queue}`)?.points.push({
        t: new Date(
          window.from + Number(row.bucket) * window.stepMs,
        ).toISOString(),
        pending: rounded(row.pending) ?? 0,
        reserving: rounded(row.reserving) ?? 0,
        admitted: rounded(row.admitted) ?? 0,
      });
    }
    return { series, truncated: queues.length > limit };
  }

  /**
   * Wait percentiles per queue over the requests provisioned in the window (the newest
   * `sampleLimit` at most, so memory stays bounded), and the requests still waiting at the last
   * sample with the oldest one's age.
   */
  async waitStats(
    entityRef: string,
    window: HistoryWindow,
    sampleLimit: number,
  ): Promise<{ waits: QueueWaitStats[]; truncated: boolean }> {
    const ref = keyOf(entityRef);
    const completed = await this.db(WAITS)
      .select('local_queue', 'cluster_queue', 'wait_ms')
      .where('entity_ref', ref)
      .whereNotNull('provisioned_at')
      .andWhere('provisioned_at', '>=', window.from)
      .andWhere('provisioned_at', '<', window.to)
      .orderBy('provisioned_at', 'desc')
      .limit(sampleLimit + 1);
    const truncated = completed.length > sampleLimit;
    const last = await this.lastSampleAt(ref);
    const waiting =
      last === undefined
        ? []
        : await this.db(WAITS)
            .select('local_queue', 'cluster_queue')
            .count({ waiting: '*' })
            .min({ oldest: 'created_at' })
            .where({ entity_ref: ref, state: 'waiting' })
            .andWhere('last_seen_at', '>=', last)
            .groupBy('local_queue', 'cluster_queue');
    const stats = new Map<string, QueueWaitStats & { values: number[] }>();
    const entry = (localQueue: string | null, clusterQueue: string | null) => {
      const key = `${localQueue ?? ''}\u0000${clusterQueue ?? ''}`;
      let s = stats.get(key);
      if (!s) {
        s = {
          ...(localQueue ? { localQueue } : {}),
          ...(clusterQueue ? { clusterQueue } : {}),
          provisioned: 0,
          waiting: 0,
          values: [],
        };
        stats.set(key, s);
      }
      return s;
    };
    for (const row of completed.slice(0, sampleLimit)) {
      entry(row.local_queue, row.cluster_queue).values.push(
        Number(row.wait_ms) / 1000,
      );
    }
    for (const row of waiting as any[]) {
      const s = entry(row.local_queue, row.cluster_queue);
      s.waiting = Number(row.waiting);
      const oldest = num(row.oldest);
      if (oldest !== undefined && last !== undefined) {
        s.oldestWaitingSeconds = Math.max(
          0,
          Math.round((last - oldest) / 1000),
        );
      }
    }
    const waits = [...stats.values()].map(({ values, ...s }) => {
      values.sort((a, b) => a - b);
      const at = (p: number) => {
        const v = percentile(values, p);
        return v === undefined ? undefined : Math.round(v);
      };
      return {
        ...s,
        provisioned: values.length,
        ...(values.length > 0
          ? {
              p50Seconds: at(50),
              p90Seconds: at(90),
              p99Seconds: at(99),
              maxSeconds: Math.round(values[values.length - 1]),
            }
          : {}),
      };
    });
    waits.sort(
      (a, b) =>
        b.waiting - a.waiting ||
        b.provisioned - a.provisioned ||
        (a.localQueue ?? a.clusterQueue ?? '').localeCompare(
          b.localQueue ?? b.clusterQueue ?? '',
        ),
    );
    return { waits, truncated };
  }

  /** The fleet page's compact series: GPUs and queue depth per step, for these clusters. */
  async fleetSeries(
    entityRefs: string[],
    window: HistoryWindow,
  ): Promise<FleetClusterHistory[]> {
    if (entityRefs.length === 0) return [];
    const refs = entityRefs.map(keyOf);
    const rows = await this.db(SAMPLES)
      .select('entity_ref', this.bucket(window))
      .avg({
        gpusInUse: 'gpus_in_use',
        gpusAllocatable: 'gpus_allocatable',
        pendingWorkloads: 'pending_workloads',
      })
      .whereIn('entity_ref', refs)
      .andWhere('sampled_at', '>=', window.from)
      .andWhere('sampled_at', '<', window.to)
      .groupBy('entity_ref', 'bucket')
      .orderBy('bucket');
    const byRef = new Map<string, FleetClusterHistory>();
    for (const row of rows as any[]) {
      let cluster = byRef.get(row.entity_ref);
      if (!cluster) {
        cluster = { entityRef: row.entity_ref, points: [] };
        byRef.set(row.entity_ref, cluster);
      }
      cluster.points.push({
        t: new Date(
          window.from + Number(row.bucket) * window.stepMs,
        ).toISOString(),
        gpusInUse: rounded(row.gpusInUse),
        gpusAllocatable: rounded(row.gpusAllocatable),
        pendingWorkloads: rounded(row.pendingWorkloads),
      });
    }
    return [...byRef.values()];
  }
}

/** The plugin-scoped history store (migrations run once per plugin). */
export const clusterHistoryStoreServiceRef =
  createServiceRef<ClusterHistoryStore>({
    id: 'gpu-cluster.history',
    defaultFactory: async service =>
      createServiceFactory({
        service,
        deps: { database: coreServices.database },
        factory: ({ database }) => ClusterHistoryStore.create(database),
      }),
  });
