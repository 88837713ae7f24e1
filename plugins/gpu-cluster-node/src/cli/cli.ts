import fs from 'node:fs/promises';
import path from 'node:path';
import { Command, CommanderError } from 'commander';
import {
  parseGpuStackSpec,
  stackNames,
  type GpuStackSpec,
} from '@gpu-platform/backstage-plugin-gpu-cluster-common';
import { applyManifestPlan, deleteManifestPlan, runKubectl } from '../kubectl';
import {
  manifestApplyPlan,
  rayDashboardPortForwardArgs,
  writeFilestoreVolumes,
} from '../manifests';
import { writeStackFiles } from '../render';
import {
  terraformApply,
  terraformBackendConfig,
  terraformDestroy,
  terraformOutputs,
  terraformPlan,
  type TerraformOutputs,
} from '../terraform';
import { loadValues } from '../values';

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

async function hasTerraformModule(dir: string): Promise<boolean> {
  const entries = await fs.readdir(dir).catch(() => [] as string[]);
  return entries.some(e => e.endsWith('.tf'));
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
  const env = io.env ?? process.env;
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
        'stack directory (rendered files; terraform/ must hold the Terraform module)',
      )
      .option('--terraform-path <path>', 'terraform binary', 'terraform')
      .option(
        '--no-backend',
        'skip the GCS backend (local state; offline checks)',
      );

  const prepare = async (options: SpecOptions & { out: string }) => {
    const spec = await loadSpec(options, io);
    await writeStackFiles(spec, options.out);
    const dir = path.join(options.out, 'terraform');
    if (!(await hasTerraformModule(dir))) {
      throw new CliFailure(
        `no Terraform module in ${dir}: copy the template's terraform/ files there (render only writes terraform.tfvars.json)`,
        2,
      );
    }
    return { spec, dir };
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
      const { spec, dir } = await prepare(options);
      const result = await terraformPlan({
        dir,
        env,
        logger,
        terraformPath: options.terraformPath,
        backend: options.backend ? terraformBackendConfig(spec) : undefined,
        useLocalBackend: !options.backend,
      });
      io.stdout(
        `${result.output}\nplan written to ${path.join(
          dir,
          result.planFile,
        )} (${result.hasChanges ? 'changes' : 'no changes'})\n`,
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
        const spec = options.skipTerraform
          ? await loadSpec(options, io)
          : (await prepare(options)).spec;
        const dir = path.join(options.out, 'terraform');
        const common = {
          dir,
          env,
          logger,
          terraformPath: options.terraformPath,
          backend: options.backend ? terraformBackendConfig(spec) : undefined,
          useLocalBackend: !options.backend,
        };
        let outputs: TerraformOutputs | undefined;
        if (options.skipTerraform) await writeStackFiles(spec, options.out);
        else {
          const plan = await terraformPlan(common);
          // Applying an empty plan would still rewrite the state (new serial): skip it.
          if (plan.hasChanges)
            outputs = (
              await terraformApply({ ...common, planFile: plan.planFile })
            ).outputs;
          else io.stdout('terraform: no changes\n');
        }
        if (spec.storage.filestore.length > 0) {
          // Filestore volumes need the instances' IPs, which exist only once Terraform made them.
          outputs ??= await terraformOutputs(common);
          await writeFilestoreVolumes(
            spec,
            outputs,
            path.join(options.out, 'manifests'),
          );
        }
        const kubectl = {
          kubeconfig: options.kubeconfig,
          kubectlPath: options.kubectlPath,
          env,
          logger,
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
        const { spec, dir } = await prepare(options);
        if (options.kubeconfig) {
          await deleteManifestPlan(manifestApplyPlan(spec), {
            kubeconfig: options.kubeconfig,
            kubectlPath: options.kubectlPath,
            env,
            logger,
            manifestsDir: path.join(options.out, 'manifests'),
          });
        }
        await terraformDestroy({
          dir,
          env,
          logger,
          terraformPath: options.terraformPath,
          backend: options.backend ? terraformBackendConfig(spec) : undefined,
          useLocalBackend: !options.backend,
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
    io.stderr(`error: ${(error as Error).message}\n`);
    return 1;
  }
}
