export { catalogModuleGpuClusterTemplates } from './catalogModule';
export {
  GpuClusterTemplateProvider,
  gpuClusterTemplatesDirectory,
  type GpuClusterTemplateProviderOptions,
} from './GpuClusterTemplateProvider';
