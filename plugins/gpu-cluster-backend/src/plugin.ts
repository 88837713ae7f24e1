import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { gpuClusterStatusPermissions } from '@gpu-platform/backstage-plugin-gpu-cluster-common';
import { createRouter } from './router';
import { clusterRegistrationStoreServiceRef } from './services/ClusterRegistrationStore';
import { createStackPreviewRouter } from './stackPreviewRouter';
import { clusterStatusServiceRef } from './services/ClusterStatusService';
import { clusterSupplierServiceRef } from './services/ClusterSupplier';

/**
 * The gpu-cluster backend plugin: `/api/gpu-cluster/clusters/:namespace/:name/status`, the
 * "why is it not running" explanation of a workload, the record of clusters the Create GPU
 * cluster template registered, and `POST /stack/preview` (what the "Create GPU cluster" form
 * would create).
 *
 * @public
 */
export const gpuClusterPlugin = createBackendPlugin({
  pluginId: 'gpu-cluster',
  register(env) {
    env.registerInit({
      deps: {
        auth: coreServices.auth,
        config: coreServices.rootConfig,
        httpAuth: coreServices.httpAuth,
        httpRouter: coreServices.httpRouter,
        permissions: coreServices.permissions,
        permissionsRegistry: coreServices.permissionsRegistry,
        supplier: clusterSupplierServiceRef,
        status: clusterStatusServiceRef,
        registrations: clusterRegistrationStoreServiceRef,
      },
      async init({
        auth,
        config,
        httpAuth,
        httpRouter,
        permissions,
        permissionsRegistry,
        supplier,
        status,
        registrations,
      }) {
        permissionsRegistry.addPermissions(gpuClusterStatusPermissions);
        httpRouter.use(
          await createRouter({
            auth,
            httpAuth,
            permissions,
            supplier,
            status,
            registrations,
          }),
        );
        httpRouter.use(
          await createStackPreviewRouter({ httpAuth, permissions, config }),
        );
        httpRouter.addAuthPolicy({ path: '/health', allow: 'unauthenticated' });
      },
    });
  },
});
