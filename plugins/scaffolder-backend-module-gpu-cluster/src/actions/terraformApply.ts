import fs from 'node:fs/promises';
import path from 'node:path';
import { InputError } from '@backstage/errors';
import type { JsonObject } from '@backstage/types';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { stackNames } from '@gpu-platform/backstage-plugin-gpu-cluster-common';
import {
  ensureStateBucket,
  runTerraform,
  terraformApply,
  terraformBackendConfig,
  terraformPlan,
  writeFilestoreVolumes,
  type TerraformLogger,
  type TerraformStackOptions,
} from '@gpu-platform/backstage-plugin-gpu-cluster-node';
import type { GpuClusterScaffolderConfig } from '../config';
import { terraformApplyExamples } from './terraformApply.examples';
import { parseStackValues, stackDirectory, stackInputSchema } from './stack';

type TerraformOutputs = Record<string, { value: unknown }>;

const outputString = (outputs: TerraformOutputs, name: string) => {
  const value = outputs[name]?.value;
  return typeof value === 'string' ? value : undefined;
};

/**
 * `gpu-cluster:terraform:apply`: `terraform init` (GCS state from the spec, or local state when
 * configured for development), `plan`, then `apply` of that plan. A dry run stops after the plan.
 * The binary and its environment come from `gpuCluster.terraform.*`, never from template input.
 *
 * @public
 */
export function createTerraformApplyAction(options: {
  config: GpuClusterScaffolderConfig;
}) {
  const { terraform } = options.config;
  return createTemplateAction({
    id: 'gpu-cluster:terraform:apply',
    description:
      'Provisions the GPU stack with Terraform: init (GCS state), plan and apply; a dry run only plans.',
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
      },
    },
    async handler(ctx) {
      const spec = parseStackValues(ctx.input.values);
      const names = stackNames(spec);
      const dir = path.join(
        stackDirectory(ctx.workspacePath, ctx.input.targetPath),
        'terraform',
      );
      const hasModule = await fs
        .readdir(dir)
        .then(files => files.some(f => f.endsWith('.tf')))
        .catch(() => false);
      if (!hasModule) {
        throw new InputError(
          `No Terraform module in ${path.relative(
            ctx.workspacePath,
            dir,
          )}: copy the template skeleton first (fetch:plain ./skeleton)`,
        );
      }
      const defaults = {
        clusterName: names.clusterName,
        clusterLocation: names.clusterLocation,
        projectId: spec.identity.projectId,
        getCredentialsCommand: `gcloud container clusters get-credentials ${names.clusterName} --location=${names.clusterLocation} --project=${spec.identity.projectId}`,
      };
      if (ctx.isDryRun && !terraform.planInDryRun) {
        ctx.logger.info(
          'Dry run: terraform plan is disabled (gpuCluster.terraform.planInDryRun: false)',
        );
        for (const [key, value] of Object.entries(defaults))
          ctx.output(key as keyof typeof defaults, value);
        ctx.output('clusterEndpoint', '');
        ctx.output('hasChanges', true);
        return;
      }
      const logger: TerraformLogger = {
        info: (message, meta) => ctx.logger.info(message, meta as JsonObject),
        warn: (message, meta) => ctx.logger.warn(message, meta as JsonObject),
      };
      const stack: TerraformStackOptions & { useLocalBackend: boolean } = {
        dir,
        // The backend's own environment (PATH, application default credentials) plus the
        // configured one; runTerraform masks values of secret-looking keys in its output.
        env: { ...process.env, ...terraform.env },
        signal: ctx.signal,
        logger,
        terraformPath: terraform.binaryPath,
        backend:
          terraform.backend === 'gcs'
            ? terraformBackendConfig(spec)
            : undefined,
        useLocalBackend: terraform.backend === 'local',
        secrets: Object.values(terraform.env).filter(v => v.length >= 6),
      };
      // Seed 004: the state bucket is created when absent, before terraform init.
      if (stack.backend)
        await ensureStateBucket({
          projectId: spec.identity.projectId,
          bucket: stack.backend.bucket,
          location: spec.identity.region,
          env: stack.env,
          logger,
        });

      if (ctx.isDryRun) {
        const plan = await terraformPlan({ ...stack });
        const changes = (plan.plan?.resource_changes ?? []).filter(
          (change: any) =>
            !(change.change?.actions ?? []).every((a: string) => a === 'no-op'),
        ).length;
        ctx.logger.info(
          `Dry run: terraform plan has ${changes} resource change(s); nothing applied`,
        );
        for (const [key, value] of Object.entries(defaults))
          ctx.output(key as keyof typeof defaults, value);
        ctx.output('clusterEndpoint', '');
        ctx.output('hasChanges', plan.hasChanges);
        return;
      }

      // Terraform converges by itself; the checkpoint keeps a resumed task from re-planning a
      // finished apply. The stored value holds names and the endpoint only, never credentials.
      const result = await ctx.checkpoint({
        key: `gpu-cluster.terraform.apply.v1.${spec.identity.projectId}.${names.clusterName}`,
        fn: async () => {
          const plan = await terraformPlan({ ...stack });
          let outputs: TerraformOutputs;
          if (plan.hasChanges) {
            outputs = (
              await terraformApply({
                ...stack,
                planFile: plan.planFile,
              })
            ).outputs;
          } else {
            // Applying an empty plan would still bump the state serial: read the outputs only.
            ctx.logger.info('terraform: no changes');
            const shown = await runTerraform({
              dir,
              env: stack.env,
              signal: ctx.signal,
              logger,
              terraformPath: terraform.binaryPath,
              secrets: stack.secrets,
              args: ['output', '-json'],
            });
            outputs = JSON.parse(shown.stdout);
          }
          return {
            clusterName:
              outputString(outputs, 'cluster_name') ?? defaults.clusterName,
            clusterLocation:
              outputString(outputs, 'cluster_location') ??
              defaults.clusterLocation,
            clusterEndpoint: outputString(outputs, 'cluster_endpoint') ?? '',
            projectId:
              outputString(outputs, 'project_id') ?? defaults.projectId,
            getCredentialsCommand:
              outputString(outputs, 'get_credentials_command') ??
              defaults.getCredentialsCommand,
            hasChanges: plan.hasChanges,
            filestoreShares: (outputs.filestore_shares?.value ??
              {}) as JsonObject,
          };
        },
      });
      // Filestore volumes need the instances' IPs: written now for the kubectl step.
      await writeFilestoreVolumes(
        spec,
        { filestore_shares: { value: result.filestoreShares } },
        path.join(path.dirname(dir), 'manifests'),
      );
      ctx.logger.info(
        `Cluster ${result.clusterName} is provisioned in ${result.projectId} (${result.clusterLocation})`,
      );
      ctx.output('clusterName', result.clusterName);
      ctx.output('clusterLocation', result.clusterLocation);
      ctx.output('clusterEndpoint', result.clusterEndpoint);
      ctx.output('projectId', result.projectId);
      ctx.output('getCredentialsCommand', result.getCredentialsCommand);
      ctx.output('hasChanges', result.hasChanges);
    },
  });
}
