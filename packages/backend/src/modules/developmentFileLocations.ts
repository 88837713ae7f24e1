import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { catalogLocationsExtensionPoint } from '@backstage/plugin-catalog-node';

/**
 * Embedded default only: lets the "Create GPU cluster" template register the clusters it
 * creates as `file` locations (under `gpuCluster.catalog.locationDirectory`), since there is no
 * git host to publish them to. The catalog accepts only `url` registrations otherwise, which is
 * what production keeps: it leaves that key unset and registers published repositories.
 */
export const catalogModuleDevelopmentFileLocations = createBackendModule({
  pluginId: 'catalog',
  moduleId: 'development-file-locations',
  register(reg) {
    reg.registerInit({
      deps: {
        config: coreServices.rootConfig,
        locations: catalogLocationsExtensionPoint,
        logger: coreServices.logger,
      },
      async init({ config, locations, logger }) {
        const directory = config.getOptionalString(
          'gpuCluster.catalog.locationDirectory',
        );
        if (!directory) return;
        locations.setAllowedLocationTypes(['url', 'file']);
        logger.warn(
          `file locations may be registered (gpuCluster.catalog.locationDirectory is ${directory}); development only`,
        );
      },
    });
  },
});
