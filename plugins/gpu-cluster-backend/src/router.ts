import type {
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { NotAllowedError } from '@backstage/errors';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { gpuClusterStatusReadPermission } from '@gpu-platform/backstage-plugin-gpu-cluster-common';
import express from 'express';
import Router from 'express-promise-router';
import type { ClusterStatusService } from './services/ClusterStatusService';

export interface RouterOptions {
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  status: ClusterStatusService;
}

const NAME = /^[a-zA-Z0-9][a-zA-Z0-9._-]{0,252}$/;

export async function createRouter(
  options: RouterOptions,
): Promise<express.Router> {
  const { httpAuth, permissions, status } = options;
  const router = Router();
  router.use(express.json());

  router.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });

  /** Credentials, then the read permission on the cluster entity, then the cluster itself. */
  const authorizeCluster = async (req: express.Request) => {
    const credentials = await httpAuth.credentials(req, { allow: ['user'] });
    const { namespace, name } = req.params;
    if (!NAME.test(namespace) || !NAME.test(name)) {
      throw new NotAllowedError('Invalid entity reference');
    }
    const entityRef = `resource:${namespace.toLocaleLowerCase(
      'en-US',
    )}/${name.toLocaleLowerCase('en-US')}`;
    const [decision] = await permissions.authorize(
      [{ permission: gpuClusterStatusReadPermission, resourceRef: entityRef }],
      { credentials },
    );
    if (decision.result !== AuthorizeResult.ALLOW) {
      throw new NotAllowedError(
        `Not allowed to read the status of ${entityRef}`,
      );
    }
    return status.resolveCluster(entityRef, credentials);
  };

  router.get('/clusters/:namespace/:name/status', async (req, res) => {
    const { entityRef, cluster } = await authorizeCluster(req);
    res.json(await status.getStatus(entityRef, cluster));
  });

  router.get(
    '/clusters/:namespace/:name/workloads/:workloadNamespace/:workloadName/explain',
    async (req, res) => {
      const { entityRef, cluster } = await authorizeCluster(req);
      res.json(
        await status.explain(
          entityRef,
          cluster,
          req.params.workloadNamespace,
          req.params.workloadName,
        ),
      );
    },
  );

  return router;
}
