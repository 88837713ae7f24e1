import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { gpuClusterPermissions } from '@gpu-platform/backstage-plugin-gpu-cluster-common';
import { createRouter } from './router';
import { createStackPreviewRouter } from './stackPreviewRouter';
import { clusterStatusServiceRef } from './services/ClusterStatusService';

/**
 * The gpu-cluster backend plugin: `/api/gpu-cluster/clusters/:namespace/:name/status`, the
 * "why is it not running" explanation of a workload, and `POST /stack/preview` (what the
 * "Create GPU cluster" form would create).
 *
 * @public
 */
export const gpuClusterPlugin = createBackendPlugin({
  pluginId: 'gpu-cluster',
  register(env) {
    env.registerInit({
      deps: {
        config: coreServices.rootConfig,
        httpAuth: coreServices.httpAuth,
        httpRouter: coreServices.httpRouter,
        permissions: coreServices.permissions,
        permissionsRegistry: coreServices.permissionsRegistry,
        status: clusterStatusServiceRef,
      },
      async init({
        config,
        httpAuth,
        httpRouter,
        permissions,
        permissionsRegistry,
        status,
      }) {
        permissionsRegistry.addPermissions(gpuClusterPermissions);
        httpRouter.use(await createRouter({ httpAuth, permissions, status }));
        httpRouter.use(
          await createStackPreviewRouter({ httpAuth, permissions, config }),
        );
        httpRouter.addAuthPolicy({ path: '/health', allow: 'unauthenticated' });
      },
    });
  },
});
