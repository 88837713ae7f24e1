import path from 'node:path';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { writeStackFiles } from '@gpu-platform/backstage-plugin-gpu-cluster-node';
import { renderExamples } from './render.examples';
import { stackDirectory, stackInputSchema } from './stack';
import type { StackGuard } from './guard';

/**
 * `gpu-cluster:stack:render`: writes `terraform/terraform.tfvars.json`, `manifests/*.yaml` and
 * `manifests/apply-plan.json` into the workspace, for review and for publishing. Nothing runs
 * these files: the terraform and kubectl steps render their own copies from the validated spec
 * in private directories. Pure file output, so it also runs in dry runs.
 *
 * @public
 */
export function createStackRenderAction(options: { guard: StackGuard }) {
  const { guard } = options;
  return createTemplateAction({
    id: 'gpu-cluster:stack:render',
    description:
      'Renders the Terraform variables and Kubernetes manifests of a GPU stack spec into the workspace, for review and publishing.',
    examples: renderExamples,
    supportsDryRun: true,
    schema: {
      input: stackInputSchema,
      output: {
        files: z =>
          z
            .array(z.string())
            .describe('Written files, relative to the workspace.'),
        applySteps: z =>
          z.number().describe('Number of steps of the manifest apply plan.'),
      },
    },
    async handler(ctx) {
      await guard.run(ctx.workspacePath, async () => {
        const dir = stackDirectory(ctx.workspacePath, ctx.input.targetPath);
        const { spec } = await guard.authorize(ctx);
        const written = await writeStackFiles(spec, dir);
        const files = written.files.map(file =>
          path
            .relative(ctx.workspacePath, path.join(dir, file))
            .split(path.sep)
            .join('/'),
        );
        ctx.logger.info(`Rendered ${files.length} files of the GPU stack`);
        ctx.output('files', files);
        ctx.output('applySteps', written.applyPlan.length);
      });
    },
  });
}
