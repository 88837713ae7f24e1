export * from './catalog';
export * from './cidr';
export * from './constants';
export * from './derive';
export * from './parse';
export * from './patterns';
export * from './safety';
export * from './sizing';
export * from './availability';
export * from './quota';
export * from './presentation';
export * from './presets';
export * from './issuePath';
export * from './formSchema';
export * from './update';
export { gpuStackSpecSchema } from './schema';
export type {
  GpuStackSpec,
  GpuStackSpecInput,
  GpuNodePoolSpec,
  RayWorkerGroupSpec,
} from './schema';
