import type { CustomFieldValidator } from '@backstage/plugin-scaffolder-react';
import { addSectionIssues, stackFormIssues } from './stackIssues';

/**
 * Runs when the user presses Next (or Review): the spec's validation over the whole form state,
 * reporting the issues of this field's section on the fields they name. Pages validate their own
 * sections, so a zone outside the region is reported on page 1 before the user leaves it.
 */
export const gpuStackSectionValidation: CustomFieldValidator<
  unknown,
  { section?: string }
> = (_value, validation, context) => {
  const section = context.uiSchema?.['ui:options']?.section;
  if (typeof section !== 'string') return;
  addSectionIssues(validation, section, stackFormIssues(context.formData));
};
