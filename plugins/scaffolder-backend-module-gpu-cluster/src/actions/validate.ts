import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { stackNames } from '@gpu-platform/backstage-plugin-gpu-cluster-common';
import { validateExamples } from './validate.examples';
import { stackInputSchema } from './stack';
import type { StackGuard } from './guard';

/**
 * `gpu-cluster:spec:validate`: checks the template values against the stack spec (all problems,
 * with field paths) and the initiating user against `gpuCluster.policy`, and outputs the
 * normalized spec with its derived names and the state location the policy assigns.
 *
 * @public
 */
export function createSpecValidateAction(options: { guard: StackGuard }) {
  const { guard } = options;
  return createTemplateAction({
    id: 'gpu-cluster:spec:validate',
    description:
      'Validates GPU stack spec values (every problem with its field path) and whether the user may create the stack, and outputs the normalized spec and derived names.',
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
          z
            .string()
            .describe(
              'GCS bucket holding the Terraform state (from gpuCluster.policy).',
            ),
        statePrefix: z =>
          z
            .string()
            .describe(
              'Folder of the Terraform state in the bucket (owner group and stack name).',
            ),
        entityRef: z =>
          z.string().describe('Catalog reference the cluster will get.'),
      },
    },
    async handler(ctx) {
      await guard.run(ctx.workspacePath, async () => {
        const { spec, entityRef } = await guard.authorize(ctx);
        const names = stackNames(spec);
        ctx.logger.info(
          `GPU stack spec is valid: cluster ${names.clusterName} in ${spec.identity.projectId} (${names.clusterLocation}), state gs://${names.stateBucket}/${names.statePrefix}`,
        );
        ctx.output('spec', spec);
        ctx.output('clusterName', names.clusterName);
        ctx.output('clusterLocation', names.clusterLocation);
        ctx.output('projectId', spec.identity.projectId);
        ctx.output('stateBucket', names.stateBucket);
        ctx.output('statePrefix', names.statePrefix);
        ctx.output('entityRef', entityRef);
      });
    },
  });
}
