/**
 * Development and test only: a Terraform provider plugin serving the recorded hashicorp/google
 * 6.50 schema, and a sandbox that lets the real terraform binary use it offline.
 *
 * @packageDocumentation
 */

export { createTerraformSandbox } from './sandbox';
export type { TerraformSandbox } from './sandbox';
export { runTerraformCommand } from './terraformCli';
export type { TerraformCommandResult } from './terraformCli';
