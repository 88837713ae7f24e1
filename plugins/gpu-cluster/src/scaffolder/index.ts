export {
  GpuStackSection,
  type GpuStackSectionOptions,
} from './GpuStackSection';
export { GpuNodePools } from './GpuNodePools';
export { GpuStackReview, StackPreviewView } from './GpuStackReview';
export { gpuStackSectionValidation } from './validation';
export {
  GpuStackUpdate,
  gpuStackUpdateValidation,
  StackUpdateDiff,
} from './GpuStackUpdate';
