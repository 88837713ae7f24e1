export { startGkeEmulator, faultToServiceError } from './server';
export type {
  GkeEmulator,
  GkeEmulatorOptions,
  ControlPlaneProvider,
} from './server';
export {
  createEmulatorClusterManagerClient,
  emulatorClientOptions,
  emulatorChannelCredentials,
} from './client';
export type {
  ClusterManagerClientOptions,
  GkeEmulatorEndpoint,
} from './client';
export { ClusterStore } from './ClusterStore';
export type { ClusterStoreOptions } from './ClusterStore';
export { loadClusterManagerService, locateProtoDirs } from './protos';
export { GkeApiError, DEFAULT_GKE_VERSION } from './resources';
export {
  CHANNEL_VERSIONS,
  VALID_VERSIONS,
  compareVersions,
  resolveVersion,
} from './versions';
export { FIXED_GPU_MACHINES, N1_ATTACHABLE_GPUS } from './machineTypes';
export type { Cluster, NodePool, Operation } from './resources';
export * from './demo';
export { denyGoogleCredentialDiscovery } from './testing';
