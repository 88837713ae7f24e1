export { startGkeEmulator, faultToServiceError } from './server';
export type { GkeEmulator, GkeEmulatorOptions } from './server';
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
export type { Cluster, NodePool, Operation } from './resources';
export * from './demo';
export { denyGoogleCredentialDiscovery } from './testing';
