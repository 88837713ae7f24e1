import path from 'node:path';
import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import { catalogLocationsExtensionPoint } from '@backstage/plugin-catalog-node';
import express, { Router, type RequestHandler } from 'express';

/**
 * Refuses `file` location registrations (and updates) outside `directory`, before the catalog
 * stores them: the only files a user may point the catalog at are the cluster entities the
 * template writes there.
 */
export function fileLocationGuard(directory: string): RequestHandler {
  const root = path.resolve(directory);
  const check: RequestHandler = (req, _res, next) => {
    const { type, target } = (req.body ?? {}) as {
      type?: unknown;
      target?: unknown;
    };
    if (type !== 'file') {
      next();
      return;
    }
    const resolved =
      typeof target === 'string' ? path.resolve(root, target) : '';
    if (!resolved.startsWith(root + path.sep)) {
      next(
        new InputError(
          'target: file locations may only point into gpuCluster.catalog.locationDirectory',
        ),
      );
      return;
    }
    req.body.target = resolved;
    next();
  };
  const router = Router();
  router.post('/locations', express.json(), check);
  router.put('/locations/:id', express.json(), check);
  return router;
}

/**
 * Embedded default only: lets the "Create GPU cluster" template register the clusters it
 * creates as `file` locations under `gpuCluster.catalog.locationDirectory`, since there is no
 * git host to publish them to; any other file path is refused. The catalog accepts only `url`
 * registrations otherwise, which is what production keeps: it leaves that key unset and
 * registers published repositories.
 */
export const catalogModuleDevelopmentFileLocations = createBackendModule({
  pluginId: 'catalog',
  moduleId: 'development-file-locations',
  register(reg) {
    reg.registerInit({
      deps: {
        config: coreServices.rootConfig,
        locations: catalogLocationsExtensionPoint,
        httpRouter: coreServices.httpRouter,
        logger: coreServices.logger,
      },
      async init({ config, locations, httpRouter, logger }) {
        const directory = config.getOptionalString(
          'gpuCluster.catalog.locationDirectory',
        );
        if (!directory) return;
        locations.setAllowedLocationTypes(['url', 'file']);
        // Modules initialise before their plugin: this runs ahead of the catalog's router.
        httpRouter.use(fileLocationGuard(directory));
        logger.warn(
          `file locations under gpuCluster.catalog.locationDirectory may be registered; development only`,
        );
      },
    });
  },
});
