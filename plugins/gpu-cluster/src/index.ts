/**
 * GPU cluster monitoring on the entity page. Legacy frontend system exports here; the new
 * frontend system plugin is the default export of `./alpha`.
 *
 * @packageDocumentation
 */
export {
  gpuClusterPlugin,
  EntityGpuClusterContent,
  EntityGpuClusterSummaryCard,
  GpuStackSectionFieldExtension,
  GpuNodePoolsFieldExtension,
  GpuStackReviewFieldExtension,
  GpuStackUpdateFieldExtension,
  GpuFleetPage,
} from './plugin';
export { gpuFleetRouteRef } from './routes';
export {
  GpuStackSection,
  GpuNodePools,
  GpuStackReview,
  StackPreviewView,
  gpuStackSectionValidation,
} from './scaffolder';
export { gpuClusterHistoryApiRef, GpuClusterHistoryClient } from './api';
export type { GpuClusterHistoryApi, HistoryQuery } from './api';
export { gpuClusterApiRef, gpuComponentApiRef, GpuClusterClient } from './api';
export type { GpuClusterApi, GpuComponentApi } from './api';
export {
  isGpuCluster,
  isGpuClusterAvailable,
  isGpuClusterComponent,
} from './isGpuCluster';
export { ClusterHealthCard } from './components/ClusterHealthCard';
export { NodePoolsTable } from './components/NodePoolsTable';
export { KueueQueuesCard } from './components/KueueQueuesCard';
export { ProvisioningRequestsTable } from './components/ProvisioningRequestsTable';
export { RayClustersCard } from './components/RayClustersCard';
export { WhyNotRunning, ExplanationView } from './components/WhyNotRunning';
export { WorkloadsTable } from './components/WorkloadsTable';
export { NodesTable } from './components/NodesTable';
export {
  DestroyClusterButton,
  destroyTemplateLink,
} from './components/DestroyClusterButton';
export {
  UpdateClusterButton,
  updateTemplateLink,
} from './components/UpdateClusterButton';
export {
  VerifyFabricButton,
  VERIFY_TEMPLATE_PATH,
  verifyTemplateLink,
} from './components/VerifyFabricButton';
export { FabricVerificationCard } from './components/FabricVerificationCard';
