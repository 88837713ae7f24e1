import type { TemplateExample } from '@backstage/plugin-scaffolder-node';
import { stringify } from 'yaml';

export const kubectlApplyExamples: TemplateExample[] = [
  {
    description:
      'Apply the rendered manifests once Terraform created the cluster (credentials from gpuCluster.clusters).',
    example: stringify({
      steps: [
        {
          id: 'kubectl',
          name: 'Install Kueue, queues, networks and Ray',
          action: 'gpu-cluster:kubectl:apply',
          input: { values: '${{ parameters }}' },
        },
      ],
    }),
  },
];
