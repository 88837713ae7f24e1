export {
  runPreflight,
  quotaConsoleUrl,
  type PreflightCheck,
  type PreflightOptions,
  type PreflightReport,
  type PreflightStatus,
} from './preflight';
export {
  createPreflightClients,
  type GoogleApisEndpoint,
  type PreflightAuthClient,
  type PreflightClients,
} from './clients';
export {
  STACK_SERVICES,
  requiredPermissions,
  type RequiredPermission,
} from './requirements';
export { formatPreflightTable, preflightFailureMessage } from './format';
