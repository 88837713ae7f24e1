import fs from 'node:fs';
import {
  AppsV1Api,
  BatchV1Api,
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  ListWatch,
  Watch,
  type KubernetesListObject,
  type KubernetesObject,
} from '@kubernetes/client-node';
import type { LoggerService } from '@backstage/backend-plugin-api';
import type { KubernetesConnectionConfig } from './config';

/** The kinds the monitoring view reads; one list + one long-lived watch each per cluster. */
export const WATCHED_KINDS = [
  'nodes',
  'pods',
  'jobs',
  'clusterqueues',
  'localqueues',
  'workloads',
  'provisioningrequests',
  'rayclusters',
  'rayjobs',
  'networks',
  'gkenetworkparamsets',
  'daemonsets',
] as const;
export type WatchedKind = (typeof WATCHED_KINDS)[number];

/** Kinds without which the Kubernetes source counts as failed (CRDs may legitimately be absent). */
const ESSENTIAL: WatchedKind[] = ['nodes'];

const CRDS: Partial<
  Record<WatchedKind, { group: string; version: string; plural: string }>
> = {
  clusterqueues: {
    group: 'kueue.x-k8s.io',
    version: 'v1beta2',
    plural: 'clusterqueues',
  },
  localqueues: {
    group: 'kueue.x-k8s.io',
    version: 'v1beta2',
    plural: 'localqueues',
  },
  workloads: {
    group: 'kueue.x-k8s.io',
    version: 'v1beta2',
    plural: 'workloads',
  },
  provisioningrequests: {
    group: 'autoscaling.x-k8s.io',
    version: 'v1',
    plural: 'provisioningrequests',
  },
  rayclusters: { group: 'ray.io', version: 'v1', plural: 'rayclusters' },
  rayjobs: { group: 'ray.io', version: 'v1', plural: 'rayjobs' },
  // GKE multi-networking (cluster-scoped; absent on clusters without multi-networking).
  networks: { group: 'networking.gke.io', version: 'v1', plural: 'networks' },
  gkenetworkparamsets: {
    group: 'networking.gke.io',
    version: 'v1',
    plural: 'gkenetworkparamsets',
  },
};

/** Only Jobs managed by Kueue matter for the "why is it not running" chain. */
const JOB_SELECTOR = 'kueue.x-k8s.io/queue-name';

/**
 * The pods informer holds live pods only. Every reader of the snapshot's pods needs pods that hold
 * or wait for resources: GPUs in use (non-terminated pods bound to a node), the pods of unfinished
 * workloads in the "why is it not running" chain, the Ray head's scheduling condition, the NCCL
 * RDMA installer's ready pods. Succeeded and Failed pods never count, and a cluster with thousands
 * of finished Job pods would otherwise fill the informer with them. A watch with this selector
 * gets a pod that finishes as DELETED. `status.phase` is one of the fields the API server lets pods
 * be selected by; set-based operators are not allowed in field selectors, hence two `!=`. The one
 * finished pod the status reads (the NCCL verification Job's rank-0 pod, for its log) is listed
 * directly and bounded by `listPods`.
 */
export const LIVE_PODS_FIELD_SELECTOR =
  'status.phase!=Succeeded,status.phase!=Failed';

/** The one DaemonSet the fabric checks read: the NCCL RDMA installer the stack renders. */
export const RDMA_INSTALLER = {
  namespace: 'kube-system',
  name: 'nccl-rdma-installer',
} as const;
const INSTALLER_FIELD_SELECTOR = `metadata.name=${RDMA_INSTALLER.name}`;

/** The field selector each narrowed informer lists and watches with. */
const FIELD_SELECTORS: Partial<Record<WatchedKind, string>> = {
  daemonsets: INSTALLER_FIELD_SELECTOR,
  pods: LIVE_PODS_FIELD_SELECTOR,
};

export type KindState = 'starting' | 'synced' | 'missing' | 'error';

export interface KindStatus {
  state: KindState;
  error?: string;
  /** Last successful list or watch resumption. */
  syncedAt?: string;
  /** When a kind that had synced started failing (its informer still holds the last data). */
  staleSince?: string;
}

/** A read-only view of everything the informers hold for one cluster. */
export type ClusterSnapshot = Record<WatchedKind, any[]> & {
  kinds: Record<WatchedKind, KindStatus>;
};

export interface ClusterWatcherOptions {
  clusterName: string;
  connection: KubernetesConnectionConfig;
  logger: LoggerService;
  /** How long the first status waits for the initial lists. */
  syncTimeoutMs?: number;
  /** Cap of the restart back-off after a watch or list failure. */
  maxBackoffMs?: number;
}

export const describeError = (err: unknown, secrets: string[] = []): string => {
  const e = err as {
    code?: number | string;
    statusCode?: number;
    message?: string;
    body?: unknown;
  };
  const code = e?.code ?? e?.statusCode;
  const text = String(e?.message ?? err).split('\n')[0];
  // Bodies of API errors can be long; the first line and the code say enough.
  const described =
    code !== undefined && !text.includes(String(code))
      ? `${code}: ${text}`
      : text;
  // The message reaches the response: never let a credential an error echoes travel with it.
  return secrets
    .filter(x => x.length >= 8)
    .reduce((m, x) => m.split(x).join('[redacted]'), described)
    .slice(0, 300);
};

const isNotFound = (err: unknown) => {
  const e = err as { code?: number; statusCode?: number };
  return e?.code === 404 || e?.statusCode === 404;
};

const REFRESHED_TOKEN_PROVIDER = 'gpu-platform-refreshed-token';

/** Builds a KubeConfig from plugin config; the token never leaves it. */
export function createKubeConfig(
  clusterName: string,
  connection: KubernetesConnectionConfig,
): KubeConfig {
  const token =
    connection.token ??
    (connection.tokenFile
      ? fs.readFileSync(connection.tokenFile, 'utf8').trim()
      : undefined);
  const kc = new KubeConfig();
  const getToken = connection.getToken;
  kc.loadFromOptions({
    clusters: [
      {
        name: clusterName,
        server: connection.url,
        caData: connection.caData
          ? Buffer.from(connection.caData).toString('base64')
          : undefined,
        skipTLSVerify: false,
      },
    ],
    users: [
      getToken
        ? {
            name: 'gpu-cluster-backend',
            authProvider: { name: REFRESHED_TOKEN_PROVIDER, config: {} },
          }
        : { name: 'gpu-cluster-backend', token },
    ],
    contexts: [
      { name: clusterName, cluster: clusterName, user: 'gpu-cluster-backend' },
    ],
    currentContext: clusterName,
  });
  if (getToken) {
    // Asked before every list and watch, so informers outlive the one-hour Google tokens.
    kc.addAuthenticator({
      isAuthProvider: user =>
        user.authProvider?.name === REFRESHED_TOKEN_PROVIDER,
      async applyAuthentication(_user, opts) {
        const headers = (opts.headers ?? {}) as Record<string, string>;
        headers.Authorization = `Bearer ${await getToken()}`;
        opts.headers = headers;
      },
    });
  }
  return kc;
}

/**
 * Keeps one informer (ListWatch) per kind for one cluster, started lazily on the first read and
 * restarted with back-off after failures, so any number of status reads cost no upstream
 * requests once synced.
 */
export class ClusterWatcher {
  private readonly kc: KubeConfig;
  private readonly informers = new Map<WatchedKind, ListWatch<any>>();
  private readonly states = new Map<WatchedKind, KindStatus>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly failures = new Map<WatchedKind, number>();
  private started?: Promise<void>;
  private stopped = false;
  private readonly secrets: string[];

  constructor(private readonly options: ClusterWatcherOptions) {
    this.kc = createKubeConfig(options.clusterName, options.connection);
    this.secrets = [options.connection.token ?? ''];
  }

  /** Records a failure; the data of a kind that had synced is now stale, not gone. */
  private failed(kind: WatchedKind, err: unknown, missing = false) {
    const before = this.states.get(kind);
    this.states.set(kind, {
      state: missing ? 'missing' : 'error',
      error: describeError(err, this.secrets),
      syncedAt: before?.syncedAt,
      staleSince:
        before?.state === 'synced'
          ? new Date().toISOString()
          : before?.staleSince,
    });
  }

  private synced(kind: WatchedKind) {
    this.states.set(kind, {
      state: 'synced',
      syncedAt: new Date().toISOString(),
    });
    this.failures.set(kind, 0);
  }

  /** Starts the informers once and waits (bounded) until every kind listed or failed. */
  async ready(): Promise<void> {
    if (this.stopped) {
      throw new Error('cluster watcher stopped');
    }
    this.started ??= this.startAll();
    await this.started;
  }

  snapshot(): ClusterSnapshot {
    const snap: Record<string, unknown> = {};
    const kinds = {} as Record<WatchedKind, KindStatus>;
    for (const kind of WATCHED_KINDS) {
      snap[kind] = this.informers.get(kind)?.list() ?? [];
      kinds[kind] = this.states.get(kind) ?? { state: 'starting' };
    }
    return { ...(snap as Record<WatchedKind, any[]>), kinds };
  }

  /**
   * One container's log (`pods/log`, at most `limitBytes` from its start) with this cluster's
   * read-only identity; errors carry the HTTP code and no credentials.
   */
  async readPodLog(
    namespace: string,
    name: string,
    container: string,
    limitBytes: number,
  ): Promise<string> {
    const core = this.kc.makeApiClient(CoreV1Api);
    try {
      return await core.readNamespacedPodLog({
        namespace,
        name,
        container,
        limitBytes,
      });
    } catch (err) {
      throw new Error(describeError(err, this.secrets));
    }
  }

  /**
   * One bounded, label-selected list of pods in a namespace, finished ones included (the
   * informer holds live pods only); errors carry the HTTP code and no credentials.
   */
  async listPods(
    namespace: string,
    labelSelector: string,
    limit: number,
  ): Promise<any[]> {
    const core = this.kc.makeApiClient(CoreV1Api);
    try {
      return (await core.listNamespacedPod({ namespace, labelSelector, limit }))
        .items;
    } catch (err) {
      throw new Error(describeError(err, this.secrets));
    }
  }

  /** The Kubernetes source failed when an essential kind is not synced. */
  failure(): string | undefined {
    const failed = ESSENTIAL.map(k => [k, this.states.get(k)] as const).find(
      ([, s]) => s?.state !== 'synced',
    );
    if (!failed) {
      return undefined;
    }
    const [kind, s] = failed;
    return `kubernetes ${this.options.connection.url}: ${kind} ${
      s?.state ?? 'starting'
    }${s?.error ? ` (${s.error})` : ''}`;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    await Promise.all(
      [...this.informers.values()].map(i => i.stop().catch(() => {})),
    );
  }

  private listFn(kind: WatchedKind): () => Promise<KubernetesListObject<any>> {
    const crd = CRDS[kind];
    if (crd) {
      const api = this.kc.makeApiClient(CustomObjectsApi);
      return () => api.listClusterCustomObject(crd);
    }
    if (kind === 'jobs') {
      const batch = this.kc.makeApiClient(BatchV1Api);
      return () =>
        batch.listJobForAllNamespaces({ labelSelector: JOB_SELECTOR });
    }
    if (kind === 'daemonsets') {
      const apps = this.kc.makeApiClient(AppsV1Api);
      return () =>
        apps.listNamespacedDaemonSet({
          namespace: RDMA_INSTALLER.namespace,
          fieldSelector: INSTALLER_FIELD_SELECTOR,
        });
    }
    const core = this.kc.makeApiClient(CoreV1Api);
    return kind === 'nodes'
      ? () => core.listNode()
      : () =>
          core.listPodForAllNamespaces({
            fieldSelector: LIVE_PODS_FIELD_SELECTOR,
          });
  }

  private path(kind: WatchedKind): string {
    const crd = CRDS[kind];
    if (crd) {
      return `/apis/${crd.group}/${crd.version}/${crd.plural}`;
    }
    if (kind === 'jobs') {
      return '/apis/batch/v1/jobs';
    }
    if (kind === 'daemonsets') {
      return `/apis/apps/v1/namespaces/${RDMA_INSTALLER.namespace}/daemonsets`;
    }
    return `/api/v1/${kind}`;
  }

  private async startAll(): Promise<void> {
    const timeoutMs = this.options.syncTimeoutMs ?? 10_000;
    await Promise.all(
      WATCHED_KINDS.map(kind => {
        const settled = new Promise<void>(resolve => {
          const list = this.listFn(kind);
          const informer = new ListWatch<KubernetesObject>(
            this.path(kind),
            new Watch(this.kc),
            async () => {
              try {
                const result = await list();
                this.synced(kind);
                return result;
              } finally {
                resolve();
              }
            },
            false,
            kind === 'jobs' ? JOB_SELECTOR : undefined,
            FIELD_SELECTORS[kind],
          );
          informer.on('error', err => {
            this.failed(kind, err, isNotFound(err));
            resolve();
            this.scheduleRestart(kind, informer, isNotFound(err));
          });
          this.informers.set(kind, informer);
          this.states.set(kind, { state: 'starting' });
          informer.start().catch(err => {
            this.failed(kind, err);
            resolve();
            this.scheduleRestart(kind, informer, false);
          });
        });
        // Bounded: a hanging API server must not hang the status request.
        return Promise.race([
          settled,
          new Promise<void>(resolve => {
            const t = setTimeout(resolve, timeoutMs);
            t.unref();
          }),
        ]);
      }),
    );
  }

  private scheduleRestart(
    kind: WatchedKind,
    informer: ListWatch<any>,
    missing: boolean,
  ) {
    if (this.stopped) {
      return;
    }
    const n = (this.failures.get(kind) ?? 0) + 1;
    this.failures.set(kind, n);
    const max = this.options.maxBackoffMs ?? 30_000;
    // A missing CRD may be installed later; look again, but rarely.
    const delay = missing ? 60_000 : Math.min(max, 500 * 2 ** (n - 1));
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (this.stopped) {
        return;
      }
      const errorsBefore = this.failures.get(kind);
      informer
        .start()
        .then(() => {
          // Resumed from the last resourceVersion (no list): healthy again unless it failed anew.
          if (
            this.failures.get(kind) === errorsBefore &&
            this.states.get(kind)?.state === 'error'
          ) {
            this.synced(kind);
          }
        })
        .catch(err => {
          this.failed(kind, err);
          this.scheduleRestart(kind, informer, false);
        });
    }, delay);
    timer.unref();
    this.timers.add(timer);
    this.options.logger.warn(
      `gpu-cluster ${this.options.clusterName}: ${kind} informer failed (${
        this.states.get(kind)?.error
      }); retrying in ${delay} ms`,
    );
  }
}
