import type { TemplateExample } from '@backstage/plugin-scaffolder-node';
import { stringify } from 'yaml';

export const terraformApplyExamples: TemplateExample[] = [
  {
    description:
      'Provision the stack rendered by gpu-cluster:stack:render (state in the GCS bucket of the spec).',
    example: stringify({
      steps: [
        {
          id: 'terraform',
          name: 'Provision with Terraform',
          action: 'gpu-cluster:terraform:apply',
          input: { values: '${{ parameters }}' },
        },
      ],
    }),
  },
];
