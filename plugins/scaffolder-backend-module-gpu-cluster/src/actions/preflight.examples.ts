import type { TemplateExample } from '@backstage/plugin-scaffolder-node';
import { stringify } from 'yaml';

export const preflightExamples: TemplateExample[] = [
  {
    description:
      'Check quota, machine types, APIs, permissions, GKE version and state bucket after validation and before Terraform.',
    example: stringify({
      steps: [
        {
          id: 'validate',
          action: 'gpu-cluster:spec:validate',
          input: { values: '${{ parameters }}' },
        },
        {
          id: 'preflight',
          name: 'Preflight: quota, zones, APIs, permissions',
          action: 'gpu-cluster:preflight',
          input: { values: '${{ parameters }}' },
        },
      ],
    }),
  },
];
