import {
  ACCELERATOR_CATALOG,
  additionalNetworks,
  formatIssuePath,
  gpuStackSpecJsonSchema,
  GpuStackSpecInput,
  parseGpuStackSpec,
  resolveNodePools,
  stackLabels,
  stackNames,
} from '..';

const minimal: GpuStackSpecInput = {
  identity: {
    projectId: 'gpu-launchpad-playground',
    namePrefix: 'a3u-dws',
    owner: 'group:default/ml-platform',
  },
};

function issuesOf(input: unknown) {
  const result = parseGpuStackSpec(input);
  if (result.ok) throw new Error('expected the spec to be rejected');
  return result.issues;
}

function withPool(
  pool: Record<string, unknown>,
  extra: Record<string, unknown> = {},
) {
  return { ...minimal, nodePools: [pool], ...extra };
}

describe('gpu stack spec defaults', () => {
  it('reproduces seed 001 (us-central1-b, 8×H200 a3-ultragpu-8g, flex-start + queued, max 4 nodes)', () => {
    const result = parseGpuStackSpec(minimal);
    if (!result.ok) throw new Error(JSON.stringify(result.issues));
    const { spec } = result;
    expect(spec.identity.region).toBe('us-central1');
    expect(spec.identity.zones).toEqual(['us-central1-b']);
    expect(spec.network.gvnic.subnetCidr).toBe('192.168.0.0/24');
    expect(spec.network.rdma.subnetCidrs).toEqual(
      [1, 2, 3, 4, 5, 6, 7, 8].map(n => `192.168.${n}.0/24`),
    );
    const [pool] = resolveNodePools(spec);
    expect(pool).toMatchObject({
      machineType: 'a3-ultragpu-8g',
      gpuType: 'nvidia-h200-141gb',
      gpuCount: 8,
      gpuDriverVersion: 'LATEST',
      flexStart: true,
      queuedProvisioning: true,
      spot: false,
      minNodes: 0,
      maxNodes: 4,
      autoRepair: false,
      locationPolicy: 'ANY',
      reservationAffinity: { type: 'NO_RESERVATION' },
      rdma: true,
    });
    expect(pool.additionalNetworks.map(n => n.k8sName)).toEqual([
      'gvnic-1',
      ...[0, 1, 2, 3, 4, 5, 6, 7].map(n => `rdma-${n}`),
    ]);
    expect(spec.kueue).toMatchObject({
      clusterQueueName: 'dws-cluster-queue',
      localQueueName: 'dws-local-queue',
      admissionCheckName: 'dws-prov',
    });
    expect(stackNames(spec).rdmaNetworkProfile).toBe(
      'projects/gpu-launchpad-playground/global/networkProfiles/us-central1-b-vpc-roce',
    );
  });

  it('stamps ownership and billing labels', () => {
    const result = parseGpuStackSpec({
      ...minimal,
      identity: {
        ...minimal.identity,
        costCenter: 'cc-42',
        labels: { team: 'vision' },
      },
    });
    if (!result.ok) throw new Error('invalid');
    expect(stackLabels(result.spec)).toEqual({
      team: 'vision',
      'gpu-platform-stack': 'a3u-dws',
      'aiinfra-cluster': 'a3u-dws',
      owner: 'ml-platform',
      system: 'gpu-platform',
      'cost-center': 'cc-42',
      'managed-by': 'gpu-platform',
    });
  });

  it('expands a compute-class pool into spot → flex-start → on-demand tier pools', () => {
    const result = parseGpuStackSpec(
      withPool(
        { name: 'h200', provisioning: { mode: 'compute-class' } },
        { ray: { enabled: true } },
      ),
    );
    if (!result.ok) throw new Error(JSON.stringify(result.issues));
    const pools = resolveNodePools(result.spec);
    expect(pools.map(p => [p.name, p.spot, p.flexStart, p.autoRepair])).toEqual(
      [
        ['h200-spot', true, false, true],
        ['h200-flex', false, true, false],
        ['h200-od', false, false, true],
      ],
    );
    expect(pools[0].taints[0]).toEqual({
      key: 'cloud.google.com/compute-class',
      value: 'h200-ccc',
      effect: 'NO_SCHEDULE',
    });
  });

  it('has one catalog entry per machine type with valid default counts', () => {
    const types = ACCELERATOR_CATALOG.map(e => e.machineType);
    expect(new Set(types).size).toBe(types.length);
    for (const e of ACCELERATOR_CATALOG)
      expect(e.gpuCounts).toContain(e.defaultGpuCount);
    expect(types).toEqual(
      expect.arrayContaining([
        'a3-ultragpu-8g',
        'a4-highgpu-8g',
        'a3-megagpu-8g',
        'a2-ultragpu-8g',
        'a2-highgpu-2g',
        'g2-standard-8',
        'n1-standard-8',
      ]),
    );
  });
});

describe('gpu stack spec validation', () => {
  it.each([
    [
      'zone outside the region',
      {
        ...minimal,
        identity: { ...minimal.identity, zones: ['europe-west4-a'] },
      },
      'identity.zones[0]',
      /not in region/,
    ],
    [
      'GKE name rules',
      withPool({ name: 'Bad_Pool' }),
      'nodePools[0].name',
      /node pool name/,
    ],
    [
      'GPU count for machine type',
      withPool({ machineType: 'a3-ultragpu-8g', gpu: { count: 4 } }),
      'nodePools[0].gpu.count',
      /takes 8/,
    ],
    [
      'GPU type for machine type',
      withPool({
        machineType: 'g2-standard-8',
        gpu: { type: 'nvidia-tesla-t4' },
        provisioning: { mode: 'spot' },
      }),
      'nodePools[0].gpu.type',
      /nvidia-l4/,
    ],
    [
      'RDMA on a non-RDMA machine',
      withPool({
        machineType: 'a3-megagpu-8g',
        rdma: true,
        provisioning: { mode: 'spot' },
      }),
      'nodePools[0].rdma',
      /no RDMA NICs/,
    ],
    [
      'one subnet per RDMA NIC',
      { ...minimal, network: { rdma: { subnetCidrs: ['192.168.1.0/24'] } } },
      'network.rdma.subnetCidrs',
      /exactly one subnet per NIC/,
    ],
    [
      'queued provisioning with a reservation',
      withPool({
        provisioning: {
          mode: 'queued-provisioning',
          reservation: { name: 'r1' },
        },
      }),
      'nodePools[0].provisioning.reservation',
      /cannot be consumed/,
    ],
    [
      'queued provisioning with min nodes',
      withPool({ minNodes: 1 }),
      'nodePools[0].minNodes',
      /must be 0/,
    ],
    [
      'queued provisioning without autoscaling',
      withPool({ autoscaling: false }),
      'nodePools[0].autoscaling',
      /autoscaling on/,
    ],
    [
      'queued provisioning with compact placement',
      withPool({ compactPlacement: true }),
      'nodePools[0].compactPlacement',
      /COMPACT/,
    ],
    [
      'flex-start with auto-repair',
      withPool({ autoRepair: true, provisioning: { mode: 'flex-start' } }),
      'nodePools[0].autoRepair',
      /auto-repair off/,
    ],
    [
      'reservation mode without a reservation',
      withPool({ provisioning: { mode: 'reservation' } }),
      'nodePools[0].provisioning.reservation',
      /needs a reservation/,
    ],
    [
      'overlapping CIDRs',
      { ...minimal, network: { gvnic: { subnetCidr: '192.168.1.0/24' } } },
      'network.rdma.subnetCidrs[0]',
      /overlaps 192.168.1.0\/24/,
    ],
    [
      'host bits',
      { ...minimal, network: { gvnic: { subnetCidr: '192.168.0.1/24' } } },
      'network.gvnic.subnetCidr',
      /host bits/,
    ],
    [
      'GCP label rules',
      { ...minimal, identity: { ...minimal.identity, labels: { Team: 'x' } } },
      'identity.labels.Team',
      /label key/,
    ],
    [
      'reserved label key',
      { ...minimal, identity: { ...minimal.identity, labels: { owner: 'x' } } },
      'identity.labels.owner',
      /set by the stack/,
    ],
    [
      'quota above max nodes',
      { ...minimal, kueue: { gpuQuota: 64 } },
      'kueue.gpuQuota',
      /exceeds what the pools can hold \(Σ maxNodes × GPUs = 32\)/,
    ],
    [
      'queued pool without Kueue',
      { ...minimal, kueue: { enabled: false } },
      'kueue.enabled',
      /Kueue/,
    ],
    [
      'Kueue without v1beta2',
      { ...minimal, kueue: { version: 'v0.12.3' } },
      'kueue.version',
      /v1beta2/,
    ],
    [
      'multi-networking without Dataplane V2',
      { ...minimal, cluster: { dataplaneV2: false } },
      'cluster.dataplaneV2',
      /Dataplane V2/,
    ],
    [
      'verification bigger than the pool',
      { ...minimal, nodePools: [{ maxNodes: 1 }] },
      'verification.ncclAllGather.nodes',
      /at most 1/,
    ],
    [
      'ingress without host',
      { ...minimal, ray: { dashboard: { exposure: 'authenticated-ingress' } } },
      'ray.dashboard.host',
      /host name/,
    ],
    [
      'duplicate pool names',
      { ...minimal, nodePools: [{}, {}] },
      'nodePools[1].name',
      /already used/,
    ],
    [
      'filestore below tier minimum',
      {
        ...minimal,
        storage: {
          filestore: [
            { mountPath: '/nfs', tier: 'HIGH_SCALE_SSD', capacityGb: 2560 },
          ],
        },
      },
      'storage.filestore[0].capacityGb',
      /10240/,
    ],
  ])('rejects %s', (_name, input, path, message) => {
    const issues = issuesOf(input);
    const issue = issues.find(i => i.path === path);
    expect(issue).toBeDefined();
    expect(issue!.message).toMatch(message);
  });

  it.each([
    ['shell metacharacters', ['identity', 'namePrefix'], 'a; rm -rf /'],
    ['command substitution', ['identity', 'projectId'], 'proj-$(id)'],
    [
      'terraform interpolation',
      ['identity', 'labels', 'team'],
      '${file("/etc/passwd")}',
    ],
    ['HCL injection', ['cluster', 'name'], 'x"\n}\nresource "null" "y" {'],
    ['YAML injection', ['ray', 'image'], 'ray:1\nkind: Secret'],
    [
      'path traversal in a mount path',
      ['storage', 'trainingBucket', 'mountPath'],
      '/data/../../etc',
    ],
    [
      'path traversal in the state prefix',
      ['terraformState', 'prefix'],
      '../other-team/state',
    ],
    ['backticks', ['kueue', 'localQueueName'], 'q`whoami`'],
    [
      'newline in a display name',
      ['cluster', 'authorizedNetworks', 0, 'displayName'],
      'me\nx',
    ],
  ])('rejects hostile text: %s', (_name, path, value) => {
    const input: any = JSON.parse(
      JSON.stringify({
        ...minimal,
        cluster: { authorizedNetworks: [{ cidrBlock: '203.0.113.7/32' }] },
      }),
    );
    let node = input;
    for (const key of path.slice(0, -1)) node = node[key] ??= {};
    node[path[path.length - 1]] = value;
    const issues = issuesOf(input);
    const formatted = formatIssuePath(path);
    expect(issues.map(i => i.path)).toContain(formatted);
  });
});

describe('derived artefacts', () => {
  it('produces a JSON Schema with a description on every property', () => {
    const schema = gpuStackSpecJsonSchema();
    const missing: string[] = [];
    const walk = (node: any, path: string) => {
      if (!node || typeof node !== 'object') return;
      for (const [key, child] of Object.entries<any>(node.properties ?? {})) {
        if (!child.description) missing.push(`${path}.${key}`);
        walk(child, `${path}.${key}`);
      }
      if (node.items) walk(node.items, `${path}[]`);
      for (const alt of node.anyOf ?? []) walk(alt, path);
    };
    walk(schema, '$');
    // Array items are described by their parent field.
    expect(missing.filter(p => !p.includes('[]'))).toEqual([]);
    expect((schema.required as string[]) ?? []).toEqual(['identity']);
  });

  it('derives the gVNIC and RDMA interface mapping', () => {
    const result = parseGpuStackSpec(minimal);
    if (!result.ok) throw new Error('invalid');
    expect(additionalNetworks(result.spec).slice(0, 3)).toEqual([
      {
        k8sName: 'gvnic-1',
        network: 'a3u-dws-gvnic-net',
        subnetwork: 'a3u-dws-gvnic-sub',
        deviceMode: 'NetDevice',
        interfaceName: 'eth1',
      },
      {
        k8sName: 'rdma-0',
        network: 'a3u-dws-rdma-net',
        subnetwork: 'a3u-dws-rdma-sub-0',
        deviceMode: 'RDMA',
        interfaceName: 'eth2',
      },
      {
        k8sName: 'rdma-1',
        network: 'a3u-dws-rdma-net',
        subnetwork: 'a3u-dws-rdma-sub-1',
        deviceMode: 'RDMA',
        interfaceName: 'eth3',
      },
    ]);
  });
});

describe('JSON Schema targets', () => {
  it('emits a draft-07 schema for the scaffolder form', () => {
    const schema = gpuStackSpecJsonSchema({ target: 'draft-7' });
    expect(schema.$schema).toBe('http://json-schema.org/draft-07/schema#');
    expect(JSON.stringify(schema)).toContain('queued-provisioning');
  });
});
