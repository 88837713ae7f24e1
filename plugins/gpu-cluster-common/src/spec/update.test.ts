import { assertGpuStackSpec, immutableStackChanges } from '..';

const stored = assertGpuStackSpec({
  identity: {
    projectId: 'ml-research-1',
    namePrefix: 'research',
    owner: 'group:default/ml',
  },
});
const edit = (patch: (spec: any) => void) => {
  const copy = JSON.parse(JSON.stringify(stored));
  patch(copy);
  return assertGpuStackSpec(copy);
};

describe('immutableStackChanges', () => {
  it('allows pool sizes, added and removed pools, Ray workers and queue quota', () => {
    const next = edit(spec => {
      spec.nodePools[0].minNodes = 0;
      spec.nodePools[0].maxNodes = spec.nodePools[0].maxNodes + 2;
      spec.nodePools.push({ ...spec.nodePools[0], name: 'extra-pool' });
      spec.ray.workerGroups[0].minReplicas = 1;
      spec.kueue.gpuQuota = 40;
    });
    expect(immutableStackChanges(stored, next)).toEqual([]);
    expect(immutableStackChanges(next, stored)).toEqual([]);
  });

  it('names every identifying or force-new field that changed', () => {
    const next = edit(spec => {
      spec.identity.region = 'us-east5';
      spec.identity.zones = ['us-east5-a'];
      spec.cluster.releaseChannel = 'RAPID';
      spec.nodePools[0].machineType = 'a3-highgpu-8g';
    });
    const fields = immutableStackChanges(stored, next).map(c => c.field);
    expect(fields).toEqual(
      expect.arrayContaining([
        'identity.region',
        'identity.zones',
        'cluster.releaseChannel',
        'nodePools[0].machineType',
      ]),
    );
    expect(
      immutableStackChanges(stored, next).find(
        c => c.field === 'nodePools[0].machineType',
      )?.message,
    ).toMatch(/add a pool with a new name/);
  });
});
