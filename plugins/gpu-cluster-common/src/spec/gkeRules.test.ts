import {
  parseGpuStackSpec,
  resolveNodePools,
  type GpuStackSpecInput,
} from '..';

const minimal: GpuStackSpecInput = {
  identity: {
    projectId: 'gpu-launchpad-playground',
    namePrefix: 'a3u-dws',
    owner: 'group:default/ml-platform',
  },
};

function parse(input: unknown) {
  return parseGpuStackSpec(input);
}

describe('node auto-upgrade and the release channel', () => {
  it('keeps auto-upgrade on for every pool by default, DWS pools included', () => {
    const result = parse(minimal);
    if (!result.ok) throw new Error(JSON.stringify(result.issues));
    expect(resolveNodePools(result.spec).map(p => p.autoUpgrade)).toEqual([
      true,
    ]);
  });

  it('refuses auto-upgrade off on a release channel, as GKE does', () => {
    expect(parse({ ...minimal, nodePools: [{ autoUpgrade: false }] })).toEqual({
      ok: false,
      issues: [
        {
          path: 'nodePools[0].autoUpgrade',
          message: expect.stringContaining(
            'Auto_upgrade cannot be false when release_channel REGULAR is set',
          ),
        },
      ],
    });
  });

  it('allows auto-upgrade off with the UNSPECIFIED channel and a pinned version', () => {
    const result = parse({
      ...minimal,
      cluster: { releaseChannel: 'UNSPECIFIED', version: '1.33.1-gke.1107000' },
      nodePools: [{ autoUpgrade: false }],
    });
    if (!result.ok) throw new Error(JSON.stringify(result.issues));
    expect(resolveNodePools(result.spec)[0].autoUpgrade).toBe(false);
  });
});

describe('control plane access', () => {
  it('defaults to the IAM-authorized DNS endpoint and no public IP endpoint', () => {
    const result = parse(minimal);
    if (!result.ok) throw new Error(JSON.stringify(result.issues));
    expect(result.spec.cluster).toMatchObject({
      dnsEndpoint: true,
      privateEndpoint: true,
      authorizedNetworks: [],
    });
  });

  it('refuses a control plane nobody outside the new VPC can reach', () => {
    expect(parse({ ...minimal, cluster: { dnsEndpoint: false } })).toEqual({
      ok: false,
      issues: [
        {
          path: 'cluster.dnsEndpoint',
          message: expect.stringContaining("runner's egress range"),
        },
      ],
    });
    expect(
      parse({
        ...minimal,
        cluster: {
          dnsEndpoint: false,
          authorizedNetworks: [{ cidrBlock: '203.0.113.7/32' }],
        },
      }).ok,
    ).toBe(true);
  });
});
