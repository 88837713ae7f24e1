import {
  FORM_PAGES,
  SPEC_FIELDS_NOT_IN_FORM,
  gpuStackTemplateParameters,
} from '@gpu-platform/backstage-plugin-gpu-cluster-common';
import type { JsonObject } from '@backstage/types';

/**
 * How the spec's top-level sections are spread over the form's pages (declared with the rest of
 * the presentation in gpu-cluster-common's spec/presentation.ts). Every section of the spec
 * (except the constant apiVersion/kind, which default) appears exactly once: the drift test
 * enforces it, so a new spec section cannot silently go missing from the form.
 */
export const TEMPLATE_PAGES = FORM_PAGES;

/** Spec properties the form leaves to their defaults. */
export const SECTIONS_NOT_IN_FORM = SPEC_FIELDS_NOT_IN_FORM;

/**
 * The template's `spec.parameters`: the stack spec's JSON Schema (draft-07, which the scaffolder
 * form validates with) merged with its presentation layer (titles, help, order, collapsed
 * groups, mode-specific fields as `dependencies`, the field extensions of the gpu-cluster
 * frontend plugin). The form data is therefore a spec input as-is, and the steps hand
 * `${{ parameters }}` to the actions.
 *
 * @public
 */
export function gpuClusterTemplateParameters(): JsonObject[] {
  return gpuStackTemplateParameters() as JsonObject[];
}
