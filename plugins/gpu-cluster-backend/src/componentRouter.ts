import type {
  BackstageCredentials,
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import type { Entity } from '@backstage/catalog-model';
import { NotFoundError } from '@backstage/errors';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { gpuClusterStatusReadPermission } from '@gpu-platform/backstage-plugin-gpu-cluster-common';
import express from 'express';
import {
  createGpuClusterApiRouter,
  type GpuClusterApiRouter,
} from './apiRouter';
import { ClusterAccessError } from './services/ClusterAccessError';
import type { ClusterStatusService } from './services/ClusterStatusService';
import type { ClusterSupplier } from './services/ClusterSupplier';
import {
  checkLocalQueue,
  checkNamespace,
  narrowToComponent,
  resolveComponentScope,
  servedNamespaces,
} from './services/componentScope';
import { pageOf } from './services/lists';

export interface ComponentRouterOptions {
  /** Adds the routes to this router (the plugin's one validated router) instead of a new one. */
  router?: GpuClusterApiRouter;
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  catalog: {
    getEntityByRef(
      ref: string,
      options: { credentials: BackstageCredentials },
    ): Promise<Entity | undefined>;
  };
  supplier: ClusterSupplier;
  status: ClusterStatusService;
}

/** Entity name / namespace: what the catalog accepts (63 characters at most). */
const NAME = /^[a-zA-Z0-9](?:[a-zA-Z0-9._-]{0,61}[a-zA-Z0-9])?$/;

/**
 * The GPU cluster tab of a Component that depends on a cluster, narrowed to its namespace and
 * LocalQueue: `GET /components/:namespace/:name/status` and the paged
 * `GET /components/:namespace/:name/{workloads,provisioningrequests}` (the cluster's own lists with
 * the Component's namespace and queue forced, whatever the query says).
 */
export async function createComponentRouter(
  options: ComponentRouterOptions,
): Promise<GpuClusterApiRouter> {
  const { httpAuth, permissions, catalog, supplier, status } = options;
  const router = options.router ?? (await createGpuClusterApiRouter());

  /** The Component's checked scope, the status permission on its cluster, then the cluster. */
  const authorizeComponent = async (
    req: express.Request<{ namespace: string; name: string }, any, any, any>,
  ) => {
    const credentials = await httpAuth.credentials(req, { allow: ['user'] });
    const { namespace, name } = req.params;
    if (!NAME.test(namespace) || !NAME.test(name)) {
      throw new ClusterAccessError(
        'INVALID_REFERENCE',
        'namespace and name must be catalog entity names (letters, digits, ".", "_", "-"; at most 63)',
      );
    }
    const scope = await resolveComponentScope(
      `component:${namespace}/${name}`.toLocaleLowerCase('en-US'),
      credentials,
      catalog,
    );
    const [decision] = await permissions.authorize(
      [
        {
          permission: gpuClusterStatusReadPermission,
          resourceRef: scope.clusterRef,
        },
      ],
      { credentials },
    );
    if (decision.result !== AuthorizeResult.ALLOW) {
      throw new ClusterAccessError(
        'PERMISSION_DENIED',
        `Not allowed to read the status of ${scope.clusterRef}, which ${scope.componentRef} depends on (permission ${gpuClusterStatusReadPermission.name})`,
      );
    }
    const resolved = await supplier.resolve(scope.clusterRef, credentials);
    const clusterEntity = await catalog.getEntityByRef(scope.clusterRef, {
      credentials,
    });
    checkNamespace(
      scope,
      servedNamespaces(clusterEntity, resolved.cluster.stackSpec),
    );
    return { scope, ...resolved };
  };

  router.get('/components/:namespace/:name/status', async (req, res) => {
    const { scope, entityRef, cluster } = await authorizeComponent(req);
    const summary = await status.getStatus(entityRef, cluster);
    const detail = await status.getDetail(entityRef, cluster);
    res.json(narrowToComponent(scope, summary, detail));
  });

  router.get('/components/:namespace/:name/workloads', async (req, res) => {
    const { scope, entityRef, cluster } = await authorizeComponent(req);
    const detail = await status.getDetail(entityRef, cluster);
    checkLocalQueue(scope, detail);
    res.json(
      pageOf('workloads', detail, {
        ...req.query,
        namespace: scope.namespace,
        queue: scope.localQueue,
      }),
    );
  });

  router.get(
    '/components/:namespace/:name/provisioningrequests',
    async (req, res) => {
      const { scope, entityRef, cluster } = await authorizeComponent(req);
      const detail = await status.getDetail(entityRef, cluster);
      checkLocalQueue(scope, detail);
      res.json(
        pageOf('provisioningrequests', detail, {
          ...req.query,
          namespace: scope.namespace,
        }),
      );
    },
  );

  router.get(
    '/components/:namespace/:name/workloads/:workloadNamespace/:workloadName/explain',
    async (req, res) => {
      const { workloadNamespace, workloadName } = req.params;
      const { scope, entityRef, cluster } = await authorizeComponent(req);
      const detail = await status.getDetail(entityRef, cluster);
      checkLocalQueue(scope, detail);
      // Only the Component's own workloads: its namespace and LocalQueue.
      const workload = detail.workloads.find(
        w =>
          w.namespace === workloadNamespace &&
          w.name === workloadName &&
          w.namespace === scope.namespace &&
          w.queueName === scope.localQueue,
      );
      if (!workload) {
        throw new NotFoundError(
          `No workload ${workloadNamespace}/${workloadName} in ${scope.componentRef}'s namespace ${scope.namespace} and LocalQueue ${scope.localQueue}`,
        );
      }
      res.json(
        await status.explain(
          entityRef,
          cluster,
          workload.namespace,
          workload.name,
        ),
      );
    },
  );

  return router;
}
