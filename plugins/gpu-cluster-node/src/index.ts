/**
 * Server-side library of the gpu-cluster plugins: renders a stack spec into Terraform variables
 * and Kubernetes manifests, and runs terraform and kubectl. The `gpu-cluster` command and the
 * scaffolder actions are thin shells over these functions.
 *
 * @packageDocumentation
 */
export * from './manifests';
export * from './manifests/variantMatrix';
export * from './terraform';
export * from './kubectl';
export * from './values';
export * from './render';
export * from './destroy';
export * from './preview';
export * from './stackUpdate';
export * from './gke';
export * from './config';
export * from './policy';
export * from './process';
export * from './plan';
export { runCli, type CliIo } from './cli/cli';
export {
  renderStackSpecReference,
  STACK_SPEC_DOC_PATH,
} from './docs/stackSpecDoc';
export * from './preflight';
export * from './verify';
