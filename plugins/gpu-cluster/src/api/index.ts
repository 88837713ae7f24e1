export {
  gpuClusterApiRef,
  gpuComponentApiRef,
  GpuClusterClient,
} from './GpuClusterApi';
export type { GpuClusterApi, GpuComponentApi } from './GpuClusterApi';
