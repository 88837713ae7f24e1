import type { TemplateExample } from '@backstage/plugin-scaffolder-node';
import { stringify } from 'yaml';

export const terraformApplyExamples: TemplateExample[] = [
  {
    description:
      "Provision the stack with the shipped Terraform module (state in the owner group's bucket from gpuCluster.policy).",
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
