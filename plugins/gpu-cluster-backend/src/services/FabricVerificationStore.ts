import {
  coreServices,
  createServiceFactory,
  createServiceRef,
  resolvePackagePath,
  type DatabaseService,
} from '@backstage/backend-plugin-api';
import type { FabricVerificationRun } from '@gpu-platform/backstage-plugin-gpu-cluster-common';
import type { Knex } from 'knex';
import { randomUUID } from 'node:crypto';

const TABLE = 'gpu_cluster_fabric_verifications';

/** How long a claim may stay `reading` before another replica may take it over. */
const CLAIM_TIMEOUT_MS = 2 * 60_000;
/** Runs kept per cluster (the oldest are deleted beyond this). */
export const FABRIC_RUNS_KEPT = 50;

/** A verification Job that finished, as the status backend saw it. */
export interface FinishedVerificationJob {
  clusterKey: string;
  uid: string;
  namespace: string;
  name: string;
}

/**
 * The NCCL verification results in the plugin's database (shared by replicas). A Job's log is
 * read once: `claim` inserts the (cluster, Job uid) row, and only the replica whose insert
 * landed reads the log; a claim left `reading` by a replica that died is taken over after
 * CLAIM_TIMEOUT_MS.
 */
export class FabricVerificationStore {
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
    return new FabricVerificationStore(client);
  }

  constructor(
    private readonly db: Knex,
    private readonly now: () => number = Date.now,
  ) {}

  /** True when this caller now owns reading the Job's log. */
  async claim(job: FinishedVerificationJob): Promise<boolean> {
    const claimedAt = new Date(this.now()).toISOString();
    const token = randomUUID();
    const key = { cluster_key: job.clusterKey, job_uid: job.uid };
    await this.db(TABLE)
      .insert({
        ...key,
        namespace: job.namespace,
        job_name: job.name,
        state: 'reading',
        claimed_at: claimedAt,
        claim_token: token,
      })
      .onConflict(['cluster_key', 'job_uid'])
      .ignore();
    const row = await this.db(TABLE).where(key).first();
    if (!row) return false;
    if (row.claim_token === token) return true;
    // Take over a stale claim (its replica died mid-read), compare-and-set on claimed_at.
    if (
      row.state === 'reading' &&
      Date.parse(row.claimed_at) + CLAIM_TIMEOUT_MS < this.now()
    ) {
      const updated = await this.db(TABLE)
        .where({ ...key, state: 'reading', claim_token: row.claim_token })
        .update({ claimed_at: claimedAt, claim_token: token });
      return updated === 1;
    }
    return false;
  }

  async complete(
    job: FinishedVerificationJob,
    run: FabricVerificationRun,
  ): Promise<void> {
    await this.db(TABLE)
      .where({ cluster_key: job.clusterKey, job_uid: job.uid })
      .update({
        state: 'done',
        finished_at: run.readAt,
        result: JSON.stringify(run),
        error: null,
      });
    await this.prune(job.clusterKey);
  }

  /** The log could not be read (no retry: the pod or its log is gone). */
  async fail(job: FinishedVerificationJob, error: string): Promise<void> {
    await this.db(TABLE)
      .where({ cluster_key: job.clusterKey, job_uid: job.uid })
      .update({
        state: 'error',
        finished_at: new Date(this.now()).toISOString(),
        error: error.slice(0, 500),
      });
  }

  /** Whether the Job's row exists (read or being read). */
  async known(clusterKey: string, jobUid: string): Promise<boolean> {
    return Boolean(
      await this.db(TABLE)
        .where({ cluster_key: clusterKey, job_uid: jobUid })
        .first('job_uid'),
    );
  }

  /** The cluster's runs with a result, newest first. */
  async runs(clusterKey: string, limit = 10): Promise<FabricVerificationRun[]> {
    const rows = await this.db(TABLE)
      .where({ cluster_key: clusterKey, state: 'done' })
      .orderBy('finished_at', 'desc')
      .limit(limit);
    return rows.map(r => JSON.parse(r.result) as FabricVerificationRun);
  }

  private async prune(clusterKey: string) {
    const old = await this.db(TABLE)
      .where({ cluster_key: clusterKey })
      .orderBy('claimed_at', 'desc')
      .offset(FABRIC_RUNS_KEPT)
      .select('job_uid');
    if (old.length)
      await this.db(TABLE)
        .where({ cluster_key: clusterKey })
        .whereIn(
          'job_uid',
          old.map(r => r.job_uid),
        )
        .del();
  }
}

/** The plugin-scoped verification store (migrations run once). */
export const fabricVerificationStoreServiceRef =
  createServiceRef<FabricVerificationStore>({
    id: 'gpu-cluster.fabric-verifications',
    defaultFactory: async service =>
      createServiceFactory({
        service,
        deps: { database: coreServices.database },
        factory: ({ database }) => FabricVerificationStore.create(database),
      }),
  });
