/**
 * Backend of the GPU cluster monitoring plugin.
 *
 * @packageDocumentation
 */
export { gpuClusterPlugin as default } from './plugin';
export {
  clusterStatusServiceRef,
  DefaultClusterStatusService,
} from './services/ClusterStatusService';
export type {
  ClusterStatusService,
  WarmUpTimes,
} from './services/ClusterStatusService';
export {
  clusterSupplierServiceRef,
  ConfigClusterSupplier,
} from './services/ClusterSupplier';
export type {
  ClusterSupplier,
  ResolvedCluster,
} from './services/ClusterSupplier';
export {
  ClusterRegistrationStore,
  clusterRegistrationStoreServiceRef,
} from './services/ClusterRegistrationStore';
export type { ClusterRegistration } from './services/ClusterRegistrationStore';
export { ClusterAccessError } from './services/ClusterAccessError';
export { readGpuClusterConfig } from './services/config';
export type {
  GpuClusterConfig,
  GpuClusterPluginConfig,
} from './services/config';
export { decodeProvisioningFailure, explainWorkload } from './services/explain';
export { buildClusterStatus } from './services/buildStatus';
