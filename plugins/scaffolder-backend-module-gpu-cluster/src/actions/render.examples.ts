import type { TemplateExample } from '@backstage/plugin-scaffolder-node';
import { stringify } from 'yaml';

export const renderExamples: TemplateExample[] = [
  {
    description:
      'Render terraform/terraform.tfvars.json and the manifests into the workspace (for review, or to publish them).',
    example: stringify({
      steps: [
        {
          id: 'render',
          action: 'gpu-cluster:stack:render',
          input: { values: '${{ parameters }}' },
        },
      ],
    }),
  },
  {
    description: 'Render into a sub-directory of the workspace.',
    example: stringify({
      steps: [
        {
          id: 'render',
          action: 'gpu-cluster:stack:render',
          input: { values: '${{ parameters }}', targetPath: 'stack' },
        },
      ],
    }),
  },
];
