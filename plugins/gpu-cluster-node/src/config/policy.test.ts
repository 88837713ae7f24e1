import { ConfigReader } from '@backstage/config';
import { readGpuClusterPolicy } from './policy';
import { configuredSecrets, environmentSecrets } from './secrets';

describe('readGpuClusterPolicy', () => {
  it('denies by default and reads groups with derived state prefixes', () => {
    expect(readGpuClusterPolicy(new ConfigReader({}))).toEqual({
      adminGroups: [],
      groups: [],
    });
    const policy = readGpuClusterPolicy(
      new ConfigReader({
        gpuCluster: {
          policy: {
            adminGroups: ['platform-admins'],
            groups: [
              {
                group: 'group:default/ml-platform',
                projects: ['ml-project-1'],
                stateBucket: 'ml-tfstate',
                maxGpusPerStack: 64,
              },
            ],
          },
        },
      }),
    );
    expect(policy).toEqual({
      adminGroups: ['group:default/platform-admins'],
      groups: [
        {
          group: 'group:default/ml-platform',
          projects: ['ml-project-1'],
          stateBucket: 'ml-tfstate',
          statePrefix: 'gpu-clusters/default/ml-platform',
          maxGpusPerStack: 64,
          maxGpusTotal: undefined,
        },
      ],
    });
  });

  it.each([
    [
      { group: 'user:default/alice', projects: [], stateBucket: 'b-1' },
      'must be a group reference',
    ],
    [
      { group: 'ml', projects: ['Bad Project'], stateBucket: 'b-1' },
      'is not a project id',
    ],
    [
      { group: 'ml', projects: [], stateBucket: 'gs://x' },
      'is not a bucket name',
    ],
    [
      { group: 'ml', projects: [], stateBucket: 'b-1', statePrefix: '../x' },
      'is not a safe object prefix',
    ],
    [
      { group: 'ml', projects: [], stateBucket: 'b-1', maxGpusTotal: -1 },
      'must be a whole number',
    ],
  ])('refuses a malformed entry at start-up (%o)', (entry, message) => {
    expect(() =>
      readGpuClusterPolicy(
        new ConfigReader({ gpuCluster: { policy: { groups: [entry] } } }),
      ),
    ).toThrow(message);
  });
});

describe('configured secrets', () => {
  it('collects secret-named values, URL passwords and tool environment values, not paths', () => {
    const secrets = configuredSecrets(
      new ConfigReader({
        backend: {
          database: { connection: { password: 'db-password-1' } },
          auth: { keys: [{ secret: 'backend-key-1' }] },
        },
        integrations: {
          github: [{ host: 'github.com', token: 'ghp_canary1' }],
        },
        other: { url: 'postgres://user:url-password-1@db:5432/x' },
        gpuCluster: {
          clusters: [
            {
              name: 'c',
              kubernetes: { url: 'https://x', token: 'cluster-token-1' },
            },
          ],
          terraform: {
            env: {
              TF_CLI_CONFIG_FILE: '/etc/terraform.rc',
              GOOGLE_OAUTH_ACCESS_TOKEN: 'ya29.canary',
            },
          },
          kubectl: {
            env: { HTTPS_PROXY: 'http://proxy-user:proxy-pass-1@proxy:3128' },
          },
        },
      }),
    );
    expect(secrets).toEqual(
      expect.arrayContaining([
        'db-password-1',
        'backend-key-1',
        'ghp_canary1',
        'url-password-1',
        'cluster-token-1',
        'ya29.canary',
        'proxy-pass-1',
      ]),
    );
    expect(secrets).not.toContain('/etc/terraform.rc');
    expect(secrets).not.toContain('github.com');
    expect(
      environmentSecrets({
        PATH: '/bin',
        DB_PASSWORD: 'pw-1',
        MY_TOKEN: 't-1',
      }),
    ).toEqual(['pw-1', 't-1']);
  });
});
