import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { gpuClusterPermissions } from '@gpu-platform/backstage-plugin-gpu-cluster-common';
import { createRouter } from './router';
import { clusterStatusServiceRef } from './services/ClusterStatusService';

/**
 * The gpu-cluster backend plugin: `/api/gpu-cluster/clusters/:namespace/:name/status` and the
 * "why is it not running" explanation of a workload.
 *
 * @public
 */
export const gpuClusterPlugin = createBackendPlugin({
  pluginId: 'gpu-cluster',
  register(env) {
    env.registerInit({
      deps: {
        httpAuth: coreServices.httpAuth,
        httpRouter: coreServices.httpRouter,
        permissions: coreServices.permissions,
        permissionsRegistry: coreServices.permissionsRegistry,
        status: clusterStatusServiceRef,
      },
      async init({
        httpAuth,
        httpRouter,
        permissions,
        permissionsRegistry,
        status,
      }) {
        permissionsRegistry.addPermissions(gpuClusterPermissions);
        httpRouter.use(await createRouter({ httpAuth, permissions, status }));
        httpRouter.addAuthPolicy({ path: '/health', allow: 'unauthenticated' });
      },
    });
  },
});
