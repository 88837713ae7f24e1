import { createTerraformSandbox as createSandbox } from './provider/sandbox';

/**
 * A Terraform working environment whose `hashicorp/google` is the schema-serving provider.
 *
 * @public
 */
export interface TerraformSandbox {
  /** The sandbox's own directory (mirror, CLI configuration, caches). */
  dir: string;
  /** Environment for every terraform command: TF_CLI_CONFIG_FILE and the provider's cache. */
  env: NodeJS.ProcessEnv;
  /** The Terraform CLI configuration installing google from the filesystem mirror only. */
  cliConfigPath: string;
  /** The filesystem mirror (unpacked layout) holding the provider launcher. */
  mirrorDir: string;
  /** Removes the sandbox directory. */
  cleanup(): Promise<void>;
}

/**
 * Builds a filesystem mirror with the schema-serving provider as
 * registry.terraform.io/hashicorp/google 6.50.0 and a CLI configuration pointing at it, so that
 * `terraform init/validate/plan/apply/test` run offline with `env`.
 *
 * @public
 */
export async function createTerraformSandbox(
  options: { baseDir?: string } = {},
): Promise<TerraformSandbox> {
  const sandbox = await createSandbox(options);
  return {
    dir: sandbox.dir,
    env: sandbox.env,
    cliConfigPath: sandbox.cliConfigPath,
    mirrorDir: sandbox.mirrorDir,
    cleanup: sandbox.cleanup,
  };
}
