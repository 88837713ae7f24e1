import { createFormField } from '@backstage/plugin-scaffolder-react/alpha';
import {
  GPU_STACK_FIELD_EXTENSIONS,
  GPU_STACK_UPDATE_FIELD,
} from '@gpu-platform/backstage-plugin-gpu-cluster-common';
import { GpuNodePools } from './GpuNodePools';
import { GpuStackReview } from './GpuStackReview';
import { GpuStackSection } from './GpuStackSection';
import { GpuStackUpdate, gpuStackUpdateValidation } from './GpuStackUpdate';
import { gpuStackSectionValidation } from './validation';

// The new frontend system's form fields (loaded lazily by FormFieldBlueprint in ../alpha.tsx).

/** @alpha */
export const gpuStackSectionFormField = createFormField({
  name: GPU_STACK_FIELD_EXTENSIONS.section,
  component: GpuStackSection as any,
  validation: gpuStackSectionValidation as any,
});

/** @alpha */
export const gpuNodePoolsFormField = createFormField({
  name: GPU_STACK_FIELD_EXTENSIONS.nodePools,
  component: GpuNodePools as any,
  validation: gpuStackSectionValidation as any,
});

/** @alpha */
export const gpuStackReviewFormField = createFormField({
  name: GPU_STACK_FIELD_EXTENSIONS.review,
  component: GpuStackReview as any,
});

/** @alpha */
export const gpuStackUpdateFormField = createFormField({
  name: GPU_STACK_UPDATE_FIELD,
  component: GpuStackUpdate as any,
  validation: gpuStackUpdateValidation as any,
});
