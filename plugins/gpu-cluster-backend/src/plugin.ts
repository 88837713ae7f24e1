import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { gpuClusterStatusPermissions } from '@gpu-platform/backstage-plugin-gpu-cluster-common';
import {
  readGpuClusterPolicy,
  StackPolicyResolver,
} from '@gpu-platform/backstage-plugin-gpu-cluster-node';
import { createFleetRouter } from './fleetRouter';
import { clusterHistoryStoreServiceRef } from './history/ClusterHistoryStore';
import { scheduleHistorySampling } from './history/scheduleHistorySampling';
import { createHistoryRouter } from './history/historyRouter';
import { createGpuClusterApiRouter } from './apiRouter';
import { createRouter } from './router';
import { createComponentRouter } from './componentRouter';
import { clusterRegistrationStoreServiceRef } from './services/ClusterRegistrationStore';
import { createStackPolicyRouter } from './stackPolicyRouter';
import { createStackPreviewRouter } from './stackPreviewRouter';
import { createStackUpdateRouter } from './stackUpdateRouter';
import { clusterStatusServiceRef } from './services/ClusterStatusService';
import { clusterSupplierServiceRef } from './services/ClusterSupplier';
import { RayDashboardReader } from './services/RayDashboardReader';
import { readGpuClusterConfig } from './services/config';
import { warmUpClusters } from './services/warmUp';

/**
 * The gpu-cluster backend plugin: `/api/gpu-cluster/clusters/:namespace/:name/status`, the
 * "why is it not running" explanation of a workload, a Ray cluster's jobs from its dashboard, `GET /fleet` (every GPU cluster the user may
 * read, with its figures), the record of clusters the Create GPU
 * cluster template registered, `GET /stack/policy` (what gpuCluster.policy lets the signed-in
 * user create), `POST /stack/preview` (what the "Create GPU cluster" form would create) and, for a
 * cluster's owners, its stored spec and the update review of the "Update GPU cluster" form.
 *
 * @public
 */
export const gpuClusterPlugin = createBackendPlugin({
  pluginId: 'gpu-cluster',
  register(env) {
    env.registerInit({
      deps: {
        auth: coreServices.auth,
        catalog: catalogServiceRef,
        config: coreServices.rootConfig,
        httpAuth: coreServices.httpAuth,
        logger: coreServices.logger,
        httpRouter: coreServices.httpRouter,
        permissions: coreServices.permissions,
        permissionsRegistry: coreServices.permissionsRegistry,
        userInfo: coreServices.userInfo,
        supplier: clusterSupplierServiceRef,
        status: clusterStatusServiceRef,
        registrations: clusterRegistrationStoreServiceRef,
        scheduler: coreServices.scheduler,
        history: clusterHistoryStoreServiceRef,
        lifecycle: coreServices.lifecycle,
      },
      async init({
        auth,
        catalog,
        config,
        httpAuth,
        logger,
        httpRouter,
        permissions,
        permissionsRegistry,
        userInfo,
        supplier,
        status,
        registrations,
        scheduler,
        history,
        lifecycle,
      }) {
        // The same view of gpuCluster.policy the template's actions decide with.
        const policy = new StackPolicyResolver({
          policy: readGpuClusterPolicy(config),
          permissions,
          userInfo,
          auth,
          catalog,
        });
        permissionsRegistry.addPermissions(gpuClusterStatusPermissions);
        // One router generated from the OpenAPI spec carries every route: requests are
        // validated against the spec once, whichever part of the plugin serves them.
        const router = await createGpuClusterApiRouter();
        await createRouter({
          router,
          auth,
          httpAuth,
          permissions,
          supplier,
          status,
          rayJobs: new RayDashboardReader(),
          registrations,
        });
        await createFleetRouter({
          router,
          httpAuth,
          permissions,
          userInfo,
          catalog,
          supplier,
          status,
          logger,
        });
        const historyConfig = await scheduleHistorySampling({
          config,
          scheduler,
          auth,
          logger,
          supplier,
          status,
          registrations,
          store: history,
        });
        await createHistoryRouter({
          router,
          httpAuth,
          permissions,
          catalog,
          store: history,
          config: historyConfig,
        });
        await createComponentRouter({
          router,
          httpAuth,
          permissions,
          catalog,
          supplier,
          status,
        });
        await createStackPolicyRouter({ router, httpAuth, policy });
        await createStackPreviewRouter({
          router,
          httpAuth,
          permissions,
          config,
          policy,
        });
        await createStackUpdateRouter({
          router,
          httpAuth,
          permissions,
          registrations,
          policy,
        });
        httpRouter.use(router);
        httpRouter.addAuthPolicy({ path: '/health', allow: 'unauthenticated' });
        const plugin = readGpuClusterConfig(config);
        if (plugin.warmUpAtStartup !== false) {
          lifecycle.addStartupHook(() => {
            // In the background: startup never waits for a cluster (warmUpClusters never throws).
            void warmUpClusters({
              auth,
              logger,
              supplier,
              status,
              knownEntityRefs: async () => [
                ...plugin.clusters.map(c => c.entityRef),
                // Registered clusters are readable only through discovery.
                ...(plugin.discovery === 'gke'
                  ? await registrations.listEntityRefs()
                  : []),
              ],
            });
          });
        }
      },
    });
  },
});
