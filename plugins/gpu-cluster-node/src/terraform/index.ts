export {
  renderTfvars,
  terraformBackendConfig,
  type RenderTfvarsOptions,
} from './renderTfvars';
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
export {
  createStorageClient,
  ensureStateBucket,
  storageEmulatorEndpoint,
  STATE_BUCKET_LABELS,
  type EnsureStateBucketOptions,
  type StateBucketResult,
} from './stateBucket';
