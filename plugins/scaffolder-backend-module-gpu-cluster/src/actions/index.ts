export { createSpecValidateAction } from './validate';
export { createStackRenderAction } from './render';
export { createTerraformApplyAction } from './terraformApply';
export { createKubectlApplyAction } from './kubectlApply';
export { createCatalogRegisterAction } from './catalogRegister';
export { createDestroyAction } from './destroy';
export { createPreflightAction } from './preflight';
export { createVerifyAction } from './verify';
