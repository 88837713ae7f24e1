import { execFile } from 'node:child_process';

/**
 * The outcome of one terraform command.
 *
 * @public
 */
export interface TerraformCommandResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs the terraform binary with an argument array (no shell) and collects its output; a
 * non-zero exit code is returned, not thrown, so callers can assert on failures.
 *
 * @public
 */
export function runTerraformCommand(
  args: string[],
  options: {
    cwd: string;
    env: NodeJS.ProcessEnv;
    timeoutMs?: number;
    terraformPath?: string;
  },
): Promise<TerraformCommandResult> {
  return new Promise((resolve, reject) => {
    execFile(
      options.terraformPath ?? 'terraform',
      args,
      {
        cwd: options.cwd,
        env: options.env,
        timeout: options.timeoutMs ?? 120_000,
        maxBuffer: 64 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== 'number') {
          reject(
            new Error(`terraform ${args[0]} could not run: ${error.message}`),
          );
          return;
        }
        resolve({
          exitCode: error ? Number(error.code) : 0,
          stdout: String(stdout),
          stderr: String(stderr),
        });
      },
    );
  });
}
