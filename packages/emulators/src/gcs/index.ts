export { startGcsEmulator } from './server';
export type { GcsEmulator, GcsEmulatorOptions } from './server';
export { GcsStore, GcsApiError, bucketNameProblem } from './store';
export type { StoredBucket, StoredObject } from './store';
