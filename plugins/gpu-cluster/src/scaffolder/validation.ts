import type { ApiHolder } from '@backstage/core-plugin-api';
import type { CustomFieldValidator } from '@backstage/plugin-scaffolder-react';
import type { StackPolicyView } from '@gpu-platform/backstage-plugin-gpu-cluster-common';
import { gpuClusterApiRef } from '../api';
import { addSectionIssues, stackFormIssues } from './stackIssues';

/**
 * The user's view of gpuCluster.policy, or `undefined` when it cannot be had (no API in this
 * app, the backend unreachable): then the form checks the spec alone and the actions still
 * check the policy before they change anything.
 */
async function policyView(
  apiHolder: ApiHolder,
): Promise<StackPolicyView | undefined> {
  try {
    return await apiHolder.get(gpuClusterApiRef)?.getStackPolicy();
  } catch {
    return undefined;
  }
}

/**
 * Runs when the user presses Next (or Review): the spec's validation and gpuCluster.policy's
 * checks (for the signed-in user) over the whole form state, reporting the issues of this
 * field's section on the fields they name. Pages validate their own sections, so a zone outside
 * the region or a project the owner may not use is reported on page 1 before the user leaves it.
 */
export const gpuStackSectionValidation: CustomFieldValidator<
  unknown,
  { section?: string }
> = async (_value, validation, context) => {
  const section = context.uiSchema?.['ui:options']?.section;
  if (typeof section !== 'string') return;
  const policy = await policyView(context.apiHolder);
  addSectionIssues(
    validation,
    section,
    stackFormIssues(context.formData, policy),
  );
};
