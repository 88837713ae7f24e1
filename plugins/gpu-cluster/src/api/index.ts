export {
  gpuClusterHistoryApiRef,
  GpuClusterHistoryClient,
} from './GpuClusterHistoryApi';
export type {
  GpuClusterHistoryApi,
  HistoryQuery,
} from './GpuClusterHistoryApi';
export {
  gpuClusterApiRef,
  gpuComponentApiRef,
  GpuClusterClient,
} from './GpuClusterApi';
export type { GpuClusterApi, GpuComponentApi } from './GpuClusterApi';
