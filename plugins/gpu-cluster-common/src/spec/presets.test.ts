import {
  GPU_CLUSTER_PRESETS,
  PROVISIONING_MODES,
  findAccelerator,
  matchingPreset,
  parseGpuStackSpec,
  zonesOffering,
} from '..';

const identity = {
  projectId: 'ml-research-1',
  namePrefix: 'research',
  owner: 'group:default/ml',
};

describe('form presets', () => {
  it.each(GPU_CLUSTER_PRESETS.map(p => [p.title, p]))(
    '%s is a valid stack with the default region and zone, on a machine offered there',
    (_title, preset) => {
      const pool = JSON.parse(JSON.stringify(preset.nodePool));
      if (pool.provisioning.mode === 'reservation') {
        pool.provisioning.reservation = { name: 'my-reservation' };
      }
      const result = parseGpuStackSpec({ identity, nodePools: [pool] });
      expect(result.ok ? [] : result.issues).toEqual([]);
      expect(findAccelerator(preset.nodePool.machineType)).toBeDefined();
      expect(zonesOffering(preset.nodePool.machineType)).toContain(
        'us-central1-b',
      );
      expect(matchingPreset(preset.nodePool)).toBe(preset);
    },
  );

  it('starts from the spec default pool and covers four provisioning modes', () => {
    const parsed = parseGpuStackSpec({ identity });
    if (!parsed.ok) throw new Error('default spec must parse');
    const [defaultPool] = parsed.spec.nodePools;
    expect(matchingPreset(defaultPool)?.id).toBe(GPU_CLUSTER_PRESETS[0].id);
    const modes = GPU_CLUSTER_PRESETS.map(p => p.nodePool.provisioning.mode);
    expect(new Set(modes).size).toBe(4);
    modes.forEach(mode => expect(PROVISIONING_MODES).toContain(mode));
  });

  it('a reservation preset without a reservation name is refused, naming the field', () => {
    const pool = GPU_CLUSTER_PRESETS.find(
      p => p.nodePool.provisioning.mode === 'reservation',
    )!.nodePool;
    const result = parseGpuStackSpec({ identity, nodePools: [pool] });
    expect(result.ok ? [] : result.issues).toContainEqual({
      path: 'nodePools[0].provisioning.reservation',
      message: 'reservation mode needs a reservation name',
    });
  });
});
