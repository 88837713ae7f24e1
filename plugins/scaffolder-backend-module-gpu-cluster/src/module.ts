import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { scaffolderActionsExtensionPoint } from '@backstage/plugin-scaffolder-node';
import {
  createCatalogRegisterAction,
  createKubectlApplyAction,
  createSpecValidateAction,
  createStackRenderAction,
  createTerraformApplyAction,
} from './actions';
import { readGpuClusterScaffolderConfig } from './config';

/**
 * Registers the `gpu-cluster:*` scaffolder actions.
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
      },
      async init({ scaffolder, rootConfig, catalog }) {
        const config = readGpuClusterScaffolderConfig(rootConfig);
        scaffolder.addActions(
          createSpecValidateAction(),
          createStackRenderAction(),
          createTerraformApplyAction({ config }),
          createKubectlApplyAction({ config }),
          createCatalogRegisterAction({ config, catalog }),
        );
      },
    });
  },
});
