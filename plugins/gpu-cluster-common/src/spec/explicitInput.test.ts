import {
  parseGpuStackSpec,
  stackLabels,
  trainingBucketMountPath,
  type GpuStackSpecInput,
} from '..';

const minimal: GpuStackSpecInput = {
  identity: {
    projectId: 'gpu-launchpad-playground',
    namePrefix: 'a3u-dws',
    owner: 'group:default/ml-platform',
  },
};

function parsed(input: unknown) {
  const result = parseGpuStackSpec(input);
  if (!result.ok) throw new Error(JSON.stringify(result.issues));
  return result.spec;
}

describe('explicit input wins over defaults', () => {
  it('moves the default training mount aside when a listed mount asks for /data', () => {
    const spec = parsed({
      ...minimal,
      storage: { gcsMounts: [{ bucket: 'my-bucket', mountPath: '/data' }] },
    });
    expect(spec.storage.gcsMounts[0].mountPath).toBe('/data');
    expect(trainingBucketMountPath(spec)).toBe('/training-data');
    expect(trainingBucketMountPath(parsed(minimal))).toBe('/data');
  });

  it('still refuses two mounts the user placed on the same path', () => {
    expect(
      parseGpuStackSpec({
        ...minimal,
        storage: {
          trainingBucket: { mountPath: '/data' },
          gcsMounts: [{ bucket: 'my-bucket', mountPath: '/data' }],
        },
      }),
    ).toMatchObject({
      ok: false,
      issues: [
        {
          path: 'storage.gcsMounts[0].mountPath',
          message:
            'mount path /data is already used by storage.trainingBucket.mountPath',
        },
      ],
    });
    expect(
      parseGpuStackSpec({
        ...minimal,
        storage: {
          gcsMounts: [{ bucket: 'my-bucket', mountPath: '/data' }],
          filestore: [{ mountPath: '/training-data', tier: 'BASIC_SSD' }],
        },
      }),
    ).toMatchObject({
      ok: false,
      issues: [
        {
          path: 'storage.filestore[0].mountPath',
          message: expect.stringContaining(
            'set storage.trainingBucket.mountPath',
          ),
        },
      ],
    });
  });

  it("takes a user's cost-center label as the cost centre", () => {
    const spec = parsed({
      ...minimal,
      identity: {
        ...minimal.identity,
        labels: { team: 'ml-research', 'cost-center': 'cc-4711' },
      },
    });
    expect(stackLabels(spec)).toMatchObject({
      team: 'ml-research',
      'cost-center': 'cc-4711',
    });
    expect(
      parseGpuStackSpec({
        ...minimal,
        identity: {
          ...minimal.identity,
          costCenter: 'cc-1',
          labels: { 'cost-center': 'cc-2' },
        },
      }),
    ).toMatchObject({
      ok: false,
      issues: [{ path: 'identity.labels["cost-center"]' }],
    });
  });
});
