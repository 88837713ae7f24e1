import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { scaffolderActionsExtensionPoint } from '@backstage/plugin-scaffolder-node';
import { gpuClusterStackPermissions } from '@gpu-platform/backstage-plugin-gpu-cluster-common';
import {
  createCatalogRegisterAction,
  createDestroyAction,
  createKubectlApplyAction,
  createPreflightAction,
  createSpecValidateAction,
  createStackRenderAction,
  createTerraformApplyAction,
  createUpdateAction,
  createVerifyAction,
} from './actions';
import { StackGuard } from './actions/guard';
import { readGpuClusterScaffolderConfig } from './config';
import { createDryRunRateLimit } from './dryRunRateLimit';
import { createScaffolderRequestGuard } from './requestGuard';
import { ClusterRegistrationClient } from './registrations';

/**
 * Registers the `gpu-cluster:*` scaffolder actions and their permissions, a per-user rate limit on
 * the scaffolder's dry-run route, and a guard refusing reserved keys in template values.
 *
 * @public
 */
export const scaffolderModuleGpuCluster = createBackendModule({
  pluginId: 'scaffolder',
  moduleId: 'gpu-cluster',
  register(reg) {
    reg.registerInit({
      deps: {
        scaffolder: scaffolderActionsExtensionPoint,
        rootConfig: coreServices.rootConfig,
        catalog: catalogServiceRef,
        permissions: coreServices.permissions,
        permissionsRegistry: coreServices.permissionsRegistry,
        userInfo: coreServices.userInfo,
        auth: coreServices.auth,
        httpAuth: coreServices.httpAuth,
        httpRouter: coreServices.httpRouter,
        discovery: coreServices.discovery,
        logger: coreServices.logger,
      },
      async init({
        scaffolder,
        rootConfig,
        catalog,
        permissions,
        permissionsRegistry,
        userInfo,
        auth,
        httpAuth,
        httpRouter,
        discovery,
        logger,
      }) {
        const config = readGpuClusterScaffolderConfig(rootConfig);
        permissionsRegistry.addPermissions(gpuClusterStackPermissions);
        // Modules initialise before their plugin: this runs ahead of the scaffolder's router.
        httpRouter.use(
          createDryRunRateLimit({ httpAuth, ...config.dryRunRateLimit }),
        );
        httpRouter.use(createScaffolderRequestGuard());
        const guard = new StackGuard({
          config,
          permissions,
          userInfo,
          auth,
          catalog,
        });
        const registrations = new ClusterRegistrationClient({
          auth,
          discovery,
          logger,
        });
        scaffolder.addActions(
          createSpecValidateAction({ guard }),
          createPreflightAction({ config, guard }),
          createStackRenderAction({ guard }),
          createTerraformApplyAction({ config, guard }),
          createKubectlApplyAction({ config, guard }),
          createCatalogRegisterAction({
            config,
            catalog,
            guard,
            registrations,
          }),
          createDestroyAction({
            config,
            catalog,
            permissions,
            auth,
            registrations,
          }),
          createUpdateAction({
            config,
            catalog,
            permissions,
            auth,
            guard,
            registrations,
          }),
          createVerifyAction({
            config,
            catalog,
            permissions,
            auth,
            registrations,
          }),
        );
      },
    });
  },
});
