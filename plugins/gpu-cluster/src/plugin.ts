import {
  createApiFactory,
  createComponentExtension,
  createPlugin,
  createRoutableExtension,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/core-plugin-api';
import { createScaffolderFieldExtension } from '@backstage/plugin-scaffolder-react';
import {
  GPU_STACK_FIELD_EXTENSIONS,
  GPU_STACK_UPDATE_FIELD,
} from '@gpu-platform/backstage-plugin-gpu-cluster-common';
import {
  gpuClusterApiRef,
  gpuComponentApiRef,
  GpuClusterClient,
  gpuClusterHistoryApiRef,
  GpuClusterHistoryClient,
} from './api';
import { gpuFleetRouteRef } from './routes';
import {
  GpuNodePools,
  GpuStackReview,
  GpuStackSection,
  gpuStackSectionValidation,
  GpuStackUpdate,
  gpuStackUpdateValidation,
} from './scaffolder';

/** The gpu-cluster plugin for apps on the legacy frontend system. @public */
export const gpuClusterPlugin = createPlugin({
  id: 'gpu-cluster',
  apis: [
    createApiFactory({
      api: gpuClusterApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: deps => new GpuClusterClient(deps),
    }),
    createApiFactory({
      api: gpuClusterHistoryApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: deps => new GpuClusterHistoryClient(deps),
    }),
    createApiFactory({
      api: gpuComponentApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: deps => new GpuClusterClient(deps),
    }),
  ],
  routes: { fleet: gpuFleetRouteRef },
});

/**
 * The fleet page (legacy frontend system): `<Route path="/gpu-clusters" element={<GpuFleetPage />} />`.
 * @public
 */
export const GpuFleetPage = gpuClusterPlugin.provide(
  createRoutableExtension({
    name: 'GpuFleetPage',
    component: () =>
      import('./components/GpuFleetPage').then(m => m.GpuFleetPage),
    mountPoint: gpuFleetRouteRef,
  }),
);

/** Entity page content (the "GPU cluster" tab). @public */
export const EntityGpuClusterContent = gpuClusterPlugin.provide(
  createComponentExtension({
    name: 'EntityGpuClusterContent',
    component: {
      lazy: () =>
        import('./components/GpuClusterContent').then(m => m.GpuClusterContent),
    },
  }),
);

/** Entity overview summary card. @public */
export const EntityGpuClusterSummaryCard = gpuClusterPlugin.provide(
  createComponentExtension({
    name: 'EntityGpuClusterSummaryCard',
    component: {
      lazy: () =>
        import('./components/GpuClusterContent').then(
          m => m.GpuClusterSummaryCard,
        ),
    },
  }),
);

/**
 * "Create GPU cluster" form: one top-level section of the stack spec (legacy frontend system;
 * place inside `<ScaffolderFieldExtensions>`).
 * @public
 */
export const GpuStackSectionFieldExtension = gpuClusterPlugin.provide(
  createScaffolderFieldExtension({
    name: GPU_STACK_FIELD_EXTENSIONS.section,
    component: GpuStackSection as any,
    validation: gpuStackSectionValidation as any,
  }),
);

/** "Create GPU cluster" form: the GPU node pools with presets (legacy frontend system). @public */
export const GpuNodePoolsFieldExtension = gpuClusterPlugin.provide(
  createScaffolderFieldExtension({
    name: GPU_STACK_FIELD_EXTENSIONS.nodePools,
    component: GpuNodePools as any,
    validation: gpuStackSectionValidation as any,
  }),
);

/** "Create GPU cluster" form: the "What will happen" page (legacy frontend system). @public */
export const GpuStackReviewFieldExtension = gpuClusterPlugin.provide(
  createScaffolderFieldExtension({
    name: GPU_STACK_FIELD_EXTENSIONS.review,
    component: GpuStackReview as any,
  }),
);

/** "Update GPU cluster" form: the editor of the spec stored with a cluster (legacy frontend system). @public */
export const GpuStackUpdateFieldExtension = gpuClusterPlugin.provide(
  createScaffolderFieldExtension({
    name: GPU_STACK_UPDATE_FIELD,
    component: GpuStackUpdate as any,
    validation: gpuStackUpdateValidation as any,
  }),
);
