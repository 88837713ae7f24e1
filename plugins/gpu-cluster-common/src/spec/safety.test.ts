import { parseGpuStackSpec, type GpuStackSpecInput } from '..';

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

function accepted(input: unknown) {
  const result = parseGpuStackSpec(input);
  if (!result.ok) throw new Error(JSON.stringify(result.issues));
  return result.spec;
}

const mount = (mountPath: string) => ({
  ...minimal,
  storage: { gcsMounts: [{ bucket: 'shared-models', mountPath }] },
});

describe('mount paths over system directories are refused', () => {
  it.each([
    ['/etc', /inside \/etc/],
    ['/etc/ssl/certs', /inside \/etc/],
    ['/var/run/secrets/kubernetes.io', /service-account token/],
    ['/proc', /inside \/proc/],
    ['/sys/fs', /inside \/sys/],
    ['/dev/shm', /inside \/dev/],
    ['/usr/local/gib', /inside \/usr\/local\/gib/],
    ['/usr/local', /would hide \/usr\/local\/bin/],
    ['/usr', /would hide \/usr\/bin/],
    ['/var', /would hide \/var\/run/],
    ['/tmp', /inside \/tmp/],
    ['/home/ray', /inside \/home\/ray/],
  ])('%s', (path, message) => {
    expect(issuesOf(mount(path))).toEqual([
      {
        path: 'storage.gcsMounts[0].mountPath',
        message: expect.stringMatching(message),
      },
    ]);
  });

  it('applies to the training bucket and Filestore shares too', () => {
    expect(
      issuesOf({
        ...minimal,
        storage: {
          trainingBucket: { mountPath: '/etc/data' },
          filestore: [{ mountPath: '/proc/nfs', tier: 'BASIC_SSD' }],
        },
      }).map(i => i.path),
    ).toEqual([
      'storage.trainingBucket.mountPath',
      'storage.filestore[0].mountPath',
    ]);
  });

  it.each([
    '/datasets',
    '/models',
    '/mnt/shared',
    '/usr/trainfiles',
    '/home/jovyan',
  ])('accepts %s (seed 004 mounts under /usr too)', path => {
    expect(accepted(mount(path)).storage.gcsMounts[0].mountPath).toBe(path);
  });
});

describe('control-plane authorized networks', () => {
  const networks = (...cidrBlocks: string[]) => ({
    ...minimal,
    cluster: {
      authorizedNetworks: cidrBlocks.map(cidrBlock => ({ cidrBlock })),
    },
  });

  it.each([
    '0.0.0.0/0',
    '0.0.0.0/1',
    '128.0.0.0/1',
    '34.0.0.0/8',
    '10.0.0.0/7',
  ])('refuses %s', cidr => {
    expect(issuesOf(networks(cidr))).toEqual([
      {
        path: 'cluster.authorizedNetworks[0].cidrBlock',
        message: expect.stringMatching(/too broad|whole internet/),
      },
    ]);
  });

  it('explains 0.0.0.0/0 and points at the DNS endpoint', () => {
    expect(issuesOf(networks('0.0.0.0/0'))[0].message).toMatch(
      /whole internet.*cluster\.dnsEndpoint/,
    );
  });

  it('accepts host and office ranges and private /8s', () => {
    expect(
      accepted(networks('203.0.113.7/32', '198.51.100.0/24', '10.0.0.0/8'))
        .cluster.authorizedNetworks,
    ).toHaveLength(3);
  });
});

describe('names Google reserves', () => {
  it('refuses "google" and "ssl" in project ids', () => {
    expect(
      issuesOf({
        ...minimal,
        identity: { ...minimal.identity, projectId: 'my-google-project' },
      }),
    ).toEqual([
      {
        path: 'identity.projectId',
        message: expect.stringContaining('cannot contain "google"'),
      },
    ]);
    expect(
      issuesOf({
        ...minimal,
        identity: { ...minimal.identity, projectId: 'ssl-terminator' },
      })[0].path,
    ).toBe('identity.projectId');
  });

  it.each([
    ['storage.trainingBucket.name', { trainingBucket: { name: 'goog-data' } }],
    [
      'storage.trainingBucket.name',
      { trainingBucket: { name: 'my-g00gle-data' } },
    ],
    [
      'storage.gcsMounts[0].bucket',
      { gcsMounts: [{ bucket: 'google-models', mountPath: '/models' }] },
    ],
  ])('refuses the bucket name at %s', (path, storage) => {
    expect(issuesOf({ ...minimal, storage })).toEqual([
      { path, message: expect.stringMatching(/reserves|refuses/) },
    ]);
  });

  it('blames the name prefix when the derived training bucket would contain google', () => {
    expect(
      issuesOf({
        ...minimal,
        identity: { ...minimal.identity, namePrefix: 'google-ml' },
      }),
    ).toEqual([
      {
        path: 'identity.namePrefix',
        message: expect.stringContaining(
          'the default of storage.trainingBucket.name',
        ),
      },
    ]);
  });

  it('refuses the state bucket and goog-prefixed label keys', () => {
    expect(
      issuesOf({
        ...minimal,
        identity: { ...minimal.identity, labels: { 'goog-team': 'x' } },
        terraformState: { bucket: 'googstate' },
      }).map(i => i.path),
    ).toEqual(['identity.labels["goog-team"]', 'terraformState.bucket']);
  });
});

describe('Workload Identity on privileged service accounts', () => {
  it('refuses kube-system', () => {
    expect(
      issuesOf({
        ...minimal,
        workloadIdentity: { namespace: 'kube-system' },
      }),
    ).toEqual([
      {
        path: 'workloadIdentity.namespace',
        message: expect.stringContaining('must not be bound in kube-system'),
      },
    ]);
  });

  it('refuses the default service account of any namespace', () => {
    expect(
      issuesOf({
        ...minimal,
        workloadIdentity: { kubernetesServiceAccount: 'default' },
      })[0],
    ).toEqual({
      path: 'workloadIdentity.kubernetesServiceAccount',
      message: expect.stringContaining('"default" service account'),
    });
  });
});
