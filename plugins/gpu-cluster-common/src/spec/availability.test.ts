import {
  ACCELERATOR_CATALOG,
  MACHINE_TYPE_ZONES,
  REGION_LOCATIONS,
  ZONE_PATTERN,
  regionOfZone,
  regionsOfferingAll,
  zonesOffering,
  zonesOfferingAll,
  zoneAvailabilityIssues,
} from '..';

describe('zone availability of the accelerator catalog', () => {
  it('knows at least one valid zone for every machine type, each in a named region', () => {
    for (const { machineType } of ACCELERATOR_CATALOG) {
      const zones = zonesOffering(machineType);
      expect({ machineType, some: zones.length > 0 }).toEqual({
        machineType,
        some: true,
      });
      for (const zone of zones) {
        expect(zone).toMatch(ZONE_PATTERN);
        expect(REGION_LOCATIONS[regionOfZone(zone)]).toBeDefined();
      }
    }
    expect(Object.keys(MACHINE_TYPE_ZONES).sort()).toEqual(
      ACCELERATOR_CATALOG.map(e => e.machineType).sort(),
    );
  });

  it('offers the spec default (a3-ultragpu-8g in us-central1-b)', () => {
    expect(zonesOffering('a3-ultragpu-8g')).toContain('us-central1-b');
  });

  it('intersects zones of several machine types, optionally within a region', () => {
    // H200 and B200 share few zones; within us-central1 only -b.
    expect(
      zonesOfferingAll(['a3-ultragpu-8g', 'a4-highgpu-8g'], 'us-central1'),
    ).toEqual(['us-central1-b']);
    expect(zonesOfferingAll(['a2-ultragpu-8g'], 'us-central1')).toEqual([
      'us-central1-a',
      'us-central1-c',
    ]);
    expect(regionsOfferingAll(['a3-ultragpu-8g'])).toContain('europe-west1');
    expect(regionsOfferingAll(['a3-ultragpu-8g'])).not.toContain('us-west4');
    expect(zonesOfferingAll(['not-a-machine'])).toEqual([]);
  });
});

describe('zoneAvailabilityIssues', () => {
  it('names the zone, the machine type and where it is offered instead', () => {
    expect(
      zoneAvailabilityIssues({
        identity: { zones: ['us-central1-b', 'us-central1-a'] },
        nodePools: [{ machineType: 'a2-ultragpu-8g' }],
      }),
    ).toEqual([
      {
        path: ['identity', 'zones', 0],
        message:
          'a2-ultragpu-8g is not offered in us-central1-b as far as the accelerator catalog knows (offered in us-central1-a, us-central1-c)',
      },
    ]);
    expect(
      zoneAvailabilityIssues({
        identity: { zones: ['us-west4-a'] },
        nodePools: [{ machineType: 'a3-ultragpu-8g' }],
      })[0].message,
    ).toMatch(/not in us-west4 at all/);
    expect(
      zoneAvailabilityIssues({
        identity: { zones: ['us-central1-b'] },
        nodePools: [{ machineType: 'a3-ultragpu-8g' }],
      }),
    ).toEqual([]);
  });
});
