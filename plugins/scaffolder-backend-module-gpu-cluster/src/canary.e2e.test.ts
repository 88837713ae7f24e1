/*
 * A canary secret in the backend's environment and in its configuration must never show up
 * anywhere a user or a tool can see it: HTTP bodies, task logs, the cluster's catalog entity,
 * files the run writes, or the environment of terraform, its provider and kubectl. Checked over
 * a full template run (real scaffolder, real terraform against the schema-serving provider, real
 * kubectl against the Kubernetes API emulator), a failing one and a dry run.
 */
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
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import scaffolderPlugin from '@backstage/plugin-scaffolder-backend';
import {
  ManualClock,
  startCloudApisEmulator,
  startKubeEmulator,
  type CloudApisEmulator,
  writeKueueReleaseStandIn,
  type KubeEmulator,
} from '@gpu-platform/emulators';
import {
  createTerraformSandbox,
  type TerraformSandbox,
} from '@gpu-platform/terraform-schema-provider';
import { parse } from 'yaml';
import { scaffolderModuleGpuCluster } from './module';
import { TEMPLATE_PATH } from './template/templatePath';

jest.setTimeout(300_000);

/** In the backend's environment (as a database password or token would be). */
const ENV_CANARY = 'canary-env-7f3a9c2e1b';
/** In the backend's configuration, where no tool needs it. */
const CONFIG_CANARY = 'canary-config-4d8e6a0f55';
const CANARIES = [ENV_CANARY, CONFIG_CANARY];

/** Each canary in the encodings a leak could take. */
const encodings = (secret: string) => [
  secret,
  Buffer.from(secret).toString('base64').slice(2, -2),
  Buffer.from(secret).toString('hex'),
  encodeURIComponent(secret),
];
const leaks = (text: string) =>
  CANARIES.flatMap(encodings).filter(encoded => text.includes(encoded));

async function allFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await fs
    .readdir(dir, { withFileTypes: true })
    .catch(() => [])) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await allFiles(full)));
    else if (entry.isFile()) out.push(full);
  }
  return out;
}

describe('a canary secret of the backend', () => {
  const mockDir = createMockDirectory();
  let emu: KubeEmulator;
  let cloud: CloudApisEmulator;
  const CLOUD_TOKEN = 'canary-cloud-token';
  let sandbox: TerraformSandbox;
  let backend: Awaited<ReturnType<typeof startTestBackend>>;
  let base: string;
  let template: any;
  const addLocation = jest.fn(async () => ({} as any));
  const bodies: string[] = [];
  const headers = {
    'content-type': 'application/json',
    authorization: mockCredentials.user.header('user:default/alice'),
  };

  const http = async (url: string, init?: RequestInit) => {
    const response = await fetch(`${base}${url}`, { headers, ...init });
    const text = await response.text();
    bodies.push(text);
    return { status: response.status, body: text ? JSON.parse(text) : {} };
  };

  const runTask = async (namePrefix: string) => {
    const created = await http('/v2/tasks', {
      method: 'POST',
      body: JSON.stringify({
        templateRef: 'template:default/gke-gpu-cluster',
        values: {
          identity: {
            projectId: 'e2e-project-1',
            namePrefix,
            owner: 'group:default/ml-platform',
          },
        },
      }),
    });
    expect(created.status).toBe(201);
    let status = 'open';
    for (let i = 0; i < 900 && ['open', 'processing'].includes(status); i++) {
      await new Promise(r => setTimeout(r, 200));
      status = (await http(`/v2/tasks/${created.body.id}`)).body.status;
    }
    const events = await http(`/v2/tasks/${created.body.id}/events`);
    return {
      status,
      log: (events.body as any[]).map(e => e.body?.message ?? '').join('\n'),
    };
  };

  beforeAll(async () => {
    process.env.GPU_CLUSTER_TEST_DATABASE_PASSWORD = ENV_CANARY;
    mockDir.clear();
    // The preflight step's Compute / Service Usage / Resource Manager.
    cloud = await startCloudApisEmulator({
      token: CLOUD_TOKEN,
      fixtures: 'empty',
      projects: [{ projectId: 'e2e-project-1' }],
    });
    emu = await startKubeEmulator({
      fixtures: 'empty',
      clock: new ManualClock(),
      scenarios: { timings: { deploymentReadyMs: 0 }, tickIntervalMs: 50 },
    });
    sandbox = await createTerraformSandbox({
      baseDir: mockDir.resolve('sandbox'),
    });
    // The tools, behind wrappers that record the environment they are started with.
    const wrapper = async (name: string, real: string) => {
      const file = mockDir.resolve('bin', name);
      await fs.mkdir(path.dirname(file), { recursive: true });
      await fs.writeFile(
        file,
        `#!/bin/sh\nenv >> "${mockDir.resolve(
          'tool-env',
          name,
        )}"\nexec "${real}" "$@"\n`,
        { mode: 0o755 },
      );
      return file;
    };
    await fs.mkdir(mockDir.resolve('tool-env'), { recursive: true });
    await fs.mkdir(mockDir.resolve('work'), { recursive: true });
    const terraformEnv = Object.fromEntries(
      Object.entries(sandbox.env).filter(
        ([key, value]) =>
          typeof value === 'string' && process.env[key] !== value,
      ),
    ) as Record<string, string>;
    template = parse(
      await fs.readFile(path.resolve(__dirname, '..', TEMPLATE_PATH), 'utf8'),
    );
    const catalog = catalogServiceMock({
      entities: [
        {
          ...template,
          metadata: { ...template.metadata, namespace: 'default' },
        },
      ],
    });
    backend = await startTestBackend({
      features: [
        scaffolderPlugin,
        scaffolderModuleGpuCluster,
        createServiceFactory({
          service: catalogServiceRef,
          deps: {},
          factory: () => Object.assign(catalog, { addLocation }),
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
              workingDirectory: mockDir.resolve('work'),
            },
            integrations: {
              github: [{ host: 'github.com', token: CONFIG_CANARY }],
            },
            gpuCluster: {
              policy: {
                groups: [
                  {
                    group: 'group:default/ml-platform',
                    projects: ['e2e-project-1'],
                    stateBucket: 'e2e-tfstate',
                  },
                ],
              },
              preflight: { endpoint: { url: cloud.url, token: CLOUD_TOKEN } },
              terraform: {
                binaryPath: await wrapper(
                  'terraform',
                  '/usr/local/bin/terraform',
                ),
                backend: 'local',
                env: terraformEnv,
                localStateDirectory: mockDir.resolve('state'),
                runDirectory: mockDir.resolve('runs'),
              },
              kubectl: {
                binaryPath: await wrapper('kubectl', '/usr/bin/kubectl'),
                kueueManifestPath: await writeKueueReleaseStandIn(
                  mockDir.resolve('kueue-manifests.yaml'),
                ),
                kueueReadyTimeoutSeconds: 60,
                runDirectory: mockDir.resolve('runs'),
              },
              catalog: { locationDirectory: mockDir.resolve('locations') },
              clusters: [
                {
                  name: 'canary-gke',
                  kubernetes: {
                    url: emu.url,
                    caData: emu.caPem,
                    token: emu.token,
                  },
                },
                {
                  // The failing run: a cluster nobody answers for.
                  name: 'broken-gke',
                  kubernetes: { url: 'https://127.0.0.1:1', token: emu.token },
                },
              ],
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
    delete process.env.GPU_CLUSTER_TEST_DATABASE_PASSWORD;
    await backend?.stop();
    await emu?.stop();
    await cloud?.stop();
    await sandbox?.cleanup();
  });

  it('never leaves the backend: full run, failing run and dry run', async () => {
    const full = await runTask('canary');
    expect({ status: full.status, log: full.log.slice(-3000) }).toEqual({
      status: 'completed',
      log: expect.stringContaining('Registered resource:default/canary-gke'),
    });

    const failing = await runTask('broken');
    expect(failing.status).toBe('failed');
    expect(failing.log).toContain(
      'Cannot reach cluster broken-gke with kubectl',
    );

    const dryRun = await http('/v2/dry-run', {
      method: 'POST',
      body: JSON.stringify({
        template,
        values: {
          identity: {
            projectId: 'e2e-project-1',
            namePrefix: 'dryrun',
            owner: 'group:default/ml-platform',
          },
        },
        secrets: {},
        directoryContents: [],
      }),
    });
    expect(dryRun.status).toBe(200);

    // HTTP bodies and task logs.
    expect(leaks(bodies.join('\n'))).toEqual([]);
    expect(leaks(full.log + failing.log)).toEqual([]);

    // The catalog entity the run registered.
    expect(addLocation).toHaveBeenCalledTimes(1);
    const entityFile = mockDir.resolve('locations', 'default-canary-gke.yaml');
    const entity = await fs.readFile(entityFile, 'utf8');
    expect(parse(entity).metadata.name).toBe('canary-gke');
    expect(leaks(entity)).toEqual([]);

    // Every file the runs wrote or left (state, workspaces, tool caches), and the tools'
    // environments as they started (terraform, which starts the provider, and kubectl).
    const toolEnvs = await allFiles(mockDir.resolve('tool-env'));
    expect(toolEnvs.map(f => path.basename(f)).sort()).toEqual([
      'kubectl',
      'terraform',
    ]);
    for (const file of await allFiles(mockDir.path)) {
      if (file.includes(`${path.sep}sandbox${path.sep}`)) continue;
      const text = await fs.readFile(file, 'latin1');
      expect({ file, leaks: leaks(text) }).toEqual({ file, leaks: [] });
    }
    const terraformEnv = await fs.readFile(
      mockDir.resolve('tool-env', 'terraform'),
      'utf8',
    );
    expect(terraformEnv).not.toContain('GPU_CLUSTER_TEST_DATABASE_PASSWORD');
    expect(terraformEnv).toContain('TF_IN_AUTOMATION=1');
    // The private run directories are gone.
    expect(await fs.readdir(mockDir.resolve('runs'))).toEqual([]);
  });
});
