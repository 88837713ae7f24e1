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
  terraformOutputs,
  terraformDestroy,
  summarizePlan,
  withAutomationFlags,
  TerraformError,
  TERRAFORM_RUNNER_ENV,
  LOCAL_BACKEND_OVERRIDE_FILE,
} from './runTerraform';
export type {
  PlanSummary,
  RunTerraformOptions,
  TerraformLogger,
  TerraformRunResult,
  TerraformStackOptions,
  TerraformStateLocation,
  TerraformToolOptions,
} from './runTerraform';
export { type TerraformOutputs } from './outputs';
export {
  createStorageClient,
  ensureStateBucket,
  storageEmulatorEndpoint,
  STATE_BUCKET_LABELS,
  type EnsureStateBucketOptions,
  type StateBucketResult,
} from './stateBucket';
export {
  loadVerifiedModule,
  moduleDigest,
  readModuleFiles,
  fileDigests,
  shippedModuleDirectory,
  writeModule,
  ModuleIntegrityError,
  type VerifiedModule,
} from './shippedModule';
export {
  withTerraformRun,
  type TerraformRunOptions,
  type TerraformSettings,
} from './terraformRun';
