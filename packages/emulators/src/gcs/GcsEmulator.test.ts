import { Storage } from '@google-cloud/storage';
import { startGcsEmulator, type GcsEmulator } from '.';

/** The official Node client against the emulator (apiEndpoint, no credentials). */
function client(gcs: GcsEmulator, projectId = 'state-project-1') {
  return new Storage({
    apiEndpoint: gcs.url,
    projectId,
    retryOptions: { autoRetry: false },
  });
}

async function rawJson(gcs: GcsEmulator, path: string, init?: RequestInit) {
  const response = await fetch(`${gcs.url}${path}`, init);
  return { status: response.status, body: await response.json() };
}

describe('Cloud Storage JSON API emulator', () => {
  let gcs: GcsEmulator;
  beforeEach(async () => {
    gcs = await startGcsEmulator();
  });
  afterEach(async () => {
    await gcs.stop();
  });

  it('creates a bucket with versioning, uniform access and labels, and reads it back', async () => {
    const storage = client(gcs);
    await storage.createBucket('aiinfra-terraform-state-project-1', {
      location: 'US-CENTRAL1',
      versioning: { enabled: true },
      iamConfiguration: {
        uniformBucketLevelAccess: { enabled: true },
        publicAccessPrevention: 'enforced',
      },
      labels: { 'managed-by': 'gpu-platform' },
    });
    const [metadata] = await storage
      .bucket('aiinfra-terraform-state-project-1')
      .getMetadata();
    expect(metadata).toMatchObject({
      name: 'aiinfra-terraform-state-project-1',
      location: 'US-CENTRAL1',
      versioning: { enabled: true },
      iamConfiguration: {
        uniformBucketLevelAccess: { enabled: true },
        publicAccessPrevention: 'enforced',
      },
      labels: { 'managed-by': 'gpu-platform' },
    });
    const [buckets] = await storage.getBuckets();
    expect(buckets.map(b => b.name)).toEqual([
      'aiinfra-terraform-state-project-1',
    ]);
  });

  it('answers a missing bucket with 404 notFound in the JSON API error shape', async () => {
    expect(await client(gcs).bucket('absent-bucket').exists()).toEqual([false]);
    expect(await rawJson(gcs, '/storage/v1/b/absent-bucket')).toEqual({
      status: 404,
      body: {
        error: {
          code: 404,
          message: 'The specified bucket does not exist.',
          errors: [
            {
              message: 'The specified bucket does not exist.',
              domain: 'global',
              reason: 'notFound',
            },
          ],
        },
      },
    });
  });

  it.each([
    'ab',
    'Upper-case',
    'goog-state',
    'my-google-state',
    'my-g00gle-state',
    '192.168.1.1',
    '-leading-dash',
    `x${'a'.repeat(63)}`,
  ])('refuses the bucket name %j with 400 invalid', async name => {
    await expect(client(gcs).createBucket(name)).rejects.toMatchObject({
      code: 400,
      message: `Invalid bucket name: '${name}'`,
    });
  });

  it('answers 409 conflict for a taken name, worded by who owns it', async () => {
    await client(gcs).createBucket('shared-name');
    await expect(client(gcs).createBucket('shared-name')).rejects.toMatchObject(
      {
        code: 409,
        message:
          'Your previous request to create the named bucket succeeded and you already own it.',
      },
    );
    await expect(
      client(gcs, 'other-project-2').createBucket('shared-name'),
    ).rejects.toMatchObject({
      code: 409,
      message: expect.stringContaining(
        'The requested bucket name is not available.',
      ),
    });
    const raw = await rawJson(gcs, '/storage/v1/b?project=other-project-2', {
      method: 'POST',
      body: JSON.stringify({ name: 'shared-name' }),
    });
    expect(raw.body.error.errors[0].reason).toBe('conflict');
  });

  it('requires ?project= to insert or list buckets', async () => {
    expect(
      await rawJson(gcs, '/storage/v1/b', {
        method: 'POST',
        body: JSON.stringify({ name: 'x-bucket' }),
      }),
    ).toMatchObject({
      status: 400,
      body: { error: { message: 'Required parameter: project' } },
    });
  });

  it('stores, lists, reads and deletes objects; refuses to delete a non-empty bucket', async () => {
    const storage = client(gcs);
    const [bucket] = await storage.createBucket('objects-bucket');
    await bucket.file('a/terraform/state/default.tfstate').save('{"v":1}');
    await bucket.file('b/terraform/state/default.tfstate').save('{"v":2}', {
      resumable: true,
    });
    const [files, , response] = await bucket.getFiles({
      prefix: '',
      delimiter: '/',
      autoPaginate: false,
    });
    expect(files).toEqual([]);
    expect((response as any).prefixes).toEqual(['a/', 'b/']);
    const [contents] = await bucket
      .file('b/terraform/state/default.tfstate')
      .download();
    expect(contents.toString()).toBe('{"v":2}');
    await expect(bucket.delete()).rejects.toMatchObject({
      code: 409,
      message: 'The bucket you tried to delete is not empty.',
    });
    await bucket.deleteFiles();
    await bucket.delete();
    expect(await bucket.exists()).toEqual([false]);
  });

  it('keeps noncurrent generations in a versioned bucket', async () => {
    const storage = client(gcs);
    const [bucket] = await storage.createBucket('versioned-bucket', {
      versioning: { enabled: true },
    });
    const file = bucket.file('state');
    await file.save('one');
    await file.save('two');
    const [all] = await bucket.getFiles({ versions: true });
    expect(all).toHaveLength(2);
    const [live] = await bucket.getFiles();
    expect(live).toHaveLength(1);
    const [text] = await file.download();
    expect(text.toString()).toBe('two');
  });

  it('honours ifGenerationMatch=0 (create only if absent) with 412', async () => {
    const [bucket] = await client(gcs).createBucket('lock-bucket');
    await bucket
      .file('default.tflock')
      .save('lock', { preconditionOpts: { ifGenerationMatch: 0 } });
    await expect(
      bucket
        .file('default.tflock')
        .save('lock', { preconditionOpts: { ifGenerationMatch: 0 } }),
    ).rejects.toMatchObject({
      code: 412,
      message: 'At least one of the pre-conditions you specified did not hold.',
    });
  });

  it('requires the bearer token when it has one', async () => {
    const secured = await startGcsEmulator({ token: 'emulator-token' });
    try {
      const denied = await rawJson(secured, '/storage/v1/b/any-bucket');
      expect(denied.status).toBe(401);
      expect(denied.body.error.errors[0].reason).toBe('required');
      const allowed = await fetch(`${secured.url}/storage/v1/b/any-bucket`, {
        headers: { authorization: 'Bearer emulator-token' },
      });
      expect(allowed.status).toBe(404);
    } finally {
      await secured.stop();
    }
  });
});
