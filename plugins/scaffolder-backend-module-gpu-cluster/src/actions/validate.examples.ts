import type { TemplateExample } from '@backstage/plugin-scaffolder-node';
import { stringify } from 'yaml';

export const validateExamples: TemplateExample[] = [
  {
    description:
      'Validate the form values of the Create GPU cluster template (all template parameters are the spec).',
    example: stringify({
      steps: [
        {
          id: 'validate',
          name: 'Validate the stack spec',
          action: 'gpu-cluster:spec:validate',
          input: { values: '${{ parameters }}' },
        },
      ],
    }),
  },
  {
    description: 'Validate a minimal spec written inline.',
    example: stringify({
      steps: [
        {
          id: 'validate',
          action: 'gpu-cluster:spec:validate',
          input: {
            values: {
              identity: {
                projectId: 'ml-research-1',
                namePrefix: 'research',
                owner: 'group:default/ml-platform',
              },
            },
          },
        },
      ],
    }),
  },
];
