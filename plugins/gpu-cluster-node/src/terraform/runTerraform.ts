import fs from 'node:fs/promises';
import path from 'node:path';
import {
  runProcess,
  type ProcessLogger,
  type ProcessResult,
} from '../process/runProcess';
import type { Redactor } from '../process/redact';

/** @public */
export type TerraformLogger = ProcessLogger;

/** @public */
export type TerraformRunResult = ProcessResult;

/** terraform exited badly, was cancelled or timed out: a {@link ProcessError}. @public */
export { ProcessError as TerraformError } from '../process/runProcess';

/** How terraform runs: binary, environment, limits, output. @public */
export interface TerraformToolOptions {
  /** The terraform binary (default `terraform` on `env.PATH`). */
  terraformPath?: string;
  /** The complete environment (`terraformEnvironment`); never the backend's own. */
  env: Record<string, string>;
  signal?: AbortSignal;
  logger?: TerraformLogger;
  redactor?: Redactor;
  /** Per command (default 60 minutes: GKE clusters and GPU pools take a while). */
  timeoutMs?: number;
  /** Between SIGINT (terraform releases the state lock) and SIGKILL (default 60 s). */
  killAfterMs?: number;
}

/** @public */
export interface RunTerraformOptions extends TerraformToolOptions {
  /** Working directory holding the root module. */
  dir: string;
  /** Arguments after `terraform`, e.g. ['plan', '-out=tfplan']. */
  args: string[];
  /** Exit codes that count as success (plan -detailed-exitcode returns 2 for changes). */
  okExitCodes?: number[];
  /** Stream stdout to the logger (default true; off for JSON documents). */
  logStdout?: boolean;
}

/** Subcommands that accept -input=false (the others reject it). */
const INPUT_FLAG_COMMANDS = new Set([
  'init',
  'plan',
  'apply',
  'destroy',
  'import',
  'refresh',
]);
/** Subcommands that accept -no-color. */
const NO_COLOR_COMMANDS = new Set([
  'init',
  'validate',
  'plan',
  'apply',
  'destroy',
  'output',
  'show',
  'test',
  'refresh',
  'import',
  'providers',
  'state',
]);

/** Adds -input=false / -no-color where terraform accepts them and they are missing. @public */
export function withAutomationFlags(args: string[]): string[] {
  const [command, ...rest] = args;
  if (!command) return args;
  const extra: string[] = [];
  if (
    INPUT_FLAG_COMMANDS.has(command) &&
    !rest.some(a => a.startsWith('-input'))
  ) {
    extra.push('-input=false');
  }
  if (NO_COLOR_COMMANDS.has(command) && !rest.includes('-no-color')) {
    extra.push('-no-color');
  }
  return [command, ...extra, ...rest];
}

/** What terraform itself gets in its environment on every run, whatever config says. @public */
export const TERRAFORM_RUNNER_ENV: Record<string, string> = {
  TF_IN_AUTOMATION: '1',
  TF_INPUT: '0',
  // No call home to HashiCorp's checkpoint service from the backend.
  CHECKPOINT_DISABLE: '1',
};

/**
 * Runs terraform through the one process runner: no shell, non-interactive, output streamed line
 * by line and redacted; a cancellation sends SIGINT first so terraform stops its providers and
 * releases the state lock, then SIGKILL after the grace period.
 *
 * @public
 */
export function runTerraform(
  options: RunTerraformOptions,
): Promise<TerraformRunResult> {
  const args = withAutomationFlags(options.args);
  return runProcess({
    command: options.terraformPath ?? 'terraform',
    args,
    cwd: options.dir,
    env: { ...options.env, ...TERRAFORM_RUNNER_ENV },
    signal: options.signal,
    timeoutMs: options.timeoutMs ?? 60 * 60_000,
    stopSignal: 'SIGINT',
    killAfterMs: options.killAfterMs ?? 60_000,
    logger: options.logger,
    logStdout: options.logStdout,
    redactor: options.redactor,
    okExitCodes: options.okExitCodes,
    label: `terraform ${args[0] ?? ''}`.trim(),
  });
}

/** Where the state of a stack lives. @public */
export type TerraformStateLocation =
  | { backend: 'gcs'; bucket: string; prefix: string }
  /** Development and tests: a local state file (absolute path). */
  | { backend: 'local'; path: string };

/** @public */
export interface TerraformStackOptions extends TerraformToolOptions {
  /** The module's private working copy. */
  dir: string;
  /** Omitted: `-backend=false` (offline checks only). */
  state?: TerraformStateLocation;
}

const tool = (options: TerraformStackOptions): TerraformToolOptions => ({
  terraformPath: options.terraformPath,
  env: options.env,
  signal: options.signal,
  logger: options.logger,
  redactor: options.redactor,
  timeoutMs: options.timeoutMs,
  killAfterMs: options.killAfterMs,
});

/** Terraform override file selecting local state in a run's private copy of the module. */
export const LOCAL_BACKEND_OVERRIDE_FILE = 'backend_override.tf';
const LOCAL_BACKEND_OVERRIDE = `# Written by gpu-cluster for local state (development and tests only).
terraform {
  backend "local" {}
}
`;

/**
 * `terraform init` against the GCS backend (bucket/prefix as -backend-config), against a local
 * state file (an override file in the private copy selects the local backend, since the module
 * declares `backend "gcs" {}`), or without a backend.
 *
 * @public
 */
export async function terraformInit(
  options: TerraformStackOptions,
): Promise<TerraformRunResult> {
  let backendArgs: string[];
  if (options.state?.backend === 'gcs') {
    backendArgs = [
      `-backend-config=bucket=${options.state.bucket}`,
      `-backend-config=prefix=${options.state.prefix}`,
    ];
  } else if (options.state?.backend === 'local') {
    await fs.mkdir(path.dirname(options.state.path), {
      recursive: true,
      mode: 0o700,
    });
    await fs.writeFile(
      path.join(options.dir, LOCAL_BACKEND_OVERRIDE_FILE),
      LOCAL_BACKEND_OVERRIDE,
      { mode: 0o600 },
    );
    backendArgs = [`-backend-config=path=${options.state.path}`];
  } else {
    backendArgs = ['-backend=false'];
  }
  return runTerraform({
    ...tool(options),
    dir: options.dir,
    args: ['init', ...backendArgs],
  });
}

/** What a saved plan will do, in a form fit for a task log. @public */
export interface PlanSummary {
  create: number;
  update: number;
  replace: number;
  delete: number;
  /** `create google_container_cluster.this`, … (no values: they can be sensitive). */
  changes: string[];
}

/** Summarises `terraform show -json` of a plan: addresses and actions, never values. @public */
export function summarizePlan(plan: any): PlanSummary {
  const summary: PlanSummary = {
    create: 0,
    update: 0,
    replace: 0,
    delete: 0,
    changes: [],
  };
  for (const change of plan?.resource_changes ?? []) {
    const actions: string[] = change?.change?.actions ?? [];
    let action: keyof Omit<PlanSummary, 'changes'> | undefined;
    if (actions.includes('create') && actions.includes('delete'))
      action = 'replace';
    else if (actions.includes('create')) action = 'create';
    else if (actions.includes('update')) action = 'update';
    else if (actions.includes('delete')) action = 'delete';
    if (!action) continue;
    summary[action] += 1;
    summary.changes.push(`${action} ${change.address}`);
  }
  return summary;
}

/**
 * init + plan into a plan file; resolves with whether the plan has changes and its summary.
 *
 * @public
 */
export async function terraformPlan(
  options: TerraformStackOptions & {
    planFile?: string;
    destroy?: boolean;
    skipInit?: boolean;
  },
): Promise<{
  planFile: string;
  hasChanges: boolean;
  summary: PlanSummary;
  output: string;
}> {
  const planFile = options.planFile ?? 'tfplan';
  if (!options.skipInit) await terraformInit(options);
  const result = await runTerraform({
    ...tool(options),
    dir: options.dir,
    args: [
      'plan',
      '-detailed-exitcode',
      `-out=${planFile}`,
      ...(options.destroy ? ['-destroy'] : []),
    ],
    okExitCodes: [0, 2],
  });
  const show = await runTerraform({
    ...tool(options),
    dir: options.dir,
    args: ['show', '-json', planFile],
    logStdout: false,
  });
  return {
    planFile,
    hasChanges: result.exitCode === 2,
    summary: summarizePlan(JSON.parse(show.stdout)),
    output: result.stdout,
  };
}

/** `terraform output -json`. @public */
export async function terraformOutputs(
  options: TerraformStackOptions,
): Promise<Record<string, { value: unknown; sensitive?: boolean }>> {
  const outputs = await runTerraform({
    ...tool(options),
    dir: options.dir,
    args: ['output', '-json'],
    logStdout: false,
  });
  return JSON.parse(outputs.stdout);
}

/**
 * Applies a saved plan file (from {@link terraformPlan}) and returns `terraform output -json`.
 *
 * @public
 */
export async function terraformApply(
  options: TerraformStackOptions & { planFile?: string },
): Promise<{
  outputs: Record<string, { value: unknown; sensitive?: boolean }>;
  output: string;
}> {
  const result = await runTerraform({
    ...tool(options),
    dir: options.dir,
    args: ['apply', '-auto-approve', options.planFile ?? 'tfplan'],
  });
  return { outputs: await terraformOutputs(options), output: result.stdout };
}

/**
 * init + `terraform destroy -auto-approve`.
 *
 * @public
 */
export async function terraformDestroy(
  options: TerraformStackOptions & { skipInit?: boolean },
): Promise<TerraformRunResult> {
  if (!options.skipInit) await terraformInit(options);
  return runTerraform({
    ...tool(options),
    dir: options.dir,
    args: ['destroy', '-auto-approve'],
  });
}
