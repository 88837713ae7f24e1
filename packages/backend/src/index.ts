/*
 * Hi!
 *
 * Note that this is an EXAMPLE Backstage backend. Please check the README.
 *
 * Happy hacking!
 */

import { createBackend } from '@backstage/backend-defaults';
import { catalogModuleGpuClusterTemplates } from '@gpu-platform/backstage-plugin-scaffolder-backend-module-gpu-cluster';
import { catalogModuleDevelopmentFileLocations } from './modules/developmentFileLocations';
import { rootHttpRouterWithoutStackTraces } from './modules/errorBodies';
import { permissionModuleGpuClusterPolicy } from './modules/permissionPolicy';

const backend = createBackend();

// Error bodies never carry stack traces, in development either.
backend.add(rootHttpRouterWithoutStackTraces);

backend.add(import('@backstage/plugin-app-backend'));
backend.add(import('@backstage/plugin-proxy-backend'));

// scaffolder plugin
backend.add(import('@backstage/plugin-scaffolder-backend'));
backend.add(import('@backstage/plugin-scaffolder-backend-module-github'));
backend.add(
  import('@backstage/plugin-scaffolder-backend-module-notifications'),
);

// GPU clusters: the "Create GPU cluster" template's actions and the cluster status API
backend.add(
  import(
    '@gpu-platform/backstage-plugin-scaffolder-backend-module-gpu-cluster'
  ),
);
backend.add(import('@gpu-platform/backstage-plugin-gpu-cluster-backend'));
// The templates the module ships (templates/* of this repository), as an adopter's app adds them.
backend.add(catalogModuleGpuClusterTemplates);
// Embedded default only (inert unless gpuCluster.catalog.locationDirectory is set): file
// locations under that directory, nowhere else.
backend.add(catalogModuleDevelopmentFileLocations);

// techdocs plugin
backend.add(import('@backstage/plugin-techdocs-backend'));

// auth plugin
backend.add(import('@backstage/plugin-auth-backend'));
// See https://backstage.io/docs/backend-system/building-backends/migrating#the-auth-plugin
backend.add(import('@backstage/plugin-auth-backend-module-guest-provider'));
// See https://backstage.io/docs/auth/guest/provider

// catalog plugin
backend.add(import('@backstage/plugin-catalog-backend'));
backend.add(
  import('@backstage/plugin-catalog-backend-module-scaffolder-entity-model'),
);

// See https://backstage.io/docs/features/software-catalog/configuration#subscribing-to-catalog-errors
backend.add(import('@backstage/plugin-catalog-backend-module-logs'));

// permission plugin, with the policy of gpuCluster.policy (who may create GPU clusters where,
// owners-only changes, task logs for their initiator); see docs/security.md
backend.add(import('@backstage/plugin-permission-backend'));
backend.add(permissionModuleGpuClusterPolicy);

// search plugin
backend.add(import('@backstage/plugin-search-backend'));

// search engine
// See https://backstage.io/docs/features/search/search-engines
backend.add(import('@backstage/plugin-search-backend-module-pg'));

// search collators
backend.add(import('@backstage/plugin-search-backend-module-catalog'));
backend.add(import('@backstage/plugin-search-backend-module-techdocs'));

// kubernetes plugin
backend.add(import('@backstage/plugin-kubernetes-backend'));

// user settings plugin
backend.add(import('@backstage/plugin-user-settings-backend'));

// notifications and signals plugins
backend.add(import('@backstage/plugin-notifications-backend'));
backend.add(import('@backstage/plugin-signals-backend'));

// mcp actions plugin
backend.add(import('@backstage/plugin-mcp-actions-backend'));

backend.start();
