import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ConfigReader } from '@backstage/config';
import { Command, CommanderError } from 'commander';
import { parse as parseYaml } from 'yaml';
import {
  parseGpuStackSpec,
  stackNames,
  type GpuStackSpec,
} from '@gpu-platform/backstage-plugin-gpu-cluster-common';
import { destroyStack } from '../destroy';
import {
  GkeConnectionError,
  readGkeEndpointOverride,
  resolveGkeClusterConnection,
  writeKubeconfigFor,
  type GkeEndpointOverride,
} from '../gke';
import { applyManifestPlan, runKubectl, type KubectlOptions } from '../kubectl';
import {
  manifestApplyPlan,
  rayDashboardPortForwardArgs,
  writeFilestoreVolumes,
} from '../manifests';
import { writeStackFiles } from '../render';
import {
  ensureStateBucket,
  terraformApply,
  terraformBackendConfig,
  terraformOutputs,
  terraformPlan,
  withTerraformRun,
  type TerraformOutputs,
  type TerraformStackOptions,
  type TerraformStateLocation,
} from '../terraform';
import { loadValues, mergeValues } from '../values';
import {
  formatPreflightTable,
  preflightFailureMessage,
  runPreflight,
} from '../preflight';
import { Redactor } from '../process/redact';
import { formatVerification, verifyFabric, VerifyError } from '../verify';
import { environmentSecrets } from '../config/secrets';
import { cliToolEnvironment } from './environment';

/** Where the CLI writes (injectable for tests). @public */
export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env?: NodeJS.ProcessEnv;
  /**
   * Google access tokens for GKE and the cluster (default: Application Default Credentials).
   * Tests pass the emulators' token.
   */
  googleAccessToken?: () => Promise<string>;
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
  owner?: string;
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
  // --owner is the most explicit input: it wins over the files.
  const input = options.owner
    ? mergeValues(loaded.input, { identity: { owner: options.owner } })
    : loaded.input;
  const result = parseGpuStackSpec(input);
  if (!result.ok) {
    const lines = result.issues.map(i => `  ${loaded.describeIssue(i)}`);
    throw new CliFailure(`invalid stack spec:\n${lines.join('\n')}`, 1);
  }
  return result.spec;
}

/** Reads `--gke-endpoint FILE`: `{ host, port, caData | caFile, token }` (the GKE emulator). */
async function readGkeEndpointFile(
  file: string | undefined,
): Promise<GkeEndpointOverride | undefined> {
  if (!file) return undefined;
  const text = await fs.readFile(file, 'utf8').catch(error => {
    throw new CliFailure(
      `cannot read --gke-endpoint ${file}: ${(error as Error).message}`,
      2,
    );
  });
  try {
    return readGkeEndpointOverride(new ConfigReader(parseYaml(text)));
  } catch (error) {
    throw new CliFailure(
      `--gke-endpoint ${file} must hold host, port and caData or caFile: ${
        (error as Error).message
      }`,
      2,
    );
  }
}

/**
 * kubectl options for the stack's cluster: the given kubeconfig, or — as
 * `gcloud container clusters get-credentials` would, but without touching any kubeconfig of the
 * user — a private kubeconfig written from GKE into a 0700 temporary directory, removed by
 * `cleanup`. KUBECONFIG points at it too, so no other context is ever read.
 */
async function clusterAccess(
  spec: GpuStackSpec,
  options: { kubeconfig?: string; gkeEndpoint?: string; kubectlPath: string },
  io: CliIo,
  env: Record<string, string>,
  logger: { info(m: string): void },
  redactor: Redactor,
): Promise<{ kubectl: KubectlOptions; cleanup: () => Promise<void> }> {
  const base = { kubectlPath: options.kubectlPath, env, logger, redactor };
  if (options.kubeconfig)
    return {
      kubectl: { ...base, kubeconfig: options.kubeconfig },
      cleanup: async () => {},
    };
  const names = stackNames(spec);
  const connection = await resolveGkeClusterConnection(
    {
      projectId: spec.identity.projectId,
      location: names.clusterLocation,
      clusterName: names.clusterName,
    },
    {
      endpoint: await readGkeEndpointFile(options.gkeEndpoint),
      ...(io.googleAccessToken ? { getAccessToken: io.googleAccessToken } : {}),
    },
  );
  redactor.addSecret(connection.token);
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'gpu-cluster-kube-'));
  const kubeconfig = await writeKubeconfigFor(
    connection,
    path.join(dir, 'kubeconfig'),
    { name: names.clusterName },
  );
  logger.info(
    `Credentials of ${names.clusterName} from GKE (${connection.url}) in a private kubeconfig`,
  );
  return {
    kubectl: { ...base, kubeconfig, env: { ...env, KUBECONFIG: kubeconfig } },
    cleanup: () => fs.rm(dir, { recursive: true, force: true }),
  };
}

function withSpecOptions(command: Command): Command {
  return command
    .option('--values <file>', 'stack values (YAML or JSON)')
    .option(
      '--env-file <file>',
      'seed 004 env file (PROJECT_ID=…, NAME_PREFIX=…, ZONE=…)',
    )
    .option(
      '--owner <ref>',
      'owning Backstage group, e.g. group:default/ml-platform (wins over OWNER / identity.owner)',
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
    // terraform's arguments (redacted by runTerraform) say what a run did, e.g. -target.
    info: (m: string, meta?: Record<string, unknown>) =>
      io.stderr(
        `${m}${typeof meta?.args === 'string' ? `: ${meta.args}` : ''}\n`,
      ),
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

  withSpecOptions(
    program
      .command('preflight')
      .description(
        'before creating anything: machine types in each zone, GPU quota for the provisioning mode, APIs, permissions, GKE version, state bucket',
      ),
  )
    .option(
      '--google-apis-endpoint <url>',
      'Compute Engine / Service Usage / Resource Manager endpoint (the local emulator); Google when unset',
    )
    .option(
      '--gke-endpoint <file>',
      'GKE endpoint override: YAML { host, port, caData | caFile, token } (the emulator)',
    )
    .option('--no-backend', 'state kept locally: no state bucket to check')
    .option('--json', 'print the report as JSON')
    .action(
      async (
        options: SpecOptions & {
          googleApisEndpoint?: string;
          gkeEndpoint?: string;
          backend: boolean;
          json?: boolean;
        },
      ) => {
        const spec = await loadSpec(options, io);
        const report = await runPreflight({
          spec,
          googleApis: options.googleApisEndpoint
            ? {
                url: options.googleApisEndpoint,
                ...(io.googleAccessToken
                  ? { token: await io.googleAccessToken() }
                  : {}),
              }
            : undefined,
          gke: await readGkeEndpointFile(options.gkeEndpoint),
          stateBackend: options.backend ? 'gcs' : 'local',
          storageEnv: env,
        });
        io.stdout(
          options.json
            ? `${JSON.stringify(report, null, 2)}\n`
            : `${formatPreflightTable(report).join('\n')}\n`,
        );
        if (!report.ok)
          throw new CliFailure(preflightFailureMessage(report), 1);
      },
    );

  /** Seed 004: the state bucket is created when absent, before `terraform init`. */
  const stateBucket = async (spec: GpuStackSpec) => {
    const backend = terraformBackendConfig(spec);
    const result = await ensureStateBucket({
      projectId: spec.identity.projectId,
      bucket: backend.bucket,
      location: spec.identity.region,
      env,
      logger,
    });
    io.stdout(
      `terraform state: gs://${backend.bucket}/${backend.prefix}${
        result.created ? ' (bucket created)' : ''
      }\n`,
    );
    return backend;
  };

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
    fn: (stack: TerraformStackOptions, spec: GpuStackSpec) => Promise<T>,
    tfvarsOptions?: { destroy?: { deleteData: boolean } },
  ): Promise<T> => {
    const spec = await loadSpec(options, io);
    await writeStackFiles(spec, options.out);
    const state: TerraformStateLocation = options.backend
      ? {
          backend: 'gcs',
          // Seed 004: plan and apply create the state bucket when absent; destroy never does.
          ...(tfvarsOptions?.destroy
            ? terraformBackendConfig(spec)
            : await stateBucket(spec)),
        }
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
        tfvarsOptions,
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

  const clusterOptions = (command: Command) =>
    command
      .option(
        '--kubeconfig <file>',
        "kubeconfig of the cluster; without it the cluster's credentials come from GKE into a private kubeconfig (the current kubectl context is never used)",
      )
      .option(
        '--gke-endpoint <file>',
        'GKE API override { host, port, caData|caFile, token } (development: the GKE emulator)',
      )
      .option('--kubectl-path <path>', 'kubectl binary', 'kubectl');

  clusterOptions(
    terraformOptions(
      program
        .command('apply')
        .description(
          'render, terraform plan + apply, then kubectl apply --server-side the manifests',
        ),
    ),
  )
    .option(
      '--kueue-manifest <file>',
      'local copy of the pinned Kueue release manifest (air-gapped)',
    )
    .option('--skip-terraform', 'only apply the manifests')
    .action(
      async (
        options: SpecOptions & {
          out: string;
          terraformPath: string;
          backend: boolean;
          kubeconfig?: string;
          gkeEndpoint?: string;
          kueueManifest?: string;
          kubectlPath: string;
          skipTerraform?: boolean;
        },
      ) => {
        let spec: GpuStackSpec;
        let outputs: TerraformOutputs | undefined;
        if (options.skipTerraform) {
          spec = await loadSpec(options, io);
          await writeStackFiles(spec, options.out);
        } else {
          spec = await withTerraform(options, async (stack, parsed) => {
            const plan = await terraformPlan(stack);
            // Applying an empty plan would still rewrite the state (new serial): skip it.
            if (plan.hasChanges)
              outputs = (
                await terraformApply({ ...stack, planFile: plan.planFile })
              ).outputs;
            else {
              io.stdout('terraform: no changes\n');
              // Filestore volumes need the instances' IPs, which exist only once Terraform made them.
              if (parsed.storage.filestore.length > 0)
                outputs = await terraformOutputs(stack);
            }
            return parsed;
          });
        }
        if (spec.storage.filestore.length > 0) {
          if (!outputs)
            throw new CliFailure(
              'the Filestore volumes need the Terraform outputs: run apply without --skip-terraform',
              2,
            );
          await writeFilestoreVolumes(
            spec,
            outputs,
            path.join(options.out, 'manifests'),
          );
        }
        const access = await clusterAccess(
          spec,
          options,
          io,
          env,
          logger,
          redactor,
        ).catch(error => {
          throw new CliFailure(
            `cannot get the cluster's credentials: ${(error as Error).message}`,
            3,
          );
        });
        try {
          await runKubectl(['version', '--output=json'], access.kubectl).catch(
            error => {
              throw new CliFailure(
                `cannot reach the cluster with kubectl: ${
                  (error as Error).message
                }`,
                3,
              );
            },
          );
          await applyManifestPlan(manifestApplyPlan(spec), {
            ...access.kubectl,
            manifestsDir: path.join(options.out, 'manifests'),
            kueueManifest: options.kueueManifest,
          });
        } finally {
          await access.cleanup();
        }
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

  withSpecOptions(
    clusterOptions(
      program
        .command('verify')
        .description(
          "run the stack's NCCL all_gather verification Job again (the previous run is deleted), wait for it, read rank 0's log and judge the bus bandwidth against the figure for the machine type; exit 1 below the threshold",
        ),
    ),
  )
    .option(
      '--timeout <seconds>',
      'how long to wait for the Job, DWS provisioning included',
      '1800',
    )
    .option('--poll-interval <seconds>', 'between two looks at the Job', '10')
    .option('--json', 'print the result as JSON')
    .action(
      async (
        options: SpecOptions & {
          kubeconfig?: string;
          gkeEndpoint?: string;
          kubectlPath: string;
          timeout: string;
          pollInterval: string;
          json?: boolean;
        },
      ) => {
        const seconds = (value: string, flag: string, max: number) => {
          const n = Number(value);
          if (!Number.isFinite(n) || n <= 0 || n > max)
            throw new CliFailure(
              `${flag} must be a number of seconds between 0 and ${max}`,
              2,
            );
          return n * 1000;
        };
        const timeoutMs = seconds(options.timeout, '--timeout', 86_400);
        const pollIntervalMs = seconds(
          options.pollInterval,
          '--poll-interval',
          600,
        );
        const spec = await loadSpec(options, io);
        const access = await clusterAccess(
          spec,
          options,
          io,
          env,
          logger,
          redactor,
        ).catch(error => {
          throw new CliFailure(
            `cannot get the cluster's credentials: ${(error as Error).message}`,
            3,
          );
        });
        let run;
        try {
          run = await verifyFabric({
            spec,
            kubectl: access.kubectl,
            timeoutMs,
            pollIntervalMs,
            progress: m => io.stderr(`${m}\n`),
          });
        } catch (error) {
          if (error instanceof VerifyError)
            throw new CliFailure(error.message, 1);
          throw error;
        } finally {
          await access.cleanup();
        }
        io.stdout(
          options.json
            ? `${JSON.stringify(run, null, 2)}\n`
            : `${formatVerification(run).join('\n')}\n`,
        );
        if (run.verdict === 'fail' || run.verdict === 'unparseable')
          throw new CliFailure(
            `fabric verification ${run.verdict}: ${run.reasons.join(' ')}`,
            1,
          );
      },
    );

  clusterOptions(
    terraformOptions(
      program
        .command('destroy')
        .description(
          "delete the work in the cluster (Ray, queued Jobs, Workloads, ProvisioningRequests) and the stack's objects, then terraform destroy; data is kept unless --delete-data",
        ),
    ),
  )
    .option(
      '--delete-data',
      'also delete the training bucket with its objects, and Filestore shares',
    )
    .action(
      async (
        options: SpecOptions & {
          out: string;
          terraformPath: string;
          backend: boolean;
          kubeconfig?: string;
          gkeEndpoint?: string;
          kubectlPath: string;
          deleteData?: boolean;
        },
      ) => {
        const spec = await loadSpec(options, io);
        let access:
          | { kubectl: KubectlOptions; cleanup: () => Promise<void> }
          | undefined;
        let skipReason: string | undefined;
        try {
          access = await clusterAccess(
            spec,
            options,
            io,
            env,
            logger,
            redactor,
          );
        } catch (error) {
          // A cluster that is gone or not up holds no work to delete first.
          if (
            error instanceof GkeConnectionError &&
            (error.reason === 'NOT_FOUND' || error.reason === 'NOT_RUNNING')
          )
            skipReason = error.message;
          else
            throw new CliFailure(
              `cannot get the cluster's credentials: ${
                (error as Error).message
              }`,
              3,
            );
        }
        let report;
        try {
          report = await withTerraform(
            options,
            stack =>
              destroyStack({
                spec,
                terraform: stack,
                manifestsDir: path.join(options.out, 'manifests'),
                kubectl: access?.kubectl,
                skipReason,
                deleteData: options.deleteData,
                logger,
              }),
            { destroy: { deleteData: options.deleteData ?? false } },
          );
        } finally {
          await access?.cleanup();
        }
        io.stdout(
          report.inClusterSkipped
            ? `in-cluster work: skipped (${report.inClusterSkipped})\n`
            : `in-cluster work deleted first: ${
                report.inClusterWork.length
                  ? report.inClusterWork.join(', ')
                  : 'none running'
              }\n`,
        );
        for (const kept of report.kept)
          io.stdout(`kept: ${kept.resource} — ${kept.note}\n`);
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
