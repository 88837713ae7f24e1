export { gpuClusterApiRef, GpuClusterClient } from './GpuClusterApi';
export type { GpuClusterApi } from './GpuClusterApi';
