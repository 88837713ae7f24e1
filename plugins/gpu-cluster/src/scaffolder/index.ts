export {
  GpuStackSection,
  type GpuStackSectionOptions,
} from './GpuStackSection';
export { GpuNodePools } from './GpuNodePools';
export { GpuStackReview, StackPreviewView } from './GpuStackReview';
export { gpuStackSectionValidation } from './validation';
