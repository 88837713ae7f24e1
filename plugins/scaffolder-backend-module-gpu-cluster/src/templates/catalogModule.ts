import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { catalogProcessingExtensionPoint } from '@backstage/plugin-catalog-node';
import { GpuClusterTemplateProvider } from './GpuClusterTemplateProvider';

/**
 * Registers the GPU cluster software templates this package ships in the catalog (see
 * {@link GpuClusterTemplateProvider}); `gpuCluster.templates.owner` optionally replaces their owner.
 *
 * @public
 */
export const catalogModuleGpuClusterTemplates = createBackendModule({
  pluginId: 'catalog',
  moduleId: 'gpu-cluster-templates',
  register(reg) {
    reg.registerInit({
      deps: {
        catalog: catalogProcessingExtensionPoint,
        config: coreServices.rootConfig,
        logger: coreServices.logger,
        scheduler: coreServices.scheduler,
      },
      async init({ catalog, config, logger, scheduler }) {
        catalog.addEntityProvider(
          new GpuClusterTemplateProvider({
            logger,
            owner: config.getOptionalString('gpuCluster.templates.owner'),
            // Read at start-up, then again now and then so an edited template shows up
            // without a restart.
            taskRunner: scheduler.createScheduledTaskRunner({
              frequency: { minutes: 2 },
              timeout: { minutes: 1 },
            }),
          }),
        );
      },
    });
  },
});
