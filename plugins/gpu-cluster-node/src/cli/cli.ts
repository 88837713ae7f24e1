import path from 'node:path';
import { Command, CommanderError } from 'commander';
import {
  parseGpuStackSpec,
  stackNames,
  type GpuStackSpec,
} from '@gpu-platform/backstage-plugin-gpu-cluster-common';
import { applyManifestPlan, deleteManifestPlan, runKubectl } from '../kubectl';
import { manifestApplyPlan, rayDashboardPortForwardArgs } from '../manifests';
import { writeStackFiles } from '../render';
import {
  terraformApply,
  terraformBackendConfig,
  terraformDestroy,
  terraformPlan,
  withTerraformRun,
  type TerraformStateLocation,
} from '../terraform';
import { loadValues } from '../values';
import { Redactor } from '../process/redact';
import { environmentSecrets } from '../config/secrets';
import { cliToolEnvironment } from './environment';

/** Where the CLI writes (injectable for tests). @public */
export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env?: NodeJS.ProcessEnv;
}

/** A failure with a message for the user and an exit code. */
class CliFailure extends Error {
  constructor(message: string, readonly exitCode: number) {
    super(message);
  }
}

interface SpecOptions {
  values?: string;
  envFile?: string;
}

async function loadSpec(
  options: SpecOptions,
  io: CliIo,
): Promise<GpuStackSpec> {
  if (!options.values && !options.envFile)
    throw new CliFailure('give --values FILE and/or --env-file FILE', 2);
  const loaded = await loadValues({
    valuesFile: options.values,
    envFile: options.envFile,
  }).catch(error => {
    throw new CliFailure((error as Error).message, 2);
  });
  for (const warning of loaded.warnings) io.stderr(`warning: ${warning}\n`);
  const result = parseGpuStackSpec(loaded.input);
  if (!result.ok) {
    const lines = result.issues.map(
      i => `  ${i.path || '(root)'}: ${i.message}`,
    );
    throw new CliFailure(`invalid stack spec:\n${lines.join('\n')}`, 1);
  }
  return result.spec;
}

function withSpecOptions(command: Command): Command {
  return command
    .option('--values <file>', 'stack values (YAML or JSON)')
    .option(
      '--env-file <file>',
      'seed 004 env file (PROJECT_ID=…, NAME_PREFIX=…, ZONE=…)',
    );
}

/**
 * The `gpu-cluster` command. Returns the exit code instead of exiting so tests and other callers
 * can run it in-process.
 * @public
 */
export async function runCli(
  argv: string[],
  io: CliIo = {
    stdout: t => process.stdout.write(t),
    stderr: t => process.stderr.write(t),
  },
): Promise<number> {
  // The tools get the operator's PATH, HOME, cloud credentials and tool settings, and
  // nothing else of this shell (see ./environment.ts).
  const env = cliToolEnvironment(io.env ?? process.env);
  const redactor = new Redactor(environmentSecrets(io.env ?? process.env));
  const logger = {
    info: (m: string) => io.stderr(`${m}\n`),
    warn: (m: string) => io.stderr(`warning: ${m}\n`),
    error: (m: string) => io.stderr(`${m}\n`),
  };
  const program = new Command('gpu-cluster')
    .description(
      'Render, validate, plan, apply and destroy a GPU cluster stack on GKE',
    )
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr });

  withSpecOptions(
    program
      .command('validate')
      .description(
        'check a stack spec and list every problem with its field path',
      ),
  )
    .option('--json', 'print the parsed spec (defaults applied) as JSON')
    .action(async (options: SpecOptions & { json?: boolean }) => {
      const spec = await loadSpec(options, io);
      io.stdout(
        options.json
          ? `${JSON.stringify(spec, null, 2)}\n`
          : `valid: ${stackNames(spec).clusterName} in ${
              spec.identity.projectId
            }\n`,
      );
    });

  withSpecOptions(
    program
      .command('render')
      .description(
        'write terraform/terraform.tfvars.json and manifests/*.yaml',
      ),
  )
    .requiredOption('--out <dir>', 'output directory')
    .action(async (options: SpecOptions & { out: string }) => {
      const spec = await loadSpec(options, io);
      const written = await writeStackFiles(spec, options.out);
      for (const file of written.files)
        io.stdout(`${path.join(options.out, file)}\n`);
    });

  const terraformOptions = (command: Command) =>
    withSpecOptions(command)
      .requiredOption(
        '--out <dir>',
        'stack directory: the rendered files for review (and local state with --no-backend)',
      )
      .option('--terraform-path <path>', 'terraform binary', 'terraform')
      .option(
        '--no-backend',
        'skip the GCS backend: local state in <out>/terraform/terraform.tfstate (offline checks)',
      );

  /**
   * Renders the stack into --out (for review) and runs terraform on a private copy of the
   * shipped, verified module with tfvars rendered from the validated spec: never on files of
   * the stack directory.
   */
  const withTerraform = async <T>(
    options: SpecOptions & {
      out: string;
      terraformPath: string;
      backend: boolean;
    },
    fn: (
      stack: Parameters<Parameters<typeof withTerraformRun>[1]>[0],
      spec: GpuStackSpec,
    ) => Promise<T>,
  ): Promise<T> => {
    const spec = await loadSpec(options, io);
    await writeStackFiles(spec, options.out);
    const state: TerraformStateLocation = options.backend
      ? { backend: 'gcs', ...terraformBackendConfig(spec) }
      : {
          backend: 'local',
          path: path.resolve(options.out, 'terraform', 'terraform.tfstate'),
        };
    return withTerraformRun(
      {
        spec,
        state,
        settings: { terraformPath: options.terraformPath, env },
        logger,
        redactor,
      },
      // The CLI runs as the operator: their HOME holds their gcloud credentials.
      stack =>
        fn(
          {
            ...stack,
            env: { ...stack.env, ...(env.HOME ? { HOME: env.HOME } : {}) },
          },
          spec,
        ),
    );
  };

  terraformOptions(
    program.command('plan').description('render, then terraform init + plan'),
  ).action(
    async (
      options: SpecOptions & {
        out: string;
        terraformPath: string;
        backend: boolean;
      },
    ) => {
      const result = await withTerraform(options, stack =>
        terraformPlan(stack),
      );
      const { create, update, replace, delete: remove } = result.summary;
      io.stdout(
        `${
          result.output
        }\nplan: ${create} to create, ${update} to update, ${replace} to replace, ${remove} to delete (${
          result.hasChanges ? 'changes' : 'no changes'
        })\n`,
      );
    },
  );

  terraformOptions(
    program
      .command('apply')
      .description(
        'render, terraform plan + apply, then kubectl apply --server-side the manifests',
      ),
  )
    .option(
      '--kubeconfig <file>',
      'kubeconfig of the cluster (after `gcloud container clusters get-credentials`)',
    )
    .option(
      '--kueue-manifest <file>',
      'local copy of the pinned Kueue release manifest (air-gapped)',
    )
    .option('--kubectl-path <path>', 'kubectl binary', 'kubectl')
    .option('--skip-terraform', 'only apply the manifests')
    .action(
      async (
        options: SpecOptions & {
          out: string;
          terraformPath: string;
          backend: boolean;
          kubeconfig?: string;
          kueueManifest?: string;
          kubectlPath: string;
          skipTerraform?: boolean;
        },
      ) => {
        let spec: GpuStackSpec;
        if (options.skipTerraform) {
          spec = await loadSpec(options, io);
          await writeStackFiles(spec, options.out);
        } else {
          spec = await withTerraform(options, async (stack, parsed) => {
            const plan = await terraformPlan(stack);
            // Applying an empty plan would still rewrite the state (new serial): skip it.
            if (plan.hasChanges)
              await terraformApply({ ...stack, planFile: plan.planFile });
            else io.stdout('terraform: no changes\n');
            return parsed;
          });
        }
        const kubectl = {
          kubeconfig: options.kubeconfig,
          kubectlPath: options.kubectlPath,
          env,
          logger,
          redactor,
        };
        await runKubectl(['version', '--output=json'], kubectl).catch(error => {
          throw new CliFailure(
            `cannot reach the cluster with kubectl: ${
              (error as Error).message
            }`,
            3,
          );
        });
        await applyManifestPlan(manifestApplyPlan(spec), {
          ...kubectl,
          manifestsDir: path.join(options.out, 'manifests'),
          kueueManifest: options.kueueManifest,
        });
        if (
          spec.ray.enabled &&
          spec.ray.dashboard.exposure === 'port-forward'
        ) {
          io.stdout(
            `Ray dashboard: kubectl ${rayDashboardPortForwardArgs(spec).join(
              ' ',
            )}  → http://localhost:8265/\n`,
          );
        }
        io.stdout('applied\n');
      },
    );

  terraformOptions(
    program
      .command('destroy')
      .description('delete the manifests, then terraform destroy'),
  )
    .option(
      '--kubeconfig <file>',
      'kubeconfig of the cluster; without it only Terraform resources are destroyed',
    )
    .option('--kubectl-path <path>', 'kubectl binary', 'kubectl')
    .action(
      async (
        options: SpecOptions & {
          out: string;
          terraformPath: string;
          backend: boolean;
          kubeconfig?: string;
          kubectlPath: string;
        },
      ) => {
        await withTerraform(options, async (stack, spec) => {
          if (options.kubeconfig) {
            await deleteManifestPlan(manifestApplyPlan(spec), {
              kubeconfig: options.kubeconfig,
              kubectlPath: options.kubectlPath,
              env,
              logger,
              redactor,
              manifestsDir: path.join(options.out, 'manifests'),
            });
          }
          await terraformDestroy(stack);
        });
        io.stdout('destroyed\n');
      },
    );

  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? 0 : 2;
    }
    if (error instanceof CliFailure) {
      io.stderr(`error: ${error.message}\n`);
      return error.exitCode;
    }
    io.stderr(`error: ${redactor.redact((error as Error).message)}\n`);
    return 1;
  }
}
