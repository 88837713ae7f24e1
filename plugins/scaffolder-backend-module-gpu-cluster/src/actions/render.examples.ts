import type { TemplateExample } from '@backstage/plugin-scaffolder-node';
import { stringify } from 'yaml';

export const renderExamples: TemplateExample[] = [
  {
    description:
      "Copy the template's Terraform module into the workspace, then render terraform.tfvars.json and the manifests beside it.",
    example: stringify({
      steps: [
        {
          id: 'skeleton',
          action: 'fetch:plain',
          input: { url: './skeleton' },
        },
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
