import path from 'node:path';

/**
 * The PATH a tool gets when its configuration names none: the backend's own PATH (it locates
 * binaries, it holds no secret), else the usual system directories.
 */
export const defaultToolPath = () =>
  process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin';

/** @public */
export interface ToolEnvironmentOptions {
  /**
   * The tool's configured variables (`gpuCluster.terraform.env`, `gpuCluster.kubectl.env`):
   * the only way anything from the operator's world reaches the tool.
   */
  configured?: Record<string, string>;
  /** The private directory of this run; HOME and TMPDIR point into it. */
  home: string;
  /** Variables the runner itself sets (TF_IN_AUTOMATION, TF_DATA_DIR …); they win over config. */
  runner?: Record<string, string>;
}

/**
 * The complete environment of a child process, built from an explicit allow-list and never from
 * `process.env`: PATH (configured, else the backend's), HOME and TMPDIR in the run's private
 * directory, LANG, the tool's configured variables, then what the runner sets itself. The
 * backend's database password, tokens and every other variable stay out.
 *
 * @public
 */
export function toolEnvironment(
  options: ToolEnvironmentOptions,
): Record<string, string> {
  return {
    PATH: defaultToolPath(),
    LANG: 'C.UTF-8',
    ...options.configured,
    HOME: options.home,
    TMPDIR: path.join(options.home, 'tmp'),
    ...options.runner,
  };
}
