import type {
  BackstageCredentials,
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { stringifyEntityRef, type Entity } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  gpuClusterStatusReadPermission,
  type ClusterHistory,
  type FleetHistory,
} from '@gpu-platform/backstage-plugin-gpu-cluster-common';
import {
  createGpuClusterApiRouter,
  type GpuClusterApiRouter,
} from '../apiRouter';
import { z } from 'zod';
import { GPU_CLUSTER_FILTER } from '../fleetRouter';
import { ClusterAccessError } from '../services/ClusterAccessError';
import type { ClusterHistoryStore, HistoryWindow } from './ClusterHistoryStore';
import type { HistoryConfig } from './config';

interface CatalogLike {
  getEntityByRef(
    ref: string,
    options: { credentials: BackstageCredentials },
  ): Promise<Entity | undefined>;
  queryEntities(
    request: {
      filter: Record<string, string | symbol>;
      fields: string[];
      limit: number;
      orderFields: { field: string; order: 'asc' | 'desc' };
    },
    options: { credentials: BackstageCredentials },
  ): Promise<{ items: Entity[]; totalItems: number }>;
}

export interface HistoryRouterOptions {
  /** Adds the routes to this router (the plugin's one validated router) instead of a new one. */
  router?: GpuClusterApiRouter;
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  catalog: CatalogLike;
  store: Pick<
    ClusterHistoryStore,
    'series' | 'queueSeries' | 'waitStats' | 'lastSampleAt' | 'fleetSeries'
  >;
  config: Pick<HistoryConfig, 'frequencyMs' | 'retentionMs'>;
  now?: () => number;
}

const HOUR = 3_600_000;
/** The longest window one request may ask for. */
export const MAX_WINDOW_MS = 31 * 24 * HOUR;
/** At most this many steps per series, whatever the window. */
export const MAX_POINTS = 720;
/** Default steps of a window when `step` is not given. */
const DEFAULT_POINTS = 180;
/** Queues with a series in one answer, and completed waits the percentiles are computed over. */
export const QUEUE_LIMIT = 20;
export const WAIT_SAMPLE_LIMIT = 20_000;
/** The fleet page's compact series: the last 24 h in 48 steps. */
const FLEET_WINDOW_MS = 24 * HOUR;
const FLEET_POINTS = 48;
const FLEET_LIMIT = 100;

const NAME = /^[a-zA-Z0-9](?:[a-zA-Z0-9._-]{0,61}[a-zA-Z0-9])?$/;

const timestamp = z
  .string()
  .max(40)
  .refine(value => Number.isFinite(Date.parse(value)), {
    message: 'must be an RFC 3339 timestamp, e.g. 2026-11-29T10:00:00Z',
  })
  .transform(value => Date.parse(value));

const historyQuery = z.strictObject({
  from: timestamp.optional(),
  to: timestamp.optional(),
  /** Seconds per step. */
  step: z.coerce
    .number({ message: 'must be a number of seconds' })
    .int('must be a whole number of seconds')
    .min(1, 'must be at least 1 second')
    .max(MAX_WINDOW_MS / 1000, 'must be at most 31 days')
    .optional(),
});

const invalid = (issues: { path: PropertyKey[]; message: string }[]) =>
  new InputError(
    `Invalid history query: ${issues
      .map(
        issue =>
          `${issue.path.map(String).join('.') || '(query)'}: ${issue.message}`,
      )
      .join('; ')}`,
  );

/** The window a query names: `[from, to)`, bounded in length and in steps. */
export function windowOf(
  query: unknown,
  now: number,
  frequencyMs: number,
): HistoryWindow {
  const parsed = historyQuery.safeParse(query);
  if (!parsed.success) {
    throw invalid(
      parsed.error.issues.map(issue =>
        issue.code === 'unrecognized_keys'
          ? {
              path: [],
              message: `unknown parameter(s) ${issue.keys.join(
                ', ',
              )} (from, to, step)`,
            }
          : issue,
      ),
    );
  }
  const to = parsed.data.to ?? now;
  const from = parsed.data.from ?? to - 24 * HOUR;
  if (from >= to) {
    throw invalid([{ path: ['from'], message: 'must be before to' }]);
  }
  if (to - from > MAX_WINDOW_MS) {
    throw invalid([
      { path: ['from'], message: 'the window from..to is at most 31 days' },
    ]);
  }
  const stepMs =
    (parsed.data.step ?? 0) * 1000 ||
    // At least one sampling interval: a finer step has nothing to average.
    Math.max(
      frequencyMs,
      Math.ceil((to - from) / DEFAULT_POINTS / 1000) * 1000,
    );
  if ((to - from) / stepMs > MAX_POINTS) {
    throw invalid([
      {
        path: ['step'],
        message: `gives more than ${MAX_POINTS} points for this window; use at least ${Math.ceil(
          (to - from) / MAX_POINTS / 1000,
        )} seconds`,
      },
    ]);
  }
  return { from: Math.floor(from), to: Math.ceil(to), stepMs };
}

/**
 * The sampled history: `GET /clusters/:namespace/:name/history` (a cluster's series, queue
 * depths and wait percentiles per queue, for whoever may read its status) and `GET
 * /fleet/history` (the compact series of every GPU cluster the user may see and read).
 */
export async function createHistoryRouter(
  options: HistoryRouterOptions,
): Promise<GpuClusterApiRouter> {
  const { httpAuth, permissions, catalog, store, config } = options;
  const now = options.now ?? Date.now;
  const router = options.router ?? (await createGpuClusterApiRouter());

  router.get('/clusters/:namespace/:name/history', async (req, res) => {
    const credentials = await httpAuth.credentials(req, { allow: ['user'] });
    const { namespace, name } = req.params;
    if (!NAME.test(namespace) || !NAME.test(name)) {
      throw new ClusterAccessError(
        'INVALID_REFERENCE',
        'namespace and name must be catalog entity names (letters, digits, ".", "_", "-"; at most 63)',
      );
    }
    const window = windowOf(req.query, now(), config.frequencyMs);
    const entityRef = `resource:${namespace.toLocaleLowerCase(
      'en-US',
    )}/${name.toLocaleLowerCase('en-US')}`;
    const [decision] = await permissions.authorize(
      [{ permission: gpuClusterStatusReadPermission, resourceRef: entityRef }],
      { credentials },
    );
    if (decision.result !== AuthorizeResult.ALLOW) {
      throw new ClusterAccessError(
        'PERMISSION_DENIED',
        `Not allowed to read the status of ${entityRef} (permission ${gpuClusterStatusReadPermission.name})`,
      );
    }
    // History outlives the cluster's reachability, not the user's view of the entity.
    if (!(await catalog.getEntityByRef(entityRef, { credentials }))) {
      throw new ClusterAccessError(
        'ENTITY_NOT_FOUND',
        `No entity ${entityRef}, or you may not see it`,
      );
    }
    const [points, queues, waits, last] = await Promise.all([
      store.series(entityRef, window),
      store.queueSeries(entityRef, window, QUEUE_LIMIT),
      store.waitStats(entityRef, window, WAIT_SAMPLE_LIMIT),
      store.lastSampleAt(entityRef),
    ]);
    const body: ClusterHistory = {
      entityRef,
      from: new Date(window.from).toISOString(),
      to: new Date(window.to).toISOString(),
      stepSeconds: window.stepMs / 1000,
      frequencySeconds: Math.round(config.frequencyMs / 1000),
      retentionSeconds: Math.round(config.retentionMs / 1000),
      ...(last !== undefined
        ? { lastSampleAt: new Date(last).toISOString() }
        : {}),
      points,
      queues: queues.series,
      queueLimit: QUEUE_LIMIT,
      queuesTruncated: queues.truncated,
      waits: waits.waits,
      waitSampleLimit: WAIT_SAMPLE_LIMIT,
      waitsTruncated: waits.truncated,
    };
    res.json(body);
  });

  router.get('/fleet/history', async (req, res) => {
    const credentials = await httpAuth.credentials(req, { allow: ['user'] });
    if (Object.keys(req.query).length > 0) {
      throw invalid([
        {
          path: [],
          message: `unknown parameter(s) ${Object.keys(req.query).join(
            ', ',
          )} (none are taken)`,
        },
      ]);
    }
    const page = await catalog.queryEntities(
      {
        filter: GPU_CLUSTER_FILTER,
        fields: ['kind', 'metadata.namespace', 'metadata.name'],
        limit: FLEET_LIMIT,
        orderFields: { field: 'metadata.name', order: 'asc' },
      },
      { credentials },
    );
    const refs = page.items.map(e => stringifyEntityRef(e));
    const decisions =
      refs.length === 0
        ? []
        : await permissions.authorize(
            refs.map(resourceRef => ({
              permission: gpuClusterStatusReadPermission,
              resourceRef,
            })),
            { credentials },
          );
    const readable = refs.filter(
      (_, i) => decisions[i]?.result === AuthorizeResult.ALLOW,
    );
    const to = now();
    const window: HistoryWindow = {
      from: to - FLEET_WINDOW_MS,
      to,
      stepMs: Math.max(config.frequencyMs, FLEET_WINDOW_MS / FLEET_POINTS),
    };
    const body: FleetHistory = {
      from: new Date(window.from).toISOString(),
      to: new Date(window.to).toISOString(),
      stepSeconds: window.stepMs / 1000,
      frequencySeconds: Math.round(config.frequencyMs / 1000),
      clusters: await store.fleetSeries(readable, window),
    };
    res.json(body);
  });

  return router;
}
