import {
  coreServices,
  createServiceFactory,
  createServiceRef,
  resolvePackagePath,
  type DatabaseService,
} from '@backstage/backend-plugin-api';
import type { Knex } from 'knex';

/** A cluster entity the Create GPU cluster template registered. */
export interface ClusterRegistration {
  entityRef: string;
  projectId: string;
  location: string;
  clusterName: string;
  owner: string;
  /**
   * The validated stack spec the template applied (absent for registrations recorded before
   * specs were kept): what the Destroy template tears down.
   */
  spec?: Record<string, unknown>;
}

const TABLE = 'gpu_cluster_registrations';

/**
 * Which catalog entity the template registered for which GKE cluster, in the plugin's own
 * database (shared by replicas). The status API discovers a cluster through GKE only for an
 * entity recorded here, so annotations on an entity anyone registered are not trusted.
 */
export class ClusterRegistrationStore {
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
    return new ClusterRegistrationStore(client);
  }

  constructor(private readonly db: Knex) {}

  async record(registration: ClusterRegistration): Promise<void> {
    await this.db(TABLE)
      .insert({
        entity_ref: registration.entityRef,
        project_id: registration.projectId,
        location: registration.location,
        cluster_name: registration.clusterName,
        owner: registration.owner,
        spec: registration.spec ? JSON.stringify(registration.spec) : null,
        registered_at: new Date().toISOString(),
      })
      .onConflict('entity_ref')
      .merge();
  }

  async get(entityRef: string): Promise<ClusterRegistration | undefined> {
    const row = await this.db(TABLE).where({ entity_ref: entityRef }).first();
    return row
      ? {
          entityRef: row.entity_ref,
          projectId: row.project_id,
          location: row.location,
          clusterName: row.cluster_name,
          owner: row.owner,
          ...(row.spec ? { spec: JSON.parse(row.spec) } : {}),
        }
      : undefined;
  }

  /** Every registered entity (the history task samples them); bounded by what was registered. */
  async listEntityRefs(): Promise<string[]> {
    const rows = await this.db(TABLE)
      .select('entity_ref')
      .orderBy('entity_ref');
    return rows.map(row => row.entity_ref);
  }

  /** Forgets a registration (the cluster was destroyed); true when there was one. */
  async remove(entityRef: string): Promise<boolean> {
    return (await this.db(TABLE).where({ entity_ref: entityRef }).del()) > 0;
  }
}

/** The plugin-scoped registration store (one per plugin, migrations run once). */
export const clusterRegistrationStoreServiceRef =
  createServiceRef<ClusterRegistrationStore>({
    id: 'gpu-cluster.registrations',
    defaultFactory: async service =>
      createServiceFactory({
        service,
        deps: { database: coreServices.database },
        factory: ({ database }) => ClusterRegistrationStore.create(database),
      }),
  });
