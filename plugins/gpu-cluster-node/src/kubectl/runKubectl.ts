import { execFile } from 'node:child_process';

/** @public */
export interface KubectlOptions {
  /** Kubeconfig file; kubectl's own default (KUBECONFIG, ~/.kube/config) when omitted. */
  kubeconfig?: string;
  context?: string;
  /** kubectl binary (default `kubectl` on PATH). */
  kubectlPath?: string;
  env?: NodeJS.ProcessEnv;
  /** Kills kubectl after this long (default 5 minutes). */
  timeoutMs?: number;
  logger?: { info(message: string): void };
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

/** Runs kubectl with an argument array (never through a shell). @public */
export function runKubectl(
  args: string[],
  options: KubectlOptions = {},
): Promise<{ stdout: string; stderr: string }> {
  const fullArgs = [
    ...(options.kubeconfig ? ['--kubeconfig', options.kubeconfig] : []),
    ...(options.context ? ['--context', options.context] : []),
    ...args,
  ];
  const binary = options.kubectlPath ?? 'kubectl';
  options.logger?.info(`kubectl ${fullArgs.join(' ')}`);
  return new Promise((resolve, reject) => {
    execFile(
      binary,
      fullArgs,
      {
        env: options.env ?? process.env,
        timeout: options.timeoutMs ?? 5 * 60_000,
        maxBuffer: 64 * 1024 * 1024,
        encoding: 'utf8',
      },
      (error, stdout, stderr) => {
        if (!error) {
          resolve({ stdout, stderr });
          return;
        }
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'ENOENT') {
          reject(
            new KubectlError(
              fullArgs,
              null,
              '',
              `${binary} not found: install kubectl or pass its path`,
            ),
          );
          return;
        }
        const exitCode = typeof code === 'number' ? code : null;
        reject(
          new KubectlError(
            fullArgs,
            exitCode,
            stderr,
            error.killed ? 'timed out' : error.message,
          ),
        );
      },
    );
  });
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
