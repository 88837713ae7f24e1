export { GpuClusterContent, GpuClusterSummaryCard } from './GpuClusterContent';
