import {
  createApiFactory,
  createComponentExtension,
  createPlugin,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/core-plugin-api';
import { gpuClusterApiRef, GpuClusterClient } from './api';

/** The gpu-cluster plugin for apps on the legacy frontend system. @public */
export const gpuClusterPlugin = createPlugin({
  id: 'gpu-cluster',
  apis: [
    createApiFactory({
      api: gpuClusterApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: deps => new GpuClusterClient(deps),
    }),
  ],
});

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
