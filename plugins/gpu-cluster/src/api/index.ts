export { gpuClusterApiRef, GpuClusterClient } from './GpuClusterApi';
export type { GpuClusterApi } from './GpuClusterApi';
export {
  gpuClusterHistoryApiRef,
  GpuClusterHistoryClient,
} from './GpuClusterHistoryApi';
export type {
  GpuClusterHistoryApi,
  HistoryQuery,
} from './GpuClusterHistoryApi';
