import {
  coreServices,
  createServiceFactory,
  createServiceRef,
  type CacheService,
  type LoggerService,
} from '@backstage/backend-plugin-api';
import { NotFoundError } from '@backstage/errors';
import {
  type ClusterStatus,
  type ClusterStatusDetail,
  type GkeClusterStatus,
  type StatusSource,
  type WorkloadExplanation,
} from '@gpu-platform/backstage-plugin-gpu-cluster-common';
import { ClusterWatcher } from './ClusterWatcher';
import { GkeReader } from './GkeReader';
import { ClusterAccessError } from './ClusterAccessError';
import {
  readGpuClusterConfig,
  type GpuClusterConfig,
  type GpuClusterPluginConfig,
} from './config';
import { createStatusIdentity, type StatusIdentity } from './statusIdentity';
import { StatusBuilder } from './buildStatus';
import { expectationFromSpec } from './fabric';
import { explainWorkload } from './explain';
import { summarizeStatus } from './summarize';
import {
  fabricVerificationFlag,
  FabricVerificationRecorder,
} from './fabricVerification';
import { fabricVerificationStoreServiceRef } from './FabricVerificationStore';

/**
 * Assembles the status of a cluster the cluster supplier resolved: per-cluster informers and a
 * cached GKE read. Which cluster an entity may see is the supplier's decision, not this one's.
 */
export interface ClusterStatusService {
  /** The bounded summary the tab loads first (`GET /status`). */
  getStatus(
    entityRef: string,
    cluster: GpuClusterConfig,
  ): Promise<ClusterStatus>;
  /** Everything assembled, for the paged lists; never sent whole. */
  getDetail(
    entityRef: string,
    cluster: GpuClusterConfig,
  ): Promise<ClusterStatusDetail>;
  explain(
    entityRef: string,
    cluster: GpuClusterConfig,
    namespace: string,
    workload: string,
  ): Promise<WorkloadExplanation>;
  /**
   * Starts the cluster's informers and assembles its status once, ahead of the first viewer;
   * says how long the informers took to sync and the assembly after them.
   */
  warmUp?(entityRef: string, cluster: GpuClusterConfig): Promise<WarmUpTimes>;
}

/** How long a warm-up took (ms). */
export interface WarmUpTimes {
  informersSyncedMs: number;
  assembledMs: number;
}

export interface DefaultClusterStatusServiceOptions {
  config: GpuClusterPluginConfig;
  logger: LoggerService;
  cache: CacheService;
  /** The read-only Google identity GKE is read with (default from config). */
  identity?: StatusIdentity;
  /** Keeps the NCCL verification results; without it the status has none. */
  verifications?: FabricVerificationRecorder;
  now?: () => number;
}

interface Assembled {
  detail: ClusterStatusDetail;
  status: ClusterStatus;
  expiresAt: number;
}

/** Informers, readers and cache entries are per cluster key (the name for configured clusters). */
const keyOf = (cluster: GpuClusterConfig) => cluster.key ?? cluster.name;

/**
 * Status of resolved clusters from per-cluster informers (started on first use) and one cached
 * GKE read. What is assembled is kept in memory for a few seconds, so concurrent viewers reuse
 * it instead of assembling it again; only the small summary goes through the shared cache
 * service (the whole detail would cost its serializer hundreds of ms at 10k Workloads).
 */
export class DefaultClusterStatusService implements ClusterStatusService {
  private readonly watchers = new Map<string, ClusterWatcher>();
  private readonly gkeReaders = new Map<string, GkeReader>();
  /** Per cluster: what the last assembly derived, so the next re-derives only what changed. */
  private readonly builders = new Map<string, StatusBuilder>();
  private readonly inflight = new Map<string, Promise<Assembled>>();
  /**
   * What this replica assembled, for as long as it is fresh: the paged lists read the detail
   * here, and a summary hit skips the cache service's serializer. Other replicas share the
   * summary through the cache service; each has its own informers for the detail.
   */
  private readonly assembled = new Map<string, Assembled>();
  private readonly now: () => number;
  private readonly identity: StatusIdentity;

  constructor(private readonly options: DefaultClusterStatusServiceOptions) {
    this.now = options.now ?? Date.now;
    this.identity =
      options.identity ??
      createStatusIdentity(options.config.statusCredentials);
  }

  async getStatus(
    entityRef: string,
    cluster: GpuClusterConfig,
  ): Promise<ClusterStatus> {
    const key = `status:${keyOf(cluster)}:${entityRef}`;
    const local = this.assembled.get(key);
    if (local && local.expiresAt > Date.now()) {
      return local.status;
    }
    const cached = (await this.options.cache.get(key)) as
      | ClusterStatus
      | undefined;
    if (cached) {
      return cached;
    }
    return (await this.assembleOnce(key, entityRef, cluster)).status;
  }

  async getDetail(
    entityRef: string,
    cluster: GpuClusterConfig,
  ): Promise<ClusterStatusDetail> {
    const key = `status:${keyOf(cluster)}:${entityRef}`;
    const local = this.assembled.get(key);
    if (local && local.expiresAt > Date.now()) {
      return local.detail;
    }
    return (await this.assembleOnce(key, entityRef, cluster)).detail;
  }

  /** Concurrent viewers of a cold entry share one assembly. */
  private assembleOnce(
    key: string,
    entityRef: string,
    cluster: GpuClusterConfig,
  ): Promise<Assembled> {
    let pending = this.inflight.get(key);
    if (!pending) {
      pending = this.assemble(key, entityRef, cluster).finally(() =>
        this.inflight.delete(key),
      );
      this.inflight.set(key, pending);
    }
    return pending;
  }

  async explain(
    entityRef: string,
    cluster: GpuClusterConfig,
    namespace: string,
    workload: string,
  ) {
    const status = await this.getDetail(entityRef, cluster);
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

  async warmUp(
    entityRef: string,
    cluster: GpuClusterConfig,
  ): Promise<WarmUpTimes> {
    const started = performance.now();
    // A watcher that fails to sync still resolves (its kinds say why); the assembly reports it.
    await this.watcher(cluster)
      .ready()
      .catch(() => {});
    const synced = performance.now();
    await this.getStatus(entityRef, cluster);
    return {
      informersSyncedMs: synced - started,
      assembledMs: performance.now() - synced,
    };
  }

  async stop(): Promise<void> {
    await Promise.all([...this.watchers.values()].map(w => w.stop()));
    await Promise.all(
      [...this.gkeReaders.values()].map(r => r.close().catch(() => {})),
    );
    this.watchers.clear();
    this.gkeReaders.clear();
    this.builders.clear();
    this.assembled.clear();
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
      reader = new GkeReader(cluster.gke!, () =>
        this.identity.clusterManagerOptions(cluster.gke!.endpoint),
      );
      this.gkeReaders.set(keyOf(cluster), reader);
    }
    const gke = await reader.read();
    await this.options.cache.set(key, gke as any, {
      ttl: this.options.config.gkeCacheTtlMs,
    });
    return gke;
  }

  private async assemble(
    key: string,
    entityRef: string,
    cluster: GpuClusterConfig,
  ): Promise<Assembled> {
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
      throw new ClusterAccessError(
        'UNREACHABLE',
        `Cluster ${cluster.name} is unreachable: ${reasons}`,
        'gpuCluster.clusters',
      );
    }
    let builder = this.builders.get(keyOf(cluster));
    if (!builder) {
      builder = new StatusBuilder();
      this.builders.set(keyOf(cluster), builder);
    }
    const detail = builder.build({
      entityRef,
      clusterName: cluster.name,
      snapshot: watcher.snapshot(),
      gke: gke && 'g' in gke ? gke.g : undefined,
      sources,
      projectId: cluster.gke?.projectId,
      fabricExpectation: cluster.stackSpec
        ? expectationFromSpec(cluster.stackSpec)
        : undefined,
      now: this.now(),
    });
    const verifications = this.options.verifications;
    if (verifications && !kube) {
      verifications.observe(keyOf(cluster), watcher);
      const fabric = await verifications
        .summary(keyOf(cluster))
        .catch((e: Error) => {
          this.options.logger.warn(
            `gpu-cluster ${cluster.name}: verification results unreadable: ${e.message}`,
          );
          return undefined;
        });
      if (fabric) {
        detail.fabricVerification = fabric;
        const flag = fabricVerificationFlag(fabric.latest);
        if (flag) detail.flags.push(flag);
      }
    }
    // Partial results (a source or a kind failing) are cached too, but not for long: a recovering
    // source shows up quickly.
    const ttl =
      sources.every(s => s.ok) &&
      Object.values(detail.sections).every(s =>
        ['ok', 'notInstalled'].includes(s.state),
      )
        ? this.options.config.statusCacheTtlMs
        : Math.min(1000, this.options.config.statusCacheTtlMs);
    const assembled = {
      detail,
      status: summarizeStatus(detail),
      expiresAt: Date.now() + ttl,
    };
    this.assembled.set(key, assembled);
    await this.options.cache.set(key, assembled.status as any, { ttl });
    return assembled;
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
        lifecycle: coreServices.lifecycle,
        verificationStore: fabricVerificationStoreServiceRef,
      },
      async factory({ config, logger, cache, lifecycle, verificationStore }) {
        const svc = new DefaultClusterStatusService({
          config: readGpuClusterConfig(config),
          logger,
          cache,
          verifications: new FabricVerificationRecorder({
            store: verificationStore,
            logger,
          }),
        });
        lifecycle.addShutdownHook(() => svc.stop());
        return svc;
      },
    }),
});
