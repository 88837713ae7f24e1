import {
  coreServices,
  createServiceFactory,
  createServiceRef,
  type BackstageCredentials,
  type LoggerService,
} from '@backstage/backend-plugin-api';
import { stringifyEntityRef, type Entity } from '@backstage/catalog-model';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import {
  GPU_CLUSTER_ANNOTATIONS,
  normalizeOwnerRef,
  parseGpuStackSpec,
} from '@gpu-platform/backstage-plugin-gpu-cluster-common';
import {
  createClusterManagerClient,
  GkeConnectionError,
  resolveGkeClusterConnection,
  type GkeConnectionDependencies,
} from '@gpu-platform/backstage-plugin-gpu-cluster-node';
import { ClusterManagerClient } from '@google-cloud/container';
import { ClusterAccessError } from './ClusterAccessError';
import {
  clusterRegistrationStoreServiceRef,
  type ClusterRegistration,
} from './ClusterRegistrationStore';
import {
  readGpuClusterConfig,
  type GpuClusterConfig,
  type GpuClusterPluginConfig,
} from './config';
import { createStatusIdentity, type StatusIdentity } from './statusIdentity';

/** A cluster the status API may read for an entity. */
export interface ResolvedCluster {
  entityRef: string;
  cluster: GpuClusterConfig;
}

/** Which cluster an entity's status comes from. */
export interface ClusterSupplier {
  /** Throws a {@link ClusterAccessError} saying why when the entity has no readable cluster. */
  resolve(
    entityRef: string,
    credentials: BackstageCredentials,
  ): Promise<ResolvedCluster>;
}

interface CatalogLike {
  getEntityByRef(
    ref: string,
    options: { credentials: BackstageCredentials },
  ): Promise<Entity | undefined>;
}

interface RegistrationsLike {
  get(entityRef: string): Promise<ClusterRegistration | undefined>;
}

export interface ConfigClusterSupplierOptions {
  config: GpuClusterPluginConfig;
  catalog: CatalogLike;
  registrations: RegistrationsLike;
  logger: LoggerService;
  identity?: StatusIdentity;
  /** Test seams of GKE discovery (a ClusterManager client, a token source). */
  gkeAccess?: Pick<
    GkeConnectionDependencies,
    'clusterManager' | 'getAccessToken'
  >;
}

/** The entity's owner as the catalog resolved it (its ownedBy relation), else its spec.owner. */
export const ownerOf = (entity: Entity) => {
  const relation = entity.relations?.find(r => r.type === 'ownedBy');
  if (relation) return relation.targetRef;
  const owner = entity.spec?.owner;
  return typeof owner === 'string' ? normalizeOwnerRef(owner) : undefined;
};

/**
 * Binds entities to clusters from configuration only: a `gpuCluster.clusters` entry serves the
 * one entity its `entityRef` names; an entity the Create GPU cluster template registered (a
 * record in the plugin's database, same owner) is read through GKE when its project and location
 * are in `gpuCluster.discoveryAllowList`, with the read-only status identity. Annotations alone
 * never point the backend's credentials anywhere.
 */
export class ConfigClusterSupplier implements ClusterSupplier {
  private readonly discovered = new Map<string, Promise<GpuClusterConfig>>();
  private discoveryClient?: Promise<ClusterManagerClient>;
  private readonly identity: StatusIdentity;

  constructor(private readonly options: ConfigClusterSupplierOptions) {
    this.identity =
      options.identity ??
      createStatusIdentity(options.config.statusCredentials);
  }

  async resolve(
    requestedRef: string,
    credentials: BackstageCredentials,
  ): Promise<ResolvedCluster> {
    const { config } = this.options;
    const entity = await this.options.catalog.getEntityByRef(requestedRef, {
      credentials,
    });
    if (!entity) {
      throw new ClusterAccessError(
        'ENTITY_NOT_FOUND',
        `No entity ${requestedRef}, or you may not see it`,
      );
    }
    const entityRef = stringifyEntityRef(entity);
    const configured = config.clusters.find(c => c.entityRef === entityRef);
    if (configured) return { entityRef, cluster: configured };

    const name =
      entity.metadata.annotations?.[GPU_CLUSTER_ANNOTATIONS.clusterName];
    if (!name) {
      throw new ClusterAccessError(
        'NOT_A_CLUSTER',
        `${entityRef} has no ${GPU_CLUSTER_ANNOTATIONS.clusterName} annotation`,
      );
    }
    const boundElsewhere = config.clusters.find(c => c.name === name);
    if (boundElsewhere) {
      throw new ClusterAccessError(
        'BOUND_TO_OTHER_ENTITY',
        `Cluster ${name} is configured for ${boundElsewhere.entityRef}, not ${entityRef}: its status is served there only`,
        'gpuCluster.clusters[].entityRef',
      );
    }
    if (config.discovery !== 'gke') {
      throw new ClusterAccessError(
        'NOT_CONFIGURED',
        `No cluster is configured for ${entityRef} and GKE discovery is off`,
        'gpuCluster.clusters',
      );
    }
    const registration = await this.options.registrations.get(entityRef);
    const annotations = entity.metadata.annotations ?? {};
    if (
      !registration ||
      registration.clusterName !== name ||
      registration.projectId !==
        annotations[GPU_CLUSTER_ANNOTATIONS.projectId] ||
      registration.location !== annotations[GPU_CLUSTER_ANNOTATIONS.location] ||
      registration.owner !== ownerOf(entity)
    ) {
      throw new ClusterAccessError(
        'NOT_REGISTERED',
        `${entityRef} was not registered for cluster ${name} by the Create GPU cluster template (or its owner changed), so its annotations are not trusted`,
        'gpuCluster.clusters[].entityRef',
      );
    }
    const { projectId, location } = registration;
    const allowed = config.discoveryAllowList.some(
      entry =>
        entry.projectId === projectId &&
        (entry.locations.includes('*') || entry.locations.includes(location)),
    );
    if (!allowed) {
      throw new ClusterAccessError(
        'DISCOVERY_NOT_ALLOWED',
        `GKE discovery is not allowed for project ${projectId}, location ${location}`,
        'gpuCluster.discoveryAllowList',
      );
    }
    const cluster = await this.discover(projectId, location, name, entityRef);
    // The spec the template applied and recorded; an unreadable one only loses the fabric's expectation.
    const parsed = registration.spec
      ? parseGpuStackSpec(registration.spec)
      : undefined;
    return {
      entityRef,
      cluster: parsed?.ok ? { ...cluster, stackSpec: parsed.spec } : cluster,
    };
  }

  /** Resolved once per cluster; a failed lookup is retried by the next request. */
  private discover(
    projectId: string,
    location: string,
    clusterName: string,
    entityRef: string,
  ): Promise<GpuClusterConfig> {
    const key = `gke:${projectId}/${location}/${clusterName}`;
    let pending = this.discovered.get(key);
    if (!pending) {
      pending = this.resolveFromGke(
        key,
        projectId,
        location,
        clusterName,
        entityRef,
      );
      this.discovered.set(key, pending);
      pending.catch(() => this.discovered.delete(key));
    }
    return pending;
  }

  private async resolveFromGke(
    key: string,
    projectId: string,
    location: string,
    clusterName: string,
    entityRef: string,
  ): Promise<GpuClusterConfig> {
    const { endpoint, useInternalEndpoint } = this.options.config.gke;
    const getAccessToken =
      this.options.gkeAccess?.getAccessToken ??
      (() => this.identity.getAccessToken());
    const clusterManager =
      this.options.gkeAccess?.clusterManager ??
      (await (this.discoveryClient ??= this.identity
        .clusterManagerOptions(endpoint)
        .then(options =>
          endpoint
            ? createClusterManagerClient(endpoint)
            : new ClusterManagerClient(options),
        )));
    try {
      const connection = await resolveGkeClusterConnection(
        { projectId, location, clusterName, useInternalEndpoint },
        { clusterManager, getAccessToken },
      );
      this.options.logger.info(
        `gpu-cluster ${clusterName}: credentials from GKE (${projectId}/${location}) at ${connection.url}`,
      );
      return {
        name: clusterName,
        entityRef,
        key,
        kubernetes: {
          url: connection.url,
          caData: connection.caData,
          getToken: getAccessToken,
        },
        gke: { projectId, location, clusterName, endpoint },
      };
    } catch (error) {
      if (error instanceof GkeConnectionError) {
        const reason = {
          NOT_FOUND: 'GKE_CLUSTER_NOT_FOUND',
          NOT_RUNNING: 'GKE_CLUSTER_NOT_RUNNING',
          PERMISSION_DENIED: 'READ_DENIED',
          NO_TOKEN: 'READ_DENIED',
        }[error.reason as string] as
          | 'GKE_CLUSTER_NOT_FOUND'
          | 'GKE_CLUSTER_NOT_RUNNING'
          | 'READ_DENIED'
          | undefined;
        throw new ClusterAccessError(
          reason ?? 'UNREACHABLE',
          error.message,
          reason === 'READ_DENIED' ? 'gpuCluster.statusCredentials' : undefined,
        );
      }
      throw new ClusterAccessError('UNREACHABLE', (error as Error).message);
    }
  }

  async stop(): Promise<void> {
    const client = await this.discoveryClient?.catch(() => undefined);
    await client?.close().catch(() => {});
    this.discoveryClient = undefined;
  }
}

/** The plugin-scoped cluster supplier (overridable, like the status service). */
export const clusterSupplierServiceRef = createServiceRef<ClusterSupplier>({
  id: 'gpu-cluster.cluster-supplier',
  defaultFactory: async service =>
    createServiceFactory({
      service,
      deps: {
        config: coreServices.rootConfig,
        logger: coreServices.logger,
        catalog: catalogServiceRef,
        registrations: clusterRegistrationStoreServiceRef,
        lifecycle: coreServices.lifecycle,
      },
      async factory({ config, logger, catalog, registrations, lifecycle }) {
        const pluginConfig = readGpuClusterConfig(config);
        const identity = createStatusIdentity(pluginConfig.statusCredentials);
        if (pluginConfig.discovery === 'gke' && !identity.separate) {
          logger.warn(
            'GKE discovery reads clusters with the backend’s own Google identity; set gpuCluster.statusCredentials to a read-only identity (docs/security.md)',
          );
        }
        const supplier = new ConfigClusterSupplier({
          config: pluginConfig,
          catalog,
          registrations,
          logger,
          identity,
        });
        lifecycle.addShutdownHook(() => supplier.stop());
        return supplier;
      },
    }),
});
