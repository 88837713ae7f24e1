/** `terraform output -json` of an initialised module: name → { value, sensitive }. @public */
export type TerraformOutputs = Record<
  string,
  { value?: unknown; sensitive?: boolean } | undefined
>;
