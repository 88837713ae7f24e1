export * from './catalog';
export * from './cidr';
export * from './constants';
export * from './derive';
export * from './parse';
export * from './patterns';
export * from './safety';
export * from './sizing';
export { gpuStackSpecSchema } from './schema';
export type {
  GpuStackSpec,
  GpuStackSpecInput,
  GpuNodePoolSpec,
  RayWorkerGroupSpec,
} from './schema';
