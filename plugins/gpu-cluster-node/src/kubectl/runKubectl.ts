import os from 'node:os';
import { defaultToolPath } from '../process/environment';
import type { Redactor } from '../process/redact';
import {
  ProcessError,
  runProcess,
  type ProcessLogger,
} from '../process/runProcess';

/** @public */
export interface KubectlOptions {
  /** Kubeconfig file; kubectl's own default (KUBECONFIG, ~/.kube/config) when omitted. */
  kubeconfig?: string;
  context?: string;
  /** kubectl binary (default `kubectl` on PATH). */
  kubectlPath?: string;
  /**
   * The complete environment (`toolEnvironment` with `gpuCluster.kubectl.env`); without it only
   * PATH and LANG. Never the backend's own environment.
   */
  env?: Record<string, string>;
  /** Kills kubectl after this long (default 5 minutes). */
  timeoutMs?: number;
  /** Cancels the run (SIGTERM, then SIGKILL after `killAfterMs`). */
  signal?: AbortSignal;
  killAfterMs?: number;
  /** Receives kubectl's output line by line as it arrives (redacted). */
  logger?: Partial<ProcessLogger> & Pick<ProcessLogger, 'info'>;
  /** Redacts tokens (in every encoding) and private paths. */
  redactor?: Redactor;
}

/** A kubectl invocation that failed; carries the command line (without secrets) and stderr. @public */
export class KubectlError extends Error {
  readonly exitCode: number | null;
  readonly stderr: string;
  readonly args: string[];
  constructor(
    args: string[],
    exitCode: number | null,
    stderr: string,
    cause?: string,
  ) {
    const detail = stderr.trim() || cause || 'no output';
    super(
      `kubectl ${args.join(' ')} failed${
        exitCode === null ? '' : ` (exit ${exitCode})`
      }: ${detail}`,
    );
    this.name = 'KubectlError';
    this.exitCode = exitCode;
    this.stderr = stderr;
    this.args = args;
  }
}

/**
 * Runs kubectl through the one process runner: an argument array (never a shell), an explicit
 * environment, output streamed to the logger line by line and redacted. @public
 */
export async function runKubectl(
  args: string[],
  options: KubectlOptions = {},
): Promise<{ stdout: string; stderr: string }> {
  const fullArgs = [
    ...(options.kubeconfig ? ['--kubeconfig', options.kubeconfig] : []),
    ...(options.context ? ['--context', options.context] : []),
    ...args,
  ];
  const shown = options.redactor
    ? fullArgs.map(arg => options.redactor!.redact(arg))
    : fullArgs;
  const logger = options.logger && {
    info: (message: string) => options.logger!.info(message),
    warn: (message: string) =>
      (options.logger!.warn ?? options.logger!.info)(message),
  };
  try {
    const result = await runProcess({
      command: options.kubectlPath ?? 'kubectl',
      args: fullArgs,
      cwd: os.tmpdir(),
      env: options.env ?? { PATH: defaultToolPath(), LANG: 'C.UTF-8' },
      signal: options.signal,
      timeoutMs: options.timeoutMs ?? 5 * 60_000,
      killAfterMs: options.killAfterMs ?? 10_000,
      logger,
      redactor: options.redactor,
      label: `kubectl ${shown.join(' ')}`,
    });
    return { stdout: result.stdout, stderr: result.stderr };
  } catch (error) {
    if (!(error instanceof ProcessError)) throw error;
    const cause =
      error.failure === 'not-started'
        ? error.message.replace(/^.* could not start: /, '')
        : error.failure;
    throw new KubectlError(shown, error.exitCode, error.stderr, cause);
  }
}

/** `kubectl apply --server-side` of files or URLs, with the stack's field manager. @public */
export function kubectlApplyServerSide(
  sources: string[],
  options: KubectlOptions & {
    fieldManager?: string;
    forceConflicts?: boolean;
  } = {},
) {
  return runKubectl(
    [
      'apply',
      '--server-side',
      `--field-manager=${options.fieldManager ?? 'gpu-platform'}`,
      ...(options.forceConflicts ? ['--force-conflicts'] : []),
      ...sources.flatMap(s => ['-f', s]),
    ],
    options,
  );
}

/**
 * Creates the objects of files unless they exist already, and then leaves them untouched (objects
 * their controllers own once created, such as a Kueue-admitted Job). Returns what it created.
 * @public
 */
export async function kubectlCreateIfAbsent(
  sources: string[],
  options: KubectlOptions & { fieldManager?: string } = {},
): Promise<string[]> {
  const files = sources.flatMap(s => ['-f', s]);
  // The files are created as a unit: when any of their objects exists, the run already happened.
  const existing = await runKubectl(
    ['get', '--ignore-not-found', '--output=name', ...files],
    options,
  );
  if (existing.stdout.trim()) return [];
  const created = await runKubectl(
    [
      'create',
      `--field-manager=${options.fieldManager ?? 'gpu-platform'}`,
      '--output=name',
      ...files,
    ],
    options,
  );
  return created.stdout.split('\n').filter(Boolean);
}

/** Waits for a Deployment rollout (bounded by `timeoutSeconds`). @public */
export function kubectlRolloutStatus(
  namespace: string,
  deployment: string,
  timeoutSeconds: number,
  options: KubectlOptions = {},
) {
  return runKubectl(
    [
      'rollout',
      'status',
      '--namespace',
      namespace,
      `deployment/${deployment}`,
      `--timeout=${timeoutSeconds}s`,
    ],
    { ...options, timeoutMs: (timeoutSeconds + 30) * 1000 },
  );
}

/** `kubectl delete --ignore-not-found` of files (teardown in reverse order). @public */
export function kubectlDelete(sources: string[], options: KubectlOptions = {}) {
  return runKubectl(
    [
      'delete',
      '--ignore-not-found',
      '--wait=false',
      ...sources.flatMap(s => ['-f', s]),
    ],
    options,
  );
}
