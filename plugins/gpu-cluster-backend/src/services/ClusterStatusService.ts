import {
  coreServices,
  createServiceFactory,
  createServiceRef,
  type BackstageCredentials,
  type CacheService,
  type LoggerService,
} from '@backstage/backend-plugin-api';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { NotFoundError, ServiceUnavailableError } from '@backstage/errors';
import {
  createClusterManagerClient,
  googleAccessToken,
  GkeConnectionError,
  resolveGkeClusterConnection,
  type GkeConnectionDependencies,
} from '@gpu-platform/backstage-plugin-gpu-cluster-node';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import {
  GPU_CLUSTER_ANNOTATIONS,
  type ClusterStatus,
  type GkeClusterStatus,
  type StatusSource,
  type WorkloadExplanation,
} from '@gpu-platform/backstage-plugin-gpu-cluster-common';
import { ClusterWatcher } from './ClusterWatcher';
import { GkeReader } from './GkeReader';
import {
  readGpuClusterConfig,
  type GpuClusterConfig,
  type GpuClusterPluginConfig,
} from './config';
import { buildClusterStatus } from './buildStatus';
import { explainWorkload } from './explain';

/** What the router needs from the status service. */
export interface ClusterStatusService {
  /** The cluster entity as the caller may see it; NotFoundError when it is not a configured cluster. */
  resolveCluster(
    entityRef: string,
    credentials: BackstageCredentials,
  ): Promise<{ entityRef: string; cluster: GpuClusterConfig }>;
  getStatus(
    entityRef: string,
    cluster: GpuClusterConfig,
  ): Promise<ClusterStatus>;
  explain(
    entityRef: string,
    cluster: GpuClusterConfig,
    namespace: string,
    workload: string,
  ): Promise<WorkloadExplanation>;
}

interface CatalogLike {
  getEntityByRef(
    ref: string,
    options: { credentials: BackstageCredentials },
  ): Promise<any>;
}

export interface DefaultClusterStatusServiceOptions {
  config: GpuClusterPluginConfig;
  logger: LoggerService;
  cache: CacheService;
  catalog: CatalogLike;
  now?: () => number;
  /** Test seams of GKE discovery (a ClusterManager client, a token source). */
  gkeAccess?: Pick<
    GkeConnectionDependencies,
    'clusterManager' | 'getAccessToken'
  >;
}

/** Informers, readers and cache entries are per cluster key (the name for configured clusters). */
const keyOf = (cluster: GpuClusterConfig) => cluster.key ?? cluster.name;

/**
 * Status of configured clusters from per-cluster informers (started on first use) and one cached
 * GKE read. The assembled status is kept in the shared cache for a few seconds, so replicas and
 * concurrent viewers reuse it instead of assembling it again.
 */
export class DefaultClusterStatusService implements ClusterStatusService {
  private readonly watchers = new Map<string, ClusterWatcher>();
  private readonly gkeReaders = new Map<string, GkeReader>();
  private readonly inflight = new Map<string, Promise<ClusterStatus>>();
  private readonly discovered = new Map<string, Promise<GpuClusterConfig>>();
  private discoveryClient?: ReturnType<typeof createClusterManagerClient>;
  private readonly now: () => number;

  constructor(private readonly options: DefaultClusterStatusServiceOptions) {
    this.now = options.now ?? Date.now;
  }

  async resolveCluster(entityRef: string, credentials: BackstageCredentials) {
    const entity = await this.options.catalog.getEntityByRef(entityRef, {
      credentials,
    });
    if (!entity) {
      throw new NotFoundError(`No entity ${entityRef}`);
    }
    const name =
      entity.metadata.annotations?.[GPU_CLUSTER_ANNOTATIONS.clusterName];
    if (!name) {
      throw new NotFoundError(
        `${entityRef} has no ${GPU_CLUSTER_ANNOTATIONS.clusterName} annotation`,
      );
    }
    const cluster =
      this.options.config.clusters.find(c => c.name === name) ??
      (this.options.config.discovery === 'gke'
        ? await this.discover(entityRef, name, entity.metadata.annotations)
        : undefined);
    if (!cluster) {
      throw new NotFoundError(
        `Cluster ${name} of ${entityRef} is not configured in gpuCluster.clusters`,
      );
    }
    return { entityRef: stringifyEntityRef(entity), cluster };
  }

  /**
   * A cluster known only through its entity's annotations: endpoint and CA from GKE (as
   * `gcloud container clusters get-credentials`), Google access tokens per request. Resolved
   * once per cluster; a failed lookup is retried by the next request.
   */
  private async discover(
    entityRef: string,
    clusterName: string,
    annotations: Record<string, string>,
  ): Promise<GpuClusterConfig> {
    const projectId = annotations[GPU_CLUSTER_ANNOTATIONS.projectId];
    const location = annotations[GPU_CLUSTER_ANNOTATIONS.location];
    if (!projectId || !location) {
      throw new NotFoundError(
        `Cluster ${clusterName} of ${entityRef} is not configured in gpuCluster.clusters and has no ${GPU_CLUSTER_ANNOTATIONS.projectId} and ${GPU_CLUSTER_ANNOTATIONS.location} annotations to find it in GKE`,
      );
    }
    const key = `gke:${projectId}/${location}/${clusterName}`;
    let pending = this.discovered.get(key);
    if (!pending) {
      pending = this.resolveFromGke(key, projectId, location, clusterName);
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
  ): Promise<GpuClusterConfig> {
    const { endpoint, useInternalEndpoint } = this.options.config.gke;
    const getAccessToken =
      this.options.gkeAccess?.getAccessToken ?? googleAccessToken;
    const clusterManager =
      this.options.gkeAccess?.clusterManager ??
      (this.discoveryClient ??= createClusterManagerClient(endpoint));
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
        key,
        kubernetes: {
          url: connection.url,
          caData: connection.caData,
          getToken: getAccessToken,
        },
        gke: { projectId, location, clusterName, endpoint },
      };
    } catch (error) {
      if (error instanceof GkeConnectionError && error.reason === 'NOT_FOUND') {
        throw new NotFoundError(error.message);
      }
      throw new ServiceUnavailableError((error as Error).message);
    }
  }

  async getStatus(
    entityRef: string,
    cluster: GpuClusterConfig,
  ): Promise<ClusterStatus> {
    const key = `status:${keyOf(cluster)}:${entityRef}`;
    const cached = (await this.options.cache.get(key)) as
      | ClusterStatus
      | undefined;
    if (cached) {
      return cached;
    }
    // Concurrent viewers of a cold cache share one assembly.
    let pending = this.inflight.get(key);
    if (!pending) {
      pending = this.assemble(entityRef, cluster).finally(() =>
        this.inflight.delete(key),
      );
      this.inflight.set(key, pending);
    }
    const status = await pending;
    return status;
  }

  async explain(
    entityRef: string,
    cluster: GpuClusterConfig,
    namespace: string,
    workload: string,
  ) {
    const status = await this.getStatus(entityRef, cluster);
    const w = status.workloads.find(
      x => x.namespace === namespace && x.name === workload,
    );
    if (!w) {
      throw new NotFoundError(
        `No workload ${namespace}/${workload} in cluster ${cluster.name}`,
      );
    }
    return (
      status.explanations.find(
        e => e.namespace === namespace && e.workload === workload,
      ) ??
      explainWorkload(w, {
        snapshot: this.watcher(cluster).snapshot(),
        workloads: status.workloads,
        provisioningRequests: status.provisioningRequests,
        localQueues: status.localQueues,
        clusterQueues: status.clusterQueues,
        gke: status.gke,
        now: this.now(),
      })
    );
  }

  async stop(): Promise<void> {
    await Promise.all([...this.watchers.values()].map(w => w.stop()));
    await Promise.all(
      [...this.gkeReaders.values()].map(r => r.close().catch(() => {})),
    );
    this.watchers.clear();
    this.gkeReaders.clear();
    await this.discoveryClient?.close().catch(() => {});
    this.discoveryClient = undefined;
  }

  private watcher(cluster: GpuClusterConfig): ClusterWatcher {
    let w = this.watchers.get(keyOf(cluster));
    if (!w) {
      w = new ClusterWatcher({
        clusterName: cluster.name,
        connection: cluster.kubernetes,
        logger: this.options.logger,
      });
      this.watchers.set(keyOf(cluster), w);
    }
    return w;
  }

  private async readGke(cluster: GpuClusterConfig): Promise<GkeClusterStatus> {
    const key = `gke:${keyOf(cluster)}`;
    const cached = (await this.options.cache.get(key)) as
      | GkeClusterStatus
      | undefined;
    if (cached) {
      return cached;
    }
    let reader = this.gkeReaders.get(keyOf(cluster));
    if (!reader) {
      reader = new GkeReader(cluster.gke!);
      this.gkeReaders.set(keyOf(cluster), reader);
    }
    const gke = await reader.read();
    await this.options.cache.set(key, gke as any, {
      ttl: this.options.config.gkeCacheTtlMs,
    });
    return gke;
  }

  private async assemble(
    entityRef: string,
    cluster: GpuClusterConfig,
  ): Promise<ClusterStatus> {
    const watcher = this.watcher(cluster);
    const observedAt = new Date(this.now()).toISOString();
    const [kube, gke] = await Promise.all([
      watcher.ready().then(
        () => watcher.failure(),
        (e: Error) => e.message,
      ),
      cluster.gke
        ? this.readGke(cluster).then(
            g => ({ g }),
            (e: any) => ({
              error: `gke ${cluster.gke!.projectId}/${cluster.gke!.location}/${
                cluster.gke!.clusterName
              }: ${String(e?.details ?? e?.message ?? e).split('\n')[0]}`,
            }),
          )
        : undefined,
    ]);
    const sources: StatusSource[] = [
      kube
        ? { name: 'kubernetes', ok: false, error: kube }
        : { name: 'kubernetes', ok: true, observedAt },
    ];
    if (gke) {
      sources.push(
        'g' in gke
          ? { name: 'gke', ok: true, observedAt }
          : { name: 'gke', ok: false, error: gke.error },
      );
    }
    if (sources.every(s => !s.ok)) {
      const reasons = sources.map(s => s.error).join('; ');
      this.options.logger.warn(
        `gpu-cluster ${cluster.name} unreachable: ${reasons}`,
      );
      throw new ServiceUnavailableError(
        `Cluster ${cluster.name} is unreachable: ${reasons}`,
      );
    }
    const status = buildClusterStatus({
      entityRef,
      clusterName: cluster.name,
      snapshot: watcher.snapshot(),
      gke: gke && 'g' in gke ? gke.g : undefined,
      sources,
      now: this.now(),
    });
    // Partial results are cached too, but not for long: a recovering source shows up quickly.
    await this.options.cache.set(
      `status:${keyOf(cluster)}:${entityRef}`,
      status as any,
      {
        ttl: sources.every(s => s.ok)
          ? this.options.config.statusCacheTtlMs
          : Math.min(1000, this.options.config.statusCacheTtlMs),
      },
    );
    return status;
  }
}

/** The plugin-scoped status service; its informers stop with the plugin. */
export const clusterStatusServiceRef = createServiceRef<ClusterStatusService>({
  id: 'gpu-cluster.status',
  defaultFactory: async service =>
    createServiceFactory({
      service,
      deps: {
        config: coreServices.rootConfig,
        logger: coreServices.logger,
        cache: coreServices.cache,
        catalog: catalogServiceRef,
        lifecycle: coreServices.lifecycle,
      },
      async factory({ config, logger, cache, catalog, lifecycle }) {
        const svc = new DefaultClusterStatusService({
          config: readGpuClusterConfig(config),
          logger,
          cache,
          catalog,
        });
        lifecycle.addShutdownHook(() => svc.stop());
        return svc;
      },
    }),
});
