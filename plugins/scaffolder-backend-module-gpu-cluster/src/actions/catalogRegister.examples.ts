import type { TemplateExample } from '@backstage/plugin-scaffolder-node';
import { stringify } from 'yaml';

export const catalogRegisterExamples: TemplateExample[] = [
  {
    description:
      'Register the provisioned cluster, with the endpoint Terraform reported.',
    example: stringify({
      steps: [
        {
          id: 'register',
          name: 'Register the cluster in the catalog',
          action: 'gpu-cluster:catalog:register',
          input: {
            values: '${{ parameters }}',
            clusterEndpoint: '${{ steps.terraform.output.clusterEndpoint }}',
          },
        },
      ],
    }),
  },
  {
    description:
      'Production path: write the entity, publish the workspace to git, register the published file.',
    example: stringify({
      steps: [
        {
          id: 'register',
          action: 'gpu-cluster:catalog:register',
          input: { values: '${{ parameters }}' },
        },
        {
          id: 'publish',
          action: 'publish:github',
          input: {
            repoUrl: 'github.com?owner=acme&repo=gpu-cluster-research',
            description: 'GPU cluster stack',
          },
        },
        {
          id: 'catalog',
          action: 'catalog:register',
          input: {
            repoContentsUrl: '${{ steps.publish.output.repoContentsUrl }}',
            catalogInfoPath: '/catalog-info.yaml',
          },
        },
      ],
    }),
  },
];
