import { runTerraform, type TerraformStackOptions } from './runTerraform';

/** `terraform output -json` of an initialised module: name → { value, sensitive }. @public */
export type TerraformOutputs = Record<
  string,
  { value?: unknown; sensitive?: boolean } | undefined
>;

/** Reads the module's outputs (after init; an empty state has none). @public */
export async function terraformOutputs(
  options: TerraformStackOptions,
): Promise<TerraformOutputs> {
  const { dir, env, signal, logger, terraformPath, secrets } = options;
  const result = await runTerraform({
    dir,
    env,
    signal,
    logger,
    terraformPath,
    secrets,
    args: ['output', '-json'],
  });
  return JSON.parse(result.stdout || '{}');
}
