import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { gpuClusterStatusPermissions } from '@gpu-platform/backstage-plugin-gpu-cluster-common';
import { createRouter } from './router';
import { clusterRegistrationStoreServiceRef } from './services/ClusterRegistrationStore';
import { clusterStatusServiceRef } from './services/ClusterStatusService';
import { clusterSupplierServiceRef } from './services/ClusterSupplier';

/**
 * The gpu-cluster backend plugin: `/api/gpu-cluster/clusters/:namespace/:name/status`, the
 * "why is it not running" explanation of a workload, and the record of clusters the Create GPU
 * cluster template registered.
 *
 * @public
 */
export const gpuClusterPlugin = createBackendPlugin({
  pluginId: 'gpu-cluster',
  register(env) {
    env.registerInit({
      deps: {
        auth: coreServices.auth,
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
        httpRouter.addAuthPolicy({ path: '/health', allow: 'unauthenticated' });
      },
    });
  },
});
