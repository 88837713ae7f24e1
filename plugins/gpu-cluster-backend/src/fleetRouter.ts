import type {
  BackstageCredentials,
  HttpAuthService,
  LoggerService,
  PermissionsService,
  UserInfoService,
} from '@backstage/backend-plugin-api';
import { CATALOG_FILTER_EXISTS } from '@backstage/catalog-client';
import { stringifyEntityRef, type Entity } from '@backstage/catalog-model';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  GPU_CLUSTER_ANNOTATIONS,
  gpuClusterStatusReadPermission,
  type ClusterStatus,
  type FleetCluster,
  type GpuFleet,
  type StatusSectionName,
} from '@gpu-platform/backstage-plugin-gpu-cluster-common';
import {
  createGpuClusterApiRouter,
  type GpuClusterApiRouter,
} from './apiRouter';
import pLimit from 'p-limit';
import { withTimeout } from './services/withTimeout';
import { ClusterAccessError } from './services/ClusterAccessError';
import type { ClusterStatusService } from './services/ClusterStatusService';
import { ownerOf, type ClusterSupplier } from './services/ClusterSupplier';

interface CatalogLike {
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

export interface FleetRouterOptions {
  /** Adds the routes to this router (the plugin's one validated router) instead of a new one. */
  router?: GpuClusterApiRouter;
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  userInfo: UserInfoService;
  catalog: CatalogLike;
  supplier: ClusterSupplier;
  status: ClusterStatusService;
  logger: LoggerService;
  /** At most this many clusters per answer (the catalog is asked for no more). */
  maxClusters?: number;
  /** Statuses read at once: each may start a cluster's informers. */
  concurrency?: number;
  /** A cluster whose status takes longer is listed with a TIMEOUT error, not waited for. */
  clusterTimeoutMs?: number;
}

/** The entities the entity tab shows for: cluster Resources carrying the cluster-name annotation. */
export const GPU_CLUSTER_FILTER = {
  kind: 'Resource',
  'spec.type': 'kubernetes-cluster',
  [`metadata.annotations.${GPU_CLUSTER_ANNOTATIONS.clusterName}`]:
    CATALOG_FILTER_EXISTS,
};

/** The fleet row of a cluster whose status was read. */
function rowFromStatus(
  base: FleetCluster,
  status: ClusterStatus,
): FleetCluster {
  const degraded = Object.entries(status.sections)
    .filter(([, section]) =>
      ['stale', 'missing', 'partial'].includes(section.state),
    )
    .map(([name]) => name as StatusSectionName);
  return {
    ...base,
    projectId: status.gke?.projectId ?? base.projectId,
    location: status.gke?.location ?? base.location,
    gkeStatus: status.gke?.status,
    summary: status.summary,
    worstFlag: status.flags.items[0],
    flagCount: status.flags.total,
    degradedSections: degraded.length > 0 ? degraded : undefined,
  };
}

/**
 * `GET /fleet`: every GPU cluster in the catalog the signed-in user may see and read the status
 * of, theirs first, with GPUs in use / allocatable, queue depth, waiting ProvisioningRequests and
 * the worst flag. The catalog decides which entities the user sees (their own credentials); the
 * status read permission is decided per entity as on the tab; clusters resolve exactly as the
 * tab resolves them (configuration, registrations, allow-listed discovery). One cluster that
 * cannot be read is a row with its reason, never a failed page.
 */
export async function createFleetRouter(
  options: FleetRouterOptions,
): Promise<GpuClusterApiRouter> {
  const { httpAuth, permissions, userInfo, catalog, supplier, status, logger } =
    options;
  const maxClusters = options.maxClusters ?? 100;
  const limit = pLimit(options.concurrency ?? 4);
  const clusterTimeoutMs = options.clusterTimeoutMs ?? 15_000;
  const router = options.router ?? (await createGpuClusterApiRouter());

  router.get('/fleet', async (req, res) => {
    const credentials = await httpAuth.credentials(req, { allow: ['user'] });
    const [{ ownershipEntityRefs }, page] = await Promise.all([
      userInfo.getUserInfo(credentials),
      catalog.queryEntities(
        {
          filter: GPU_CLUSTER_FILTER,
          fields: [
            'kind',
            'metadata.namespace',
            'metadata.name',
            'metadata.title',
            'metadata.annotations',
            'spec.owner',
            'relations',
          ],
          limit: maxClusters,
          orderFields: { field: 'metadata.name', order: 'asc' },
        },
        { credentials },
      ),
    ]);
    const mine = new Set(ownershipEntityRefs);
    const entities = page.items;
    const refs = entities.map(e => stringifyEntityRef(e));
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

    const rows = await Promise.all(
      entities.map((entity, index) =>
        limit(async (): Promise<FleetCluster> => {
          const entityRef = refs[index];
          const owner = ownerOf(entity);
          const annotations = entity.metadata.annotations ?? {};
          const base: FleetCluster = {
            entityRef,
            title: entity.metadata.title ?? entity.metadata.name,
            owner,
            mine: owner !== undefined && mine.has(owner),
            projectId: annotations[GPU_CLUSTER_ANNOTATIONS.projectId],
            location: annotations[GPU_CLUSTER_ANNOTATIONS.location],
          };
          if (decisions[index]?.result !== AuthorizeResult.ALLOW) {
            return {
              ...base,
              error: {
                reason: 'PERMISSION_DENIED',
                message: `Not allowed to read the status of ${entityRef} (permission ${gpuClusterStatusReadPermission.name})`,
              },
            };
          }
          try {
            const current = await withTimeout(
              supplier
                .resolve(entityRef, credentials)
                .then(({ cluster }) => status.getStatus(entityRef, cluster)),
              clusterTimeoutMs,
            );
            return rowFromStatus(base, current);
          } catch (error) {
            if (error instanceof ClusterAccessError) {
              return {
                ...base,
                error: { reason: error.reason, message: error.message },
              };
            }
            if ((error as Error)?.name === 'Timeout') {
              return {
                ...base,
                error: {
                  reason: 'TIMEOUT',
                  message: `No status within ${Math.round(
                    clusterTimeoutMs / 1000,
                  )} s; it is still being read, try again shortly`,
                },
              };
            }
            // Unexpected: logged here, the row says only that it is unreachable.
            logger.warn(`Fleet status of ${entityRef} failed: ${error}`);
            return {
              ...base,
              error: {
                reason: 'UNREACHABLE',
                message: 'The status of this cluster could not be read',
              },
            };
          }
        }),
      ),
    );

    // Theirs first, then by title; the page sorts and filters further.
    rows.sort(
      (a, b) =>
        Number(b.mine) - Number(a.mine) || a.title.localeCompare(b.title),
    );
    const body: GpuFleet = {
      generatedAt: new Date().toISOString(),
      clusters: rows,
      total: page.totalItems,
      limit: maxClusters,
    };
    res.json(body);
  });

  return router;
}
