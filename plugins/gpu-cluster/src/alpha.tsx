import {
  ApiBlueprint,
  PageBlueprint,
  createFrontendPlugin,
  createRouteRef,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/frontend-plugin-api';
import {
  EntityCardBlueprint,
  EntityContentBlueprint,
} from '@backstage/plugin-catalog-react/alpha';
import { FormFieldBlueprint } from '@backstage/plugin-scaffolder-react/alpha';
import {
  gpuClusterApiRef,
  gpuComponentApiRef,
  GpuClusterClient,
  gpuClusterHistoryApiRef,
  GpuClusterHistoryClient,
} from './api';
import { isGpuCluster, isGpuClusterAvailable } from './isGpuCluster';
import MemoryIcon from '@material-ui/icons/Memory';

const fleetRouteRef = createRouteRef();

/** The fleet page at /gpu-clusters, with its item in the sidebar. */
const gpuFleetPage = PageBlueprint.make({
  params: {
    path: '/gpu-clusters',
    title: 'GPU clusters',
    icon: <MemoryIcon />,
    routeRef: fleetRouteRef,
    loader: () =>
      import('./components/GpuFleetPage').then(m => <m.GpuFleetPage />),
  },
});

const gpuClusterApi = ApiBlueprint.make({
  params: defineParams =>
    defineParams({
      api: gpuClusterApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: deps => new GpuClusterClient(deps),
    }),
});

const gpuClusterHistoryApi = ApiBlueprint.make({
  name: 'history',
  params: defineParams =>
    defineParams({
      api: gpuClusterHistoryApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: deps => new GpuClusterHistoryClient(deps),
    }),
});

const gpuComponentApi = ApiBlueprint.make({
  name: 'component',
  params: defineParams =>
    defineParams({
      api: gpuComponentApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: deps => new GpuClusterClient(deps),
    }),
});

const gpuClusterContent = EntityContentBlueprint.make({
  params: {
    path: '/gpu-cluster',
    title: 'GPU cluster',
    filter: isGpuClusterAvailable,
    loader: () =>
      import('./components/GpuClusterContent').then(m => (
        <m.GpuClusterContent />
      )),
  },
});

const gpuClusterSummaryCard = EntityCardBlueprint.make({
  name: 'summary',
  params: {
    type: 'info',
    filter: isGpuCluster,
    loader: () =>
      import('./components/GpuClusterContent').then(m => (
        <m.GpuClusterSummaryCard />
      )),
  },
});

// The "Create GPU cluster" form's field extensions, attached to the scaffolder's form fields.
const gpuStackSectionField = FormFieldBlueprint.make({
  name: 'gpu-stack-section',
  params: {
    field: () =>
      import('./scaffolder/formFields').then(m => m.gpuStackSectionFormField),
  },
});

const gpuNodePoolsField = FormFieldBlueprint.make({
  name: 'gpu-node-pools',
  params: {
    field: () =>
      import('./scaffolder/formFields').then(m => m.gpuNodePoolsFormField),
  },
});

const gpuStackReviewField = FormFieldBlueprint.make({
  name: 'gpu-stack-review',
  params: {
    field: () =>
      import('./scaffolder/formFields').then(m => m.gpuStackReviewFormField),
  },
});

// The "Update GPU cluster" form's editor of the stored spec.
const gpuStackUpdateField = FormFieldBlueprint.make({
  name: 'gpu-stack-update',
  params: {
    field: () =>
      import('./scaffolder/formFields').then(m => m.gpuStackUpdateFormField),
  },
});

/**
 * The gpu-cluster plugin for the new frontend system: its API, the "GPU cluster" entity tab and
 * a summary card, on cluster Resources carrying gpu-platform.dev/cluster-name, and the field
 * extensions of the "Create GPU cluster" form.
 *
 * @alpha
 */
export default createFrontendPlugin({
  pluginId: 'gpu-cluster',
  routes: { fleet: fleetRouteRef },
  extensions: [
    gpuClusterApi,
    gpuClusterHistoryApi,
    gpuComponentApi,
    gpuFleetPage,
    gpuClusterContent,
    gpuClusterSummaryCard,
    gpuStackSectionField,
    gpuNodePoolsField,
    gpuStackReviewField,
    gpuStackUpdateField,
  ],
});
