import { spawn } from 'node:child_process';
import { Redactor } from './redact';

/**
 * The logger shape the runner streams to (a Backstage LoggerService, the scaffolder step logger,
 * or the CLI's stderr).
 *
 * @public
 */
export interface ProcessLogger {
  info(message: string, meta?: Record<string, unknown>): void;
  warn(message: string, meta?: Record<string, unknown>): void;
}

/** @public */
export interface RunProcessOptions {
  /** The binary (a path or a name looked up on `env.PATH`); never a shell. */
  command: string;
  /** Its arguments, as an array: nothing is ever parsed by a shell. */
  args: string[];
  cwd: string;
  /**
   * The complete environment of the child (see `toolEnvironment`). Required: the runner never
   * falls back to the backend's own `process.env`.
   */
  env: Record<string, string>;
  /** Cancels the run: `stopSignal` first, SIGKILL after `killAfterMs`. */
  signal?: AbortSignal;
  /** Stops the run like a cancellation after this long. */
  timeoutMs: number;
  /**
   * The first signal of a stop (default SIGTERM). terraform gets SIGINT: it then stops its
   * providers and releases the state lock before it exits.
   */
  stopSignal?: NodeJS.Signals;
  /** Grace period between the first signal and SIGKILL (default 30 s). */
  killAfterMs?: number;
  /** Receives every output line as it arrives (redacted); stderr lines as warnings. */
  logger?: ProcessLogger;
  /** Whether stdout lines are streamed to the logger (default true; off for JSON documents). */
  logStdout?: boolean;
  /** Redacts secrets (in every encoding) and private paths in logs, results and errors. */
  redactor?: Redactor;
  /** Exit codes that count as success (default [0]). */
  okExitCodes?: number[];
  /** How the run is named in logs and errors (default the binary's name and first argument). */
  label?: string;
  /** Captured stdout/stderr are cut beyond this many bytes each (default 64 MiB). */
  maxOutputBytes?: number;
}

/** @public */
export interface ProcessResult {
  exitCode: number;
  /** Redacted. */
  stdout: string;
  /** Redacted. */
  stderr: string;
}

/** Why a run failed. @public */
export type ProcessFailure =
  | 'not-started'
  | 'exit-code'
  | 'cancelled'
  | 'timed-out';

/**
 * A child process that did not succeed; its message carries the last lines of its diagnostics,
 * redacted, and never the environment.
 *
 * @public
 */
export class ProcessError extends Error {
  readonly name = 'ProcessError';
  constructor(
    message: string,
    readonly failure: ProcessFailure,
    readonly exitCode: number | null,
    readonly stdout: string,
    readonly stderr: string,
  ) {
    super(message);
  }
}

const DIAGNOSTIC_LINES = 40;

/** Splits a stream into lines and hands each complete line over as it arrives. */
class LineSplitter {
  private pending = '';
  constructor(
    private readonly onLine: (line: string) => void,
    private readonly maxLineLength = 1 << 20,
  ) {}

  push(chunk: string) {
    this.pending += chunk;
    let index = this.pending.indexOf('\n');
    while (index >= 0) {
      this.onLine(this.pending.slice(0, index).replace(/\r$/, ''));
      this.pending = this.pending.slice(index + 1);
      index = this.pending.indexOf('\n');
    }
    if (this.pending.length > this.maxLineLength) {
      this.onLine(this.pending);
      this.pending = '';
    }
  }

  end() {
    if (this.pending) this.onLine(this.pending);
    this.pending = '';
  }
}

/** Collects output up to a limit, marking the cut. */
class Capture {
  private readonly parts: string[] = [];
  private size = 0;
  private truncated = false;
  constructor(private readonly limit: number) {}

  add(line: string) {
    if (this.size + line.length + 1 > this.limit) {
      this.truncated = true;
      return;
    }
    this.parts.push(line);
    this.size += line.length + 1;
  }

  text() {
    return `${this.parts.join('\n')}${
      this.truncated ? '\n[output truncated]' : ''
    }`;
  }

  tail(lines: number) {
    return this.parts.slice(-lines).join('\n');
  }
}

/**
 * The one way the gpu-cluster packages run a tool (terraform, its provider through terraform,
 * kubectl; the scaffolder actions and the CLI alike): an argument array without a shell, an
 * explicit environment, output streamed line by line to the logger as it arrives and redacted
 * (secrets in every encoding, private paths), cancellation through an AbortSignal (the stop signal
 * first, SIGKILL after a grace period), and a timeout.
 *
 * @public
 */
export function runProcess(options: RunProcessOptions): Promise<ProcessResult> {
  const redactor = options.redactor ?? new Redactor();
  const label =
    options.label ??
    [options.command.split(/[\\/]/).pop(), options.args[0]]
      .filter(Boolean)
      .join(' ');
  const okExitCodes = options.okExitCodes ?? [0];
  const limit = options.maxOutputBytes ?? 64 * 1024 * 1024;
  const logger = options.logger;

  return new Promise((resolve, reject) => {
    if (options.signal?.aborted) {
      reject(
        new ProcessError(
          `${label} was cancelled before it started`,
          'cancelled',
          null,
          '',
          '',
        ),
      );
      return;
    }
    logger?.info(`Running ${redactor.redact(label)}`);
    let child;
    try {
      child = spawn(options.command, options.args, {
        cwd: options.cwd,
        env: options.env,
        stdio: ['ignore', 'pipe', 'pipe'],
        shell: false,
        windowsHide: true,
      });
    } catch (error) {
      reject(
        new ProcessError(
          `${label} could not start: ${redactor.redact(
            (error as Error).message,
          )}`,
          'not-started',
          null,
          '',
          '',
        ),
      );
      return;
    }

    const stdout = new Capture(limit);
    const stderr = new Capture(limit);
    const stdoutLines = new LineSplitter(line => {
      const clean = redactor.redact(line);
      stdout.add(clean);
      if (options.logStdout !== false && clean.trim()) logger?.info(clean);
    });
    const stderrLines = new LineSplitter(line => {
      const clean = redactor.redact(line);
      stderr.add(clean);
      if (clean.trim()) logger?.warn(clean);
    });
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => stdoutLines.push(chunk));
    child.stderr.on('data', (chunk: string) => stderrLines.push(chunk));

    let stopped: 'cancelled' | 'timed-out' | undefined;
    let killTimer: NodeJS.Timeout | undefined;
    const stop = (reason: 'cancelled' | 'timed-out') => {
      if (stopped) return;
      stopped = reason;
      logger?.warn(
        `${label} ${
          reason === 'cancelled' ? 'is being cancelled' : 'timed out'
        }: sending ${options.stopSignal ?? 'SIGTERM'}`,
      );
      child.kill(options.stopSignal ?? 'SIGTERM');
      killTimer = setTimeout(
        () => child.kill('SIGKILL'),
        options.killAfterMs ?? 30_000,
      );
      killTimer.unref();
    };
    const timer = setTimeout(() => stop('timed-out'), options.timeoutMs);
    timer.unref();
    const onAbort = () => stop('cancelled');
    options.signal?.addEventListener('abort', onAbort, { once: true });

    let settled = false;
    const finish = () => {
      settled = true;
      clearTimeout(timer);
      if (killTimer) clearTimeout(killTimer);
      options.signal?.removeEventListener('abort', onAbort);
    };

    child.on('error', error => {
      if (settled) return;
      finish();
      const code = (error as NodeJS.ErrnoException).code;
      reject(
        new ProcessError(
          code === 'ENOENT'
            ? `${label} could not start: ${options.command} was not found (install it or configure its path)`
            : `${label} could not start: ${redactor.redact(error.message)}`,
          'not-started',
          null,
          '',
          '',
        ),
      );
    });
    child.on('close', (code, signal) => {
      if (settled) return;
      finish();
      stdoutLines.end();
      stderrLines.end();
      const result = {
        exitCode: code ?? -1,
        stdout: stdout.text(),
        stderr: stderr.text(),
      };
      const diagnostics = () =>
        (
          stderr.tail(DIAGNOSTIC_LINES).trim() ||
          stdout.tail(DIAGNOSTIC_LINES).trim()
        ).slice(-8000);
      if (stopped) {
        reject(
          new ProcessError(
            `${label} ${
              stopped === 'cancelled'
                ? 'was cancelled'
                : `timed out after ${Math.round(options.timeoutMs / 1000)} s`
            }`,
            stopped,
            code,
            result.stdout,
            result.stderr,
          ),
        );
        return;
      }
      if (code !== null && okExitCodes.includes(code)) {
        resolve(result);
        return;
      }
      const detail = diagnostics();
      reject(
        new ProcessError(
          `${label} failed (${
            code === null ? `signal ${signal}` : `exit code ${code}`
          })${detail ? `:\n${detail}` : ''}`,
          'exit-code',
          code,
          result.stdout,
          result.stderr,
        ),
      );
    });
  });
}
