export { renderTfvars, terraformBackendConfig } from './renderTfvars';
export {
  runTerraform,
  terraformInit,
  terraformPlan,
  terraformApply,
  terraformDestroy,
  withAutomationFlags,
  TerraformError,
} from './runTerraform';
export type {
  RunTerraformOptions,
  TerraformRunResult,
  TerraformLogger,
  TerraformStackOptions,
} from './runTerraform';
export { terraformOutputs, type TerraformOutputs } from './outputs';
