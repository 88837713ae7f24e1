import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { stackNames } from '@gpu-platform/backstage-plugin-gpu-cluster-common';
import { clusterResourceEntity } from '../entity';
import { validateExamples } from './validate.examples';
import { parseStackValues, stackInputSchema } from './stack';
import { stringifyEntityRef } from '@backstage/catalog-model';

/**
 * `gpu-cluster:spec:validate`: checks the template values against the stack spec (all problems,
 * with field paths) and outputs the normalized spec with its derived names.
 *
 * @public
 */
export function createSpecValidateAction() {
  return createTemplateAction({
    id: 'gpu-cluster:spec:validate',
    description:
      'Validates GPU stack spec values (every problem with its field path) and outputs the normalized spec and derived names.',
    examples: validateExamples,
    supportsDryRun: true,
    schema: {
      input: { values: stackInputSchema.values },
      output: {
        spec: z =>
          z.record(z.unknown()).describe('The spec with defaults applied.'),
        clusterName: z => z.string().describe('GKE cluster name.'),
        clusterLocation: z =>
          z.string().describe('GKE cluster location (region or zone).'),
        projectId: z => z.string().describe('GCP project of the stack.'),
        stateBucket: z =>
          z.string().describe('GCS bucket holding the Terraform state.'),
        statePrefix: z =>
          z.string().describe('Folder of the Terraform state in the bucket.'),
        entityRef: z =>
          z.string().describe('Catalog reference the cluster will get.'),
      },
    },
    async handler(ctx) {
      const spec = parseStackValues(ctx.input.values);
      const names = stackNames(spec);
      ctx.logger.info(
        `GPU stack spec is valid: cluster ${names.clusterName} in ${spec.identity.projectId} (${names.clusterLocation})`,
      );
      ctx.output('spec', spec);
      ctx.output('clusterName', names.clusterName);
      ctx.output('clusterLocation', names.clusterLocation);
      ctx.output('projectId', spec.identity.projectId);
      ctx.output('stateBucket', names.stateBucket);
      ctx.output('statePrefix', names.statePrefix);
      ctx.output('entityRef', stringifyEntityRef(clusterResourceEntity(spec)));
    },
  });
}
