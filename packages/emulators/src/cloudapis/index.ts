export { startCloudApisEmulator } from './server';
export type { CloudApisEmulator, CloudApisEmulatorOptions } from './server';
export {
  CloudProjectStore,
  DEFAULT_ENABLED_SERVICES,
  PREPARED_SERVICES,
  KNOWN_SERVICES,
  SHORT_QUOTA_PROJECT,
  demoCloudProjects,
} from './projects';
export type {
  EmulatedProject,
  EmulatedProjectInput,
  EmulatedQuota,
} from './projects';
export {
  EMULATED_REGIONS,
  EMULATED_ZONES,
  GPU_QUOTA_METRICS,
  machineTypesInZone,
} from './catalog';
export type { MachineTypeShape } from './catalog';
