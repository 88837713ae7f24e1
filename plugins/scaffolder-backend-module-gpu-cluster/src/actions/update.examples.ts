import type { TemplateExample } from '@backstage/plugin-scaffolder-node';
import { stringify } from 'yaml';

export const updateExamples: TemplateExample[] = [
  {
    description:
      'Update the GPU cluster picked on the form (its owners only) to the spec the form edited: pool sizes, pools, Ray workers, queues.',
    example: stringify({
      steps: [
        {
          id: 'update',
          name: 'Update the GPU cluster',
          action: 'gpu-cluster:update',
          input: {
            entityRef: '${{ parameters.entityRef }}',
            values: '${{ parameters.stack }}',
          },
        },
      ],
    }),
  },
];
