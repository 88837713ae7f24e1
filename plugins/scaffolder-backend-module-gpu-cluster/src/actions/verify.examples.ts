import type { TemplateExample } from '@backstage/plugin-scaffolder-node';
import { stringify } from 'yaml';

export const verifyExamples: TemplateExample[] = [
  {
    description:
      'Run the NCCL fabric verification of the GPU cluster picked on the form again (its owners only).',
    example: stringify({
      steps: [
        {
          id: 'verify',
          name: 'Verify the GPU cluster fabric',
          action: 'gpu-cluster:verify',
          input: { entityRef: '${{ parameters.entityRef }}' },
        },
      ],
    }),
  },
];
