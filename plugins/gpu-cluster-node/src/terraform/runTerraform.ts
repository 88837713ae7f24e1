import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';

/**
 * The logger shape the runner needs (a Backstage LoggerService fits).
 *
 * @public
 */
export interface TerraformLogger {
  info(message: string, meta?: Record<string, unknown>): void;
  warn(message: string, meta?: Record<string, unknown>): void;
}

/** @public */
export interface RunTerraformOptions {
  /** Working directory holding the root module. */
  dir: string;
  /** Arguments after `terraform`, e.g. ['plan', '-out=tfplan']. */
  args: string[];
  /** Environment of the terraform process (credentials, TF_CLI_CONFIG_FILE ...). */
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  logger?: TerraformLogger;
  /** The terraform binary (default: `terraform` on PATH). */
  terraformPath?: string;
  /** Kills terraform after this long (default 60 minutes: GKE clusters take a while). */
  timeoutMs?: number;
  /** Exit codes that count as success (plan -detailed-exitcode returns 2 for changes). */
  okExitCodes?: number[];
  /** Values that must never appear in logs or errors (tokens, keys); replaced by ***. */
  secrets?: string[];
}

/** @public */
export interface TerraformRunResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/**
 * terraform exited with an unexpected code; the message carries the diagnostics (redacted).
 *
 * @public
 */
export class TerraformError extends Error {
  constructor(
    message: string,
    readonly exitCode: number | null,
    readonly stdout: string,
    readonly stderr: string,
  ) {
    super(message);
    this.name = 'TerraformError';
  }
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

const ENV_SECRET_PATTERN =
  /TOKEN|SECRET|PASSWORD|CREDENTIAL|PRIVATE_KEY|ACCESS_KEY/i;

function redactor(secrets: string[], env: NodeJS.ProcessEnv | undefined) {
  const values = [
    ...secrets,
    ...Object.entries(env ?? {})
      .filter(
        ([key, value]) =>
          ENV_SECRET_PATTERN.test(key) && value && value.length >= 6,
      )
      .map(([, value]) => value as string),
  ].filter(value => value.length > 0);
  return (text: string) =>
    values.reduce((result, secret) => result.split(secret).join('***'), text);
}

/** Adds -input=false / -no-color where terraform accepts them and they are missing. */
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

/**
 * Runs terraform without a shell (argument array), non-interactively, capturing its output.
 * Resolves on an accepted exit code, rejects with a {@link TerraformError} otherwise.
 *
 * @public
 */
export function runTerraform(
  options: RunTerraformOptions,
): Promise<TerraformRunResult> {
  const args = withAutomationFlags(options.args);
  const redact = redactor(options.secrets ?? [], options.env);
  const okExitCodes = options.okExitCodes ?? [0];
  const label = `terraform ${args[0] ?? ''}`.trim();
  const env = { ...(options.env ?? process.env), TF_IN_AUTOMATION: '1' };

  return new Promise((resolve, reject) => {
    if (options.signal?.aborted) {
      reject(
        new TerraformError(
          `${label} was cancelled before it started`,
          null,
          '',
          '',
        ),
      );
      return;
    }
    options.logger?.info(`Running ${label}`, {
      dir: options.dir,
      args: redact(args.join(' ')),
    });
    const child = spawn(options.terraformPath ?? 'terraform', args, {
      cwd: options.dir,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', chunk => stdout.push(chunk));
    child.stderr.on('data', chunk => stderr.push(chunk));

    let stopReason: string | undefined;
    const stop = (reason: string) => {
      stopReason = reason;
      // SIGINT lets terraform release the state lock; SIGKILL follows if it does not exit.
      child.kill('SIGINT');
      setTimeout(() => child.kill('SIGKILL'), 15_000).unref();
    };
    const timer = setTimeout(
      () => stop(`timed out after ${options.timeoutMs ?? 3_600_000} ms`),
      options.timeoutMs ?? 3_600_000,
    );
    const onAbort = () => stop('was cancelled');
    options.signal?.addEventListener('abort', onAbort, { once: true });

    const finish = () => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
    };

    child.on('error', error => {
      finish();
      reject(
        new TerraformError(
          `${label} could not start: ${error.message}`,
          null,
          '',
          '',
        ),
      );
    });
    child.on('close', code => {
      finish();
      const result = {
        exitCode: code ?? -1,
        stdout: redact(Buffer.concat(stdout).toString('utf8')),
        stderr: redact(Buffer.concat(stderr).toString('utf8')),
      };
      if (stopReason) {
        reject(
          new TerraformError(
            `${label} ${stopReason}`,
            code,
            result.stdout,
            result.stderr,
          ),
        );
        return;
      }
      if (code !== null && okExitCodes.includes(code)) {
        options.logger?.info(`${label} finished`, { exitCode: code });
        resolve(result);
        return;
      }
      const diagnostics =
        result.stderr.trim() ||
        result.stdout.trim().split('\n').slice(-20).join('\n');
      options.logger?.warn(`${label} failed`, { exitCode: code });
      reject(
        new TerraformError(
          `${label} failed with exit code ${code}:\n${diagnostics}`,
          code,
          result.stdout,
          result.stderr,
        ),
      );
    });
  });
}

/** @public */
export interface TerraformStackOptions {
  dir: string;
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  logger?: TerraformLogger;
  terraformPath?: string;
  secrets?: string[];
  /** GCS backend location; omitted means `-backend=false` (offline checks, local overrides). */
  backend?: { bucket: string; prefix: string };
  /** Extra `-var-file` arguments (terraform.tfvars.json in `dir` is always read). */
  varFiles?: string[];
}

function common(options: TerraformStackOptions) {
  const { dir, env, signal, logger, terraformPath, secrets } = options;
  return { dir, env, signal, logger, terraformPath, secrets };
}

/** Terraform override file selecting local state; only ever removed when it carries this marker. */
export const LOCAL_BACKEND_OVERRIDE_FILE = 'backend_override.tf';
const LOCAL_BACKEND_MARKER = '# Written by gpu-cluster --no-backend';
const LOCAL_BACKEND_OVERRIDE = `${LOCAL_BACKEND_MARKER}: state stays in this directory (terraform.tfstate).
# Removed again by the next run that uses the GCS backend.
terraform {
  backend "local" {}
}
`;

/**
 * Points the module at local state (`useLocalBackend`) through Terraform's override-file
 * mechanism, since the module declares `backend "gcs" {}`; removes that override (only ours)
 * when the GCS backend is used again.
 */
async function selectBackend(options: {
  dir: string;
  useLocalBackend?: boolean;
}): Promise<void> {
  const file = path.join(options.dir, LOCAL_BACKEND_OVERRIDE_FILE);
  const existing = await fs.readFile(file, 'utf8').catch(() => undefined);
  if (options.useLocalBackend) {
    if (existing === undefined)
      await fs.writeFile(file, LOCAL_BACKEND_OVERRIDE);
  } else if (existing?.startsWith(LOCAL_BACKEND_MARKER)) {
    await fs.rm(file);
  }
}

/**
 * `terraform init` against the GCS backend (bucket/prefix as -backend-config), against local
 * state (`useLocalBackend`: writes {@link LOCAL_BACKEND_OVERRIDE_FILE}), or without a backend.
 *
 * @public
 */
export async function terraformInit(
  options: TerraformStackOptions & { useLocalBackend?: boolean },
): Promise<TerraformRunResult> {
  let backendArgs: string[];
  if (options.backend) {
    await selectBackend({ dir: options.dir, useLocalBackend: false });
    backendArgs = [
      `-backend-config=bucket=${options.backend.bucket}`,
      `-backend-config=prefix=${options.backend.prefix}`,
    ];
  } else if (options.useLocalBackend) {
    await selectBackend({ dir: options.dir, useLocalBackend: true });
    backendArgs = [];
  } else {
    backendArgs = ['-backend=false'];
  }
  return runTerraform({ ...common(options), args: ['init', ...backendArgs] });
}

function varFileArgs(options: TerraformStackOptions) {
  return (options.varFiles ?? []).map(file => `-var-file=${file}`);
}

/**
 * init + plan into a plan file; resolves with whether the plan has changes and the plan JSON
 * (`terraform show -json`).
 *
 * @public
 */
export async function terraformPlan(
  options: TerraformStackOptions & {
    planFile?: string;
    destroy?: boolean;
    skipInit?: boolean;
    useLocalBackend?: boolean;
  },
): Promise<{
  planFile: string;
  hasChanges: boolean;
  plan: any;
  output: string;
}> {
  const planFile = options.planFile ?? 'tfplan';
  if (!options.skipInit) await terraformInit(options);
  const result = await runTerraform({
    ...common(options),
    args: [
      'plan',
      '-detailed-exitcode',
      `-out=${planFile}`,
      ...(options.destroy ? ['-destroy'] : []),
      ...varFileArgs(options),
    ],
    okExitCodes: [0, 2],
  });
  const show = await runTerraform({
    ...common(options),
    args: ['show', '-json', planFile],
  });
  return {
    planFile,
    hasChanges: result.exitCode === 2,
    plan: JSON.parse(show.stdout),
    output: result.stdout,
  };
}

/**
 * Applies a saved plan file (from {@link terraformPlan}) and returns `terraform output -json`.
 *
 * @public
 */
export async function terraformApply(
  options: TerraformStackOptions & { planFile?: string },
): Promise<{
  outputs: Record<string, { value: unknown; sensitive: boolean }>;
  output: string;
}> {
  const result = await runTerraform({
    ...common(options),
    args: ['apply', '-auto-approve', options.planFile ?? 'tfplan'],
  });
  const outputs = await runTerraform({
    ...common(options),
    args: ['output', '-json'],
  });
  return { outputs: JSON.parse(outputs.stdout), output: result.stdout };
}

/**
 * init + `terraform destroy -auto-approve`.
 *
 * @public
 */
export async function terraformDestroy(
  options: TerraformStackOptions & {
    skipInit?: boolean;
    useLocalBackend?: boolean;
  },
): Promise<TerraformRunResult> {
  if (!options.skipInit) await terraformInit(options);
  return runTerraform({
    ...common(options),
    args: ['destroy', '-auto-approve', ...varFileArgs(options)],
  });
}
