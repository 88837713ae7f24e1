import type { TemplateExample } from '@backstage/plugin-scaffolder-node';
import { stringify } from 'yaml';

export const destroyExamples: TemplateExample[] = [
  {
    description:
      'Destroy the GPU cluster picked on the form (its owners only), keeping the training data.',
    example: stringify({
      steps: [
        {
          id: 'destroy',
          name: 'Destroy the GPU cluster',
          action: 'gpu-cluster:destroy',
          input: {
            entityRef: '${{ parameters.entityRef }}',
            confirmName: '${{ parameters.confirmName }}',
            deleteData: '${{ parameters.deleteData }}',
          },
        },
      ],
    }),
  },
];
