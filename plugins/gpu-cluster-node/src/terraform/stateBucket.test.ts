import { startGcsEmulator, type GcsEmulator } from '@gpu-platform/emulators';
import {
  createStorageClient,
  ensureStateBucket,
  storageEmulatorEndpoint,
} from './stateBucket';

describe('ensureStateBucket (official Storage client against the GCS emulator)', () => {
  let gcs: GcsEmulator;
  const warnings: string[] = [];
  const logger = { info: () => {}, warn: (m: string) => warnings.push(m) };
  const storage = (projectId = 'fresh-project-1') =>
    createStorageClient({ projectId, apiEndpoint: gcs.url });

  beforeEach(async () => {
    gcs = await startGcsEmulator();
    warnings.length = 0;
  });
  afterEach(async () => {
    await gcs.stop();
  });

  it('creates the absent bucket with versioning, uniform access, public access prevention and labels', async () => {
    const result = await ensureStateBucket({
      projectId: 'fresh-project-1',
      bucket: 'aiinfra-terraform-fresh-project-1',
      location: 'us-central1',
      storage: storage(),
      logger,
    });
    expect(result).toEqual({
      bucket: 'aiinfra-terraform-fresh-project-1',
      created: true,
      versioning: true,
    });
    expect(
      gcs.store.buckets.get('aiinfra-terraform-fresh-project-1'),
    ).toMatchObject({
      projectId: 'fresh-project-1',
      location: 'US-CENTRAL1',
      versioning: true,
      uniformBucketLevelAccess: true,
      publicAccessPrevention: 'enforced',
      labels: { 'managed-by': 'gpu-platform', purpose: 'terraform-state' },
    });
  });

  it('uses an existing bucket as it is, warning when its versioning is off', async () => {
    gcs.store.insertBucket('fresh-project-1', { name: 'team-state' });
    const result = await ensureStateBucket({
      projectId: 'fresh-project-1',
      bucket: 'team-state',
      location: 'us-central1',
      storage: storage(),
      logger,
    });
    expect(result).toEqual({
      bucket: 'team-state',
      created: false,
      versioning: false,
    });
    expect(warnings).toEqual([
      expect.stringContaining('gs://team-state has object versioning off'),
    ]);
    expect(gcs.requests).not.toContain('POST /storage/v1/b');
  });

  it('tolerates two runs of the same project creating it at once', async () => {
    const run = () =>
      ensureStateBucket({
        projectId: 'fresh-project-1',
        bucket: 'aiinfra-terraform-fresh-project-1',
        location: 'us-central1',
        storage: storage(),
      });
    const results = await Promise.all([run(), run()]);
    expect(results.map(r => r.created).sort()).toEqual([false, true]);
    expect(gcs.store.listBuckets('fresh-project-1')).toHaveLength(1);
  });

  it('passes the API refusal of an invalid name on in plain words', async () => {
    await expect(
      ensureStateBucket({
        projectId: 'fresh-project-1',
        bucket: 'goog-state',
        location: 'us-central1',
        storage: storage(),
      }),
    ).rejects.toThrow(
      "Cannot create state bucket gs://goog-state: Invalid bucket name: 'goog-state'",
    );
  });

  it('reads the emulator endpoint Terraform uses from STORAGE_EMULATOR_HOST', () => {
    expect(
      storageEmulatorEndpoint({ STORAGE_EMULATOR_HOST: '127.0.0.1:9023' }),
    ).toBe('http://127.0.0.1:9023');
    expect(
      storageEmulatorEndpoint({ STORAGE_EMULATOR_HOST: 'http://localhost:1/' }),
    ).toBe('http://localhost:1');
    expect(storageEmulatorEndpoint({})).toBeUndefined();
  });
});
