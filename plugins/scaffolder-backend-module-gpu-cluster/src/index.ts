/**
 * Scaffolder actions that validate, render, provision (terraform, kubectl) and register a GKE GPU
 * cluster: thin shells over `@gpu-platform/backstage-plugin-gpu-cluster-node`.
 *
 * @packageDocumentation
 */
export { scaffolderModuleGpuCluster as default } from './module';
export * from './actions';
export {
  readGpuClusterScaffolderConfig,
  type GpuClusterScaffolderConfig,
} from './config';
export {
  clusterLinks,
  clusterResourceEntity,
  type ClusterLinks,
} from './entity';
export * from './templates';
