/*
 * Hostile input, as an ordinary signed-in user can send it, through every way into the actions:
 * each action directly (what a template someone registered can do), the committed template
 * through the real scaffolder (dry runs and real tasks) and the gpu-cluster CLI. Every case is
 * refused with an error naming the field (or handled), answers no 5xx, writes nothing outside
 * the task workspace and starts no child process.
 */
import childProcess from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import {
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import {
  createMockDirectory,
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import scaffolderPlugin from '@backstage/plugin-scaffolder-backend';
import {
  runCli,
  runProcess,
} from '@gpu-platform/backstage-plugin-gpu-cluster-node';
import { parse, stringify } from 'yaml';
import {
  startCloudApisEmulator,
  type CloudApisEmulator,
} from '@gpu-platform/emulators';
import {
  createCatalogRegisterAction,
  createKubectlApplyAction,
  createSpecValidateAction,
  createStackRenderAction,
  createTerraformApplyAction,
} from './actions';
import { scaffolderModuleGpuCluster } from './module';
import { TEMPLATE_PATH } from './template/templatePath';
import {
  actionContext,
  configFrom,
  testCatalog,
  testGuard,
  VALUES,
} from './__testUtils__/actionContext';

jest.setTimeout(120_000);

const id = VALUES.identity;

/** [case, values, the field the refusal names]. */
const HOSTILE: [string, unknown, string][] = [
  [
    'backticks in the name prefix',
    { identity: { ...id, namePrefix: '`id`' } },
    'identity.namePrefix',
  ],
  [
    'command substitution in the name prefix',
    { identity: { ...id, namePrefix: '$(curl x)' } },
    'identity.namePrefix',
  ],
  [
    'path traversal in the name prefix',
    { identity: { ...id, namePrefix: '../../etc' } },
    'identity.namePrefix',
  ],
  [
    'newline in the name prefix',
    { identity: { ...id, namePrefix: 'a\nb' } },
    'identity.namePrefix',
  ],
  [
    'full-width unicode in the name prefix',
    { identity: { ...id, namePrefix: 'ＡＢＣ' } },
    'identity.namePrefix',
  ],
  [
    'a 5000-character name prefix',
    { identity: { ...id, namePrefix: 'x'.repeat(5000) } },
    'identity.namePrefix',
  ],
  [
    'shell in the project id',
    { identity: { ...id, projectId: 'p; rm -rf /' } },
    'identity.projectId',
  ],
  [
    'HCL interpolation in the project id',
    { identity: { ...id, projectId: '${var.x}' } },
    'identity.projectId',
  ],
  [
    'traversal in the owner',
    { identity: { ...id, owner: 'group:default/../../x' } },
    'identity.owner',
  ],
  [
    'markup in the owner',
    { identity: { ...id, owner: '<script>' } },
    'identity.owner',
  ],
  [
    'HCL breakout in the region',
    { identity: { ...id, region: 'us-central1"; }' } },
    'identity.region',
  ],
  [
    'newline in a zone',
    { identity: { ...id, zones: ['us-central1-b\n'] } },
    'identity.zones[0]',
  ],
  [
    'template function in a label value',
    { identity: { ...id, labels: { a: '${file("/etc/passwd")}' } } },
    'identity.labels.a',
  ],
  [
    'invalid label key',
    { identity: { ...id, labels: { 'A B': 'x' } } },
    'identity.labels["A B"]',
  ],
  [
    'HCL directive in the cluster name',
    { ...VALUES, cluster: { name: '%{ for x in y }' } },
    'cluster.name',
  ],
  [
    "another team's state bucket",
    { ...VALUES, terraformState: { bucket: 'other-team-bucket' } },
    'terraformState.bucket',
  ],
  [
    'traversal in the state prefix',
    { ...VALUES, terraformState: { prefix: '../x' } },
    'terraformState.prefix',
  ],
  [
    "another team's state prefix",
    {
      ...VALUES,
      terraformState: { prefix: 'gpu-clusters/default/research/x' },
    },
    'terraformState.prefix',
  ],
  [
    "another team's project",
    { identity: { ...id, projectId: 'research-project-1' } },
    'identity.projectId',
  ],
  [
    'a group outside the policy',
    { identity: { ...id, owner: 'group:default/research' } },
    'identity.owner',
  ],
  [
    'a GPU budget overrun',
    { ...VALUES, nodePools: [{ maxNodes: 1000 }] },
    'nodePools',
  ],
  [
    'negative node count',
    { ...VALUES, nodePools: [{ maxNodes: -1 }] },
    'nodePools[0].maxNodes',
  ],
  [
    'huge node count',
    { ...VALUES, nodePools: [{ maxNodes: 1e308 }] },
    'nodePools[0].maxNodes',
  ],
  [
    'shell in the machine type',
    { ...VALUES, nodePools: [{ machineType: 'a3-ultragpu-8g; id' }] },
    'nodePools[0].machineType',
  ],
  [
    'command in the Ray image',
    { ...VALUES, ray: { image: 'evil.example/x:latest$(id)' } },
    'ray.image',
  ],
  ['a string instead of values', 'string', '(root)'],
  ['an array instead of values', [], '(root)'],
  ['identity null', { identity: null }, 'identity'],
  [
    'shell in the service account',
    {
      ...VALUES,
      workloadIdentity: { kubernetesServiceAccount: 'default; kubectl' },
    },
    'workloadIdentity.kubernetesServiceAccount',
  ],
  [
    'a gs:// URL as bucket name',
    { ...VALUES, storage: { trainingBucket: { name: 'gs://x' } } },
    'storage.trainingBucket.name',
  ],
  [
    'traversal in the Kueue namespace',
    { ...VALUES, kueue: { namespace: '../kube-system' } },
    'kueue.namespace',
  ],
  [
    'a path in the dashboard host',
    {
      ...VALUES,
      ray: {
        dashboard: {
          exposure: 'authenticated-ingress',
          host: 'evil.com/$(id)',
        },
      },
    },
    'ray.dashboard.host',
  ],
  [
    'an impossible CIDR',
    { ...VALUES, network: { primary: { subnetCidr: '10.0.0.0/33' } } },
    'network.primary.subnetCidr',
  ],
  [
    'a GPU count the machine cannot hold',
    { ...VALUES, nodePools: [{ gpu: { count: 999 } }] },
    'nodePools[0].gpu.count',
  ],
  [
    'a quote in the cost center',
    { identity: { ...id, costCenter: 'A"B' } },
    'identity.costCenter',
  ],
  [
    'a NUL byte in the system',
    { identity: { ...id, system: 'sys\u0000' } },
    'identity.system',
  ],
  ['another spec version', { ...VALUES, apiVersion: 'v2' }, 'apiVersion'],
  [
    'traversal in a reservation',
    {
      ...VALUES,
      nodePools: [
        {
          provisioning: {
            mode: 'reservation',
            reservation: { name: '../../x' },
          },
        },
      ],
    },
    'nodePools[0].provisioning.reservation.name',
  ],
  [
    'shell in the release channel',
    { ...VALUES, cluster: { releaseChannel: 'RAPID; x' } },
    'cluster.releaseChannel',
  ],
  [
    'a __proto__ key',
    JSON.parse(
      `{"identity": ${JSON.stringify(id)}, "__proto__": {"polluted": true}}`,
    ),
    '__proto__',
  ],
  [
    'a constructor key',
    { identity: { ...id, labels: { constructor: 'x' } } },
    'identity.labels.constructor',
  ],
];

/** Every file below `dir`, except below the workspaces. */
async function filesOutsideWorkspaces(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (rel: string) => {
    for (const entry of await fs.readdir(path.join(dir, rel), {
      withFileTypes: true,
    })) {
      const child = path.join(rel, entry.name);
      if (entry.name.startsWith('workspace')) continue;
      if (entry.isDirectory()) await walk(child);
      else out.push(child);
    }
  };
  await walk('');
  return out.sort();
}

describe('hostile input', () => {
  const mockDir = createMockDirectory();
  const spawn = jest.spyOn(childProcess, 'spawn');
  const execFile = jest.spyOn(childProcess, 'execFile');
  let before: string[];

  beforeAll(async () => {
    mockDir.clear();
    await fs.mkdir(mockDir.resolve('runs'), { recursive: true });
    before = await filesOutsideWorkspaces(mockDir.path);
  });
  beforeEach(() => {
    spawn.mockClear();
    execFile.mockClear();
  });
  // Checked after every case (thrown: expect() belongs in the tests themselves).
  afterEach(async () => {
    if (spawn.mock.calls.length || execFile.mock.calls.length) {
      throw new Error(
        `a child process was started: ${JSON.stringify([
          ...spawn.mock.calls,
          ...execFile.mock.calls,
        ]).slice(0, 500)}`,
      );
    }
    const after = await filesOutsideWorkspaces(mockDir.path);
    if (JSON.stringify(after) !== JSON.stringify(before)) {
      throw new Error(`files written outside the workspace: ${after}`);
    }
  });

  it('sees a child process the runner starts (the control of the checks above)', async () => {
    await runProcess({
      command: process.execPath,
      args: ['-e', ''],
      cwd: mockDir.path,
      env: {},
      timeoutMs: 30_000,
    });
    expect(spawn).toHaveBeenCalledTimes(1);
    spawn.mockClear();
  });

  describe('each action, called directly', () => {
    const config = configFrom({
      terraform: {
        backend: 'local',
        localStateDirectory: mockDir.resolve('state'),
        runDirectory: mockDir.resolve('runs'),
      },
      kubectl: {
        runDirectory: mockDir.resolve('runs'),
        kubeconfigPath: '/dev/null',
      },
      catalog: { locationDirectory: mockDir.resolve('locations') },
    });
    const catalog = testCatalog();
    const guard = testGuard(config, { catalog });
    const actions = [
      createSpecValidateAction({ guard }),
      createStackRenderAction({ guard }),
      createTerraformApplyAction({ config, guard }),
      createKubectlApplyAction({ config, guard }),
      createCatalogRegisterAction({ config, catalog, guard }),
    ];

    it.each(HOSTILE)('refuses %s', async (_case, values, field) => {
      const workspacePath = mockDir.resolve('workspace');
      for (const action of actions) {
        const error = await action
          .handler(actionContext({ input: { values } as any, workspacePath }))
          .then(
            () => undefined,
            e => e,
          );
        expect({ action: action.id, name: error?.name }).toEqual({
          action: action.id,
          name: expect.stringMatching(/^(InputError|NotAllowedError)$/),
        });
        expect(error.message).toContain(field);
        expect(error.stack).toBe(`${error.name}: ${error.message}`);
      }
      expect(catalog.addLocation).not.toHaveBeenCalled();
      // Refused before anything was written, in the workspace too.
      await expect(fs.readdir(workspacePath)).rejects.toThrow();
    });
  });

  describe('the template through the real scaffolder', () => {
    let backend: Awaited<ReturnType<typeof startTestBackend>>;
    let cloud: CloudApisEmulator;
    let base: string;
    let template: any;
    const headers = {
      'content-type': 'application/json',
      authorization: mockCredentials.user.header('user:default/alice'),
    };

    beforeAll(async () => {
      template = parse(
        await fs.readFile(path.resolve(__dirname, '..', TEMPLATE_PATH), 'utf8'),
      );
      await fs.mkdir(mockDir.resolve('workspace-scaffolder'), {
        recursive: true,
      });
      // The preflight step's Compute / Service Usage / Resource Manager.
      cloud = await startCloudApisEmulator({
        token: 'hostile-cloud-token',
        fixtures: 'empty',
        projects: [{ projectId: 'e2e-project-1' }],
      });
      backend = await startTestBackend({
        features: [
          scaffolderPlugin,
          scaffolderModuleGpuCluster,
          catalogServiceMock.factory({
            entities: [
              {
                ...template,
                metadata: { ...template.metadata, namespace: 'default' },
              },
            ],
          }),
          createServiceFactory({
            service: coreServices.userInfo,
            deps: {},
            factory: () => ({
              async getUserInfo() {
                return {
                  userEntityRef: 'user:default/alice',
                  ownershipEntityRefs: [
                    'user:default/alice',
                    'group:default/ml-platform',
                  ],
                };
              },
            }),
          }),
          mockServices.permissions.factory({ result: AuthorizeResult.ALLOW }),
          mockServices.rootConfig.factory({
            data: {
              backend: {
                baseUrl: 'http://127.0.0.1',
                listen: { host: '127.0.0.1' },
                workingDirectory: mockDir.resolve('workspace-scaffolder'),
              },
              gpuCluster: {
                policy: {
                  groups: [
                    {
                      group: 'group:default/ml-platform',
                      projects: ['e2e-project-1'],
                      stateBucket: 'e2e-tfstate',
                      maxGpusPerStack: 64,
                    },
                  ],
                },
                dryRunRateLimit: { limit: 1000 },
                preflight: {
                  endpoint: { url: cloud.url, token: 'hostile-cloud-token' },
                },
                terraform: {
                  backend: 'local',
                  localStateDirectory: mockDir.resolve('state'),
                  runDirectory: mockDir.resolve('runs'),
                },
                kubectl: { runDirectory: mockDir.resolve('runs') },
              },
            },
          }),
        ],
      });
      base = `http://127.0.0.1:${
        (backend.server.address() as AddressInfo).port
      }/api/scaffolder`;
    });
    afterAll(async () => {
      await backend?.stop();
      await cloud?.stop();
    });

    const dryRunCases = HOSTILE.filter((_, i) => i % 4 === 0);
    it.each(dryRunCases)('dry run refuses %s', async (_case, values, field) => {
      const response = await fetch(`${base}/v2/dry-run`, {
        method: 'POST',
        headers,
        body: JSON.stringify({
          template,
          values,
          secrets: {},
          directoryContents: [],
        }),
      });
      const body = (await response.json()) as any;
      expect(response.status).toBeGreaterThanOrEqual(400);
      expect(response.status).toBeLessThan(500);
      // Refused by the form's JSON Schema (errors with their path) or by an action (message).
      const named = body.errors
        ? body.errors.map((e: any) => e.path.join('.')).join(' ')
        : body.error.message;
      expect(`${named} ${JSON.stringify(body)}`).toContain(
        field.replace(/\[(\d+)\]/g, '.$1').split(/[.[]/)[0],
      );
      expect(JSON.stringify(body)).not.toMatch(/\\n\s+at |node_modules/);
    });

    const taskCases = HOSTILE.filter((_, i) => i % 8 === 3);
    it.each(taskCases)(
      'a real task refuses %s',
      async (_case, values, field) => {
        const created = await fetch(`${base}/v2/tasks`, {
          method: 'POST',
          headers,
          body: JSON.stringify({
            templateRef: 'template:default/gke-gpu-cluster',
            values,
          }),
        });
        expect(created.status).toBeLessThan(500);
        if (created.status !== 201) return;
        const { id: taskId } = (await created.json()) as { id: string };
        let status = 'open';
        for (
          let i = 0;
          i < 100 && ['open', 'processing'].includes(status);
          i++
        ) {
          await new Promise(r => setTimeout(r, 100));
          status = (
            (await (
              await fetch(`${base}/v2/tasks/${taskId}`, { headers })
            ).json()) as any
          ).status;
        }
        expect(status).toBe('failed');
        const events = (await (
          await fetch(`${base}/v2/tasks/${taskId}/events`, { headers })
        ).json()) as any[];
        const log = events.map(e => e.body?.message ?? '').join('\n');
        expect(log).toContain(field);
        expect(log).toContain('Nothing was created');
      },
    );
  });

  describe('the gpu-cluster CLI', () => {
    // The CLI runs as the operator, without the policy: spec fields only (and YAML has no
    // prototype keys to speak of).
    const POLICY_ONLY = new Set([
      "another team's state bucket",
      "another team's state prefix",
      "another team's project",
      'a group outside the policy',
      'a GPU budget overrun',
      'a __proto__ key',
      'a constructor key',
    ]);
    const cliCases = HOSTILE.filter(([name]) => !POLICY_ONLY.has(name)).filter(
      (_, i) => i % 3 === 1,
    );

    it.each(cliCases)('refuses %s', async (name, values, field) => {
      const dir = mockDir.resolve('workspace-cli', name.replace(/\W+/g, '-'));
      await fs.mkdir(dir, { recursive: true });
      const file = path.join(dir, 'values.yaml');
      await fs.writeFile(file, stringify(values));
      let stderr = '';
      const code = await runCli(
        [
          'plan',
          '--values',
          file,
          '--out',
          path.join(dir, 'out'),
          '--no-backend',
        ],
        { stdout: () => {}, stderr: t => (stderr += t), env: {} },
      );
      expect(code).toBe(1);
      expect(stderr).toContain(field);
      await expect(fs.readdir(path.join(dir, 'out'))).rejects.toThrow();
    });
  });
});
