import path from 'node:path';
import { resolveSafeChildPath } from '@backstage/backend-plugin-api';
import type { JsonObject } from '@backstage/types';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import {
  stackNames,
  type GpuStackSpec,
} from '@gpu-platform/backstage-plugin-gpu-cluster-common';
import {
  ensureStateBucket,
  stackPlanSummary,
  terraformApply,
  terraformOutputs,
  terraformPlan,
  withTerraformRun,
  type TerraformStateLocation,
} from '@gpu-platform/backstage-plugin-gpu-cluster-node';
import type { GpuClusterScaffolderConfig } from '../config';
import { terraformApplyExamples } from './terraformApply.examples';
import { stackInputSchema } from './stack';
import type { StackGuard } from './guard';

type TerraformOutputs = Record<string, { value: unknown }>;

const outputString = (outputs: TerraformOutputs, name: string) => {
  const value = outputs[name]?.value;
  return typeof value === 'string' ? value : undefined;
};

/** Where the stack's state lives: the policy's bucket/prefix, or a local file in development. */
export function terraformStateLocation(
  config: GpuClusterScaffolderConfig,
  spec: GpuStackSpec,
): TerraformStateLocation {
  const names = stackNames(spec);
  if (config.terraform.backend === 'gcs') {
    return {
      backend: 'gcs',
      bucket: names.stateBucket,
      prefix: names.statePrefix,
    };
  }
  return {
    backend: 'local',
    path: resolveSafeChildPath(
      config.terraform.localStateDirectory,
      path.join(names.stateBucket, names.statePrefix, 'default.tfstate'),
    ),
  };
}

/**
 * `gpu-cluster:terraform:apply`: `terraform init` (the state location the policy derives from
 * owner and stack name), `plan`, then `apply` of that plan — always of the module this product
 * ships, verified against its recorded digest, in a private directory with tfvars rendered
 * from the validated spec. Nothing of the workspace runs. A dry run runs no terraform at all:
 * it logs what the stack would create, derived from the spec.
 *
 * @public
 */
export function createTerraformApplyAction(options: {
  config: GpuClusterScaffolderConfig;
  guard: StackGuard;
}) {
  const { config, guard } = options;
  const { terraform } = config;
  return createTemplateAction({
    id: 'gpu-cluster:terraform:apply',
    description:
      'Provisions the GPU stack with the shipped Terraform module: init (state location from gpuCluster.policy), plan and apply; a dry run only summarises what it would create.',
    examples: terraformApplyExamples,
    supportsDryRun: true,
    schema: {
      input: stackInputSchema,
      output: {
        clusterName: z => z.string().describe('GKE cluster name.'),
        clusterLocation: z =>
          z.string().describe('GKE cluster location (region or zone).'),
        clusterEndpoint: z =>
          z
            .string()
            .describe(
              'Control plane endpoint (empty in a dry run: it exists only after apply).',
            ),
        projectId: z => z.string().describe('GCP project of the stack.'),
        getCredentialsCommand: z =>
          z.string().describe('gcloud command writing kubeconfig credentials.'),
        hasChanges: z =>
          z.boolean().describe('Whether the plan had changes to apply.'),
        planSummary: z =>
          z
            .string()
            .describe(
              'What terraform planned (resource addresses and actions) or, in a dry run, what the stack would create.',
            ),
        filestoreShares: z =>
          z
            .record(z.string(), z.unknown())
            .describe(
              'Terraform output filestore_shares (instance → IP and share), for the kubectl step to mount.',
            ),
      },
    },
    async handler(ctx) {
      await guard.run(ctx.workspacePath, async () => {
        const { spec, redactor } = await guard.authorize(ctx);
        const names = stackNames(spec);
        const defaults = {
          clusterName: names.clusterName,
          clusterLocation: names.clusterLocation,
          projectId: spec.identity.projectId,
          getCredentialsCommand: `gcloud container clusters get-credentials ${names.clusterName} --location=${names.clusterLocation} --project=${spec.identity.projectId}`,
        };
        if (ctx.isDryRun) {
          // A dry run's template and files come from the request: no terraform runs for it.
          const summary = stackPlanSummary(spec);
          ctx.logger.info(
            'Dry run: terraform does not run; what the stack would create:',
          );
          for (const line of summary) ctx.logger.info(line);
          for (const [key, value] of Object.entries(defaults))
            ctx.output(key as keyof typeof defaults, value);
          ctx.output('clusterEndpoint', '');
          ctx.output('hasChanges', true);
          ctx.output('planSummary', summary.join('\n'));
          ctx.output('filestoreShares', {});
          return;
        }

        const state = terraformStateLocation(config, spec);
        // Seed 004: the state bucket is created when absent, before terraform init.
        if (state.backend === 'gcs')
          await ensureStateBucket({
            projectId: spec.identity.projectId,
            bucket: state.bucket,
            location: spec.identity.region,
            env: terraform.env,
            logger: {
              info: (message: string) => ctx.logger.info(message),
              warn: (message: string) => ctx.logger.warn(message),
            },
          });

        const logger = {
          info: (message: string) => ctx.logger.info(message),
          warn: (message: string) => ctx.logger.warn(message),
        };
        // Terraform converges by itself; the checkpoint keeps a resumed task from re-planning a
        // finished apply. The stored value holds names and the endpoint only, never credentials.
        const result = await ctx.checkpoint({
          key: `gpu-cluster.terraform.apply.v2.${spec.identity.projectId}.${names.clusterName}`,
          fn: () =>
            withTerraformRun(
              {
                spec,
                state,
                settings: {
                  terraformPath: terraform.binaryPath,
                  env: terraform.env,
                  timeoutMs: terraform.timeoutMs,
                  killAfterMs: terraform.killAfterMs,
                  runDirectory: terraform.runDirectory,
                },
                signal: ctx.signal,
                logger,
                redactor,
              },
              async stack => {
                const plan = await terraformPlan(stack);
                let outputs: TerraformOutputs;
                if (plan.hasChanges) {
                  outputs = (
                    await terraformApply({ ...stack, planFile: plan.planFile })
                  ).outputs;
                } else {
                  // Applying an empty plan would still bump the state serial: read the outputs.
                  ctx.logger.info('terraform: no changes');
                  outputs = await terraformOutputs(stack);
                }
                return {
                  clusterName:
                    outputString(outputs, 'cluster_name') ??
                    defaults.clusterName,
                  clusterLocation:
                    outputString(outputs, 'cluster_location') ??
                    defaults.clusterLocation,
                  clusterEndpoint:
                    outputString(outputs, 'cluster_endpoint') ?? '',
                  projectId:
                    outputString(outputs, 'project_id') ?? defaults.projectId,
                  getCredentialsCommand:
                    outputString(outputs, 'get_credentials_command') ??
                    defaults.getCredentialsCommand,
                  hasChanges: plan.hasChanges,
                  planSummary: plan.summary.changes.join('\n'),
                  filestoreShares: (outputs.filestore_shares?.value ??
                    {}) as JsonObject,
                };
              },
            ),
        });
        ctx.logger.info(
          `Cluster ${result.clusterName} is provisioned in ${result.projectId} (${result.clusterLocation})`,
        );
        ctx.output('clusterName', result.clusterName);
        ctx.output('clusterLocation', result.clusterLocation);
        ctx.output('clusterEndpoint', result.clusterEndpoint);
        ctx.output('projectId', result.projectId);
        ctx.output('getCredentialsCommand', result.getCredentialsCommand);
        ctx.output('hasChanges', result.hasChanges);
        ctx.output('planSummary', result.planSummary);
        ctx.output('filestoreShares', result.filestoreShares);
      });
    },
  });
}
