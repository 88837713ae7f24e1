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
import { parse } from 'yaml';
import { scaffolderModuleGpuCluster } from './module';
import { TEMPLATE_PATH } from './template/templatePath';
import {
  startCloudApisEmulator,
  type CloudApisEmulator,
} from '@gpu-platform/emulators';
import { VALUES } from './__testUtils__/actionContext';

const CLOUD_TOKEN = 'module-test-cloud-token';

/**
 * The committed template through the real scaffolder backend with this module: dry runs and
 * real tasks of two users in two groups, against `gpuCluster.policy`.
 */

jest.setTimeout(60_000);

const templateFile = path.resolve(__dirname, '..', TEMPLATE_PATH);

const GROUPS: Record<string, string[]> = {
  'user:default/alice': ['group:default/ml-platform'],
  'user:default/bob': ['group:default/research'],
};

/** Ownership claims as a sign-in resolver would issue them: the user and their groups. */
const userInfoByGroup = createServiceFactory({
  service: coreServices.userInfo,
  deps: {},
  factory: () => ({
    async getUserInfo(credentials: any) {
      const ref = credentials.principal.userEntityRef as string;
      return {
        userEntityRef: ref,
        ownershipEntityRefs: [ref, ...(GROUPS[ref] ?? [])],
      };
    },
  }),
});

const POLICY = {
  groups: [
    {
      group: 'group:default/ml-platform',
      projects: ['e2e-project-1', 'e2e-short-1'],
      stateBucket: 'e2e-tfstate',
    },
    {
      group: 'group:default/research',
      projects: ['research-project-1'],
      stateBucket: 'research-tfstate',
    },
  ],
};

describe('the template through the real scaffolder backend', () => {
  const mockDir = createMockDirectory();
  let base: string;
  let backend: Awaited<ReturnType<typeof startTestBackend>>;
  let template: any;
  let cloud: CloudApisEmulator;
  const sentinel = () => mockDir.resolve('tool-ran');

  const headers = (user: string) => ({
    'content-type': 'application/json',
    authorization: mockCredentials.user.header(user),
  });
  const dryRun = async (
    user: string,
    values: unknown,
    directoryContents: { path: string; base64Content: string }[] = [],
  ) => {
    const response = await fetch(`${base}/v2/dry-run`, {
      method: 'POST',
      headers: headers(user),
      body: JSON.stringify({
        template,
        values,
        secrets: {},
        directoryContents,
      }),
    });
    return { status: response.status, body: (await response.json()) as any };
  };
  const logOf = (body: any) =>
    (body.log ?? [])
      .map((l: any) => l.body?.message)
      .filter(Boolean)
      .join('\n');

  /** Runs a real task to its end; its status and log. */
  const task = async (user: string, values: unknown) => {
    const created = await fetch(`${base}/v2/tasks`, {
      method: 'POST',
      headers: headers(user),
      body: JSON.stringify({
        templateRef: 'template:default/gke-gpu-cluster',
        values,
      }),
    });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    let status = 'open';
    for (let i = 0; i < 200 && ['open', 'processing'].includes(status); i++) {
      await new Promise(r => setTimeout(r, 100));
      const read = await fetch(`${base}/v2/tasks/${id}`, {
        headers: headers(user),
      });
      status = ((await read.json()) as any).status;
    }
    const events = await fetch(`${base}/v2/tasks/${id}/events`, {
      headers: headers(user),
    });
    const log = ((await events.json()) as any[])
      .map(e => e.body?.message)
      .filter(Boolean)
      .join('\n');
    return { id, status, log };
  };

  beforeAll(async () => {
    mockDir.clear();
    // Would leave a marker if terraform or kubectl were ever started.
    const tool = mockDir.resolve('tool');
    await fs.writeFile(tool, `#!/bin/sh\ntouch "${sentinel()}"\nexit 1\n`, {
      mode: 0o755,
    });
    template = parse(await fs.readFile(templateFile, 'utf8'));
    // The preflight step's Compute / Service Usage / Resource Manager; e2e-short-1's GPU quota
    // is short.
    cloud = await startCloudApisEmulator({
      token: CLOUD_TOKEN,
      fixtures: 'empty',
      projects: [
        { projectId: 'e2e-project-1' },
        { projectId: 'research-project-1' },
        { projectId: 'e2e-short-1', defaultGpuQuota: 0 },
      ],
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
        userInfoByGroup,
        mockServices.permissions.factory({ result: AuthorizeResult.ALLOW }),
        mockServices.rootConfig.factory({
          data: {
            backend: {
              baseUrl: 'http://127.0.0.1',
              listen: { host: '127.0.0.1' },
            },
            gpuCluster: {
              policy: POLICY,
              dryRunRateLimit: { limit: 1000, windowSeconds: 60 },
              preflight: {
                endpoint: { url: cloud.url, token: CLOUD_TOKEN },
              },
              terraform: {
                binaryPath: tool,
                backend: 'local',
                localStateDirectory: mockDir.resolve('state'),
                runDirectory: mockDir.resolve('runs'),
              },
              kubectl: { binaryPath: tool },
            },
          },
        }),
      ],
    });
    const { port } = backend.server.address() as AddressInfo;
    base = `http://127.0.0.1:${port}/api/scaffolder`;
  });

  afterAll(async () => {
    await backend?.stop();
    await cloud?.stop();
  });

  it('registers the gpu-cluster actions', async () => {
    const actions = await fetch(`${base}/v2/actions`, {
      headers: headers('user:default/alice'),
    });
    expect(actions.status).toBe(200);
    const ids = ((await actions.json()) as { id: string }[]).map(a => a.id);
    expect(ids).toEqual(
      expect.arrayContaining([
        'gpu-cluster:spec:validate',
        'gpu-cluster:stack:render',
        'gpu-cluster:terraform:apply',
        'gpu-cluster:kubectl:apply',
        'gpu-cluster:catalog:register',
        'gpu-cluster:destroy',
        'gpu-cluster:update',
      ]),
    );
  });

  it('dry-runs for a member of an allowed group: rendered files and a plan summary, no tool started, nothing left behind', async () => {
    const { status, body } = await dryRun('user:default/alice', VALUES);
    expect({ status, error: body.error }).toEqual({
      status: 200,
      error: undefined,
    });
    const log = logOf(body);
    expect(log).toContain('GPU stack spec is valid: cluster e2e-gke');
    expect(log).toContain(
      'state gs://e2e-tfstate/gpu-clusters/default/ml-platform/e2e',
    );
    expect(log).toContain('Dry run: terraform does not run');
    expect(log).toContain('node pool h200-dws: a3-ultragpu-8g');
    expect(log).toMatch(
      /Skipping because gpu-cluster:kubectl:apply does not support dry-run/,
    );
    expect(log).toContain('Dry run: resource:default/e2e-gke written');
    const files = new Map<string, string>(
      body.directoryContents.map((f: any) => [
        f.path,
        Buffer.from(f.base64Content, 'base64').toString('utf8'),
      ]),
    );
    expect(
      JSON.parse(files.get('terraform/terraform.tfvars.json')!).project_id,
    ).toBe('e2e-project-1');
    expect(files.has('manifests/apply-plan.json')).toBe(true);
    expect([...files.keys()].some(f => f.includes('.terraform'))).toBe(false);
    expect(parse(files.get('catalog-info.yaml')!)).toMatchObject({
      kind: 'Resource',
      spec: {
        type: 'kubernetes-cluster',
        owner: 'group:default/ml-platform',
      },
    });
    expect(body.output.links).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ entityRef: 'resource:default/e2e-gke' }),
      ]),
    );
    await expect(fs.stat(sentinel())).rejects.toThrow();
    await expect(fs.readdir(mockDir.resolve('runs'))).rejects.toThrow();
  });

  it('never executes Terraform supplied in the request', async () => {
    const canary = mockDir.resolve('canary.txt');
    await fs.writeFile(canary, 'canary-file-content-1234');
    const leak = `resource "terraform_data" "leak" {
  lifecycle {
    precondition {
      condition     = false
      error_message = base64encode(file(${JSON.stringify(canary)}))
    }
  }
}
data "external" "env" {
  program = ["sh", "-c", "env > ${mockDir.resolve('env-dump')}"]
}
`;
    const { status, body } = await dryRun('user:default/alice', VALUES, [
      {
        path: 'terraform/leak.tf',
        base64Content: Buffer.from(leak).toString('base64'),
      },
      {
        path: 'terraform/main.tf',
        base64Content: Buffer.from(leak).toString('base64'),
      },
    ]);
    expect(status).toBe(200);
    const text = JSON.stringify(body);
    expect(text).not.toContain(
      Buffer.from('canary-file-content-1234').toString('base64').slice(0, 16),
    );
    expect(text).not.toContain('canary-file-content-1234');
    await expect(fs.stat(sentinel())).rejects.toThrow();
    await expect(fs.stat(mockDir.resolve('env-dump'))).rejects.toThrow();
  });

  it("refuses another group's member, naming the field", async () => {
    const { status, body } = await dryRun('user:default/bob', VALUES);
    expect(status).toBe(403);
    expect(body.error).toEqual({
      name: 'NotAllowedError',
      message:
        'identity.owner: user:default/bob is not a member of group:default/ml-platform and may not create GPU clusters for it',
    });
    const own = await dryRun('user:default/bob', {
      identity: {
        projectId: 'e2e-project-1',
        namePrefix: 'bob',
        owner: 'group:default/research',
      },
    });
    expect(own.status).toBe(403);
    expect(own.body.error.message).toMatch(
      /^identity\.projectId: Project e2e-project-1 is not allowed for group:default\/research/,
    );
  });

  it('refuses bad values with 400 and field paths, prototype keys included', async () => {
    const rejected = await dryRun('user:default/alice', {
      identity: { ...VALUES.identity, namePrefix: 'e2e;reboot' },
    });
    expect(rejected.status).toBe(400);
    expect(rejected.body.errors).toEqual([
      expect.objectContaining({
        path: ['identity', 'namePrefix'],
        instance: 'e2e;reboot',
      }),
    ]);
    // Cross-field rules JSON Schema cannot express stop the run at the validate step (the
    // form's field extensions check them on Next; a call to the API meets them here).
    const invalid = await dryRun('user:default/alice', {
      identity: { ...VALUES.identity, zones: ['europe-west4-a'] },
    });
    expect(invalid.status).toBe(400);
    expect(invalid.body.error.message).toContain(
      'identity.zones[0]: zone europe-west4-a is not in region us-central1',
    );
    const identity =
      '"identity": {"projectId": "e2e-project-1", "namePrefix": "e2e", "owner": "group:default/ml-platform"';
    const reserved = [
      [`{${identity}, "__proto__": {"x": 1}}}`, 'values.identity.__proto__'],
      [
        `{${identity}, "labels": {"constructor": "x"}}}`,
        'values.identity.labels.constructor',
      ],
      [
        `{${identity}}, "nodePools": [{"__proto__": {"maxNodes": 99}}]}`,
        'values.nodePools[0].__proto__',
      ],
      [
        `{${identity}}, "constructor": {"prototype": {"x": 1}}}`,
        'values.constructor',
      ],
      [`{${identity}}, "__proto__": {"x": 1}}`, 'values.__proto__'],
    ];
    for (const [values, field] of reserved) {
      const response = await fetch(`${base}/v2/dry-run`, {
        method: 'POST',
        headers: headers('user:default/alice'),
        body: `{"template": ${JSON.stringify(
          template,
        )}, "values": ${values}, "secrets": {}, "directoryContents": []}`,
      });
      const body = (await response.json()) as any;
      expect({ status: response.status, error: body.error }).toEqual({
        status: 400,
        error: expect.objectContaining({
          name: 'InputError',
          message: `${field}: the key is not allowed`,
        }),
      });
      expect(JSON.stringify(body)).not.toMatch(/\\n\s+at |node_modules/);
    }
  });

  it('a refused task says what to fix, without a state location or stack trace', async () => {
    const { status, log } = await task('user:default/bob', VALUES);
    expect(status).toBe('failed');
    expect(log).toContain(
      'identity.owner: user:default/bob is not a member of group:default/ml-platform',
    );
    expect(log).toContain('Nothing was created');
    expect(log).not.toContain('gs://');
    expect(log).not.toMatch(/\n\s+at |node_modules|\/work\//);
  });

  it('a task whose GPU quota is short stops at preflight, naming the quota and where to raise it, before any tool runs', async () => {
    const { status, log } = await task('user:default/alice', {
      ...VALUES,
      identity: { ...VALUES.identity, projectId: 'e2e-short-1' },
    });
    expect(status).toBe('failed');
    expect(log).toContain(
      'Not enough GPU quota: quota PREEMPTIBLE_NVIDIA_H200_GPUS in us-central1 is 0',
    );
    expect(log).toContain(
      'https://console.cloud.google.com/iam-admin/quotas?project=e2e-short-1',
    );
    expect(log).not.toContain(CLOUD_TOKEN);
    // Nothing can have been created: the refusal guidance, not the one naming the state.
    expect(log).toContain('Nothing was created');
    expect(log).not.toContain('Resources Terraform already created');
    await expect(fs.stat(sentinel())).rejects.toThrow();
  });

  it('a failed provisioning task names the state location the policy assigned', async () => {
    const { status, log } = await task('user:default/alice', VALUES);
    expect(status).toBe('failed');
    expect(log).toContain('terraform init failed');
    expect(log).toContain(
      'gs://e2e-tfstate/gpu-clusters/default/ml-platform/e2e',
    );
    expect(log).not.toContain('gs:///');
    expect(log).not.toMatch(/\n\s+at |node_modules/);
    expect(log).not.toContain(mockDir.path);
    await fs.rm(sentinel(), { force: true });
  });
});

describe('dry-run rate limit', () => {
  it('limits dry runs per user, with a clear 429', async () => {
    const cloud = await startCloudApisEmulator({
      token: CLOUD_TOKEN,
      fixtures: 'empty',
      projects: [{ projectId: 'e2e-project-1' }],
    });
    const template = parse(await fs.readFile(templateFile, 'utf8'));
    const backend = await startTestBackend({
      features: [
        scaffolderPlugin,
        scaffolderModuleGpuCluster,
        catalogServiceMock.factory(),
        userInfoByGroup,
        mockServices.permissions.factory({ result: AuthorizeResult.ALLOW }),
        mockServices.rootConfig.factory({
          data: {
            backend: {
              baseUrl: 'http://127.0.0.1',
              listen: { host: '127.0.0.1' },
            },
            gpuCluster: {
              policy: POLICY,
              dryRunRateLimit: { limit: 2, windowSeconds: 600 },
              preflight: { endpoint: { url: cloud.url, token: CLOUD_TOKEN } },
              terraform: { backend: 'local' },
            },
          },
        }),
      ],
    });
    try {
      const { port } = backend.server.address() as AddressInfo;
      const run = (user: string) =>
        fetch(`http://127.0.0.1:${port}/api/scaffolder/v2/dry-run`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            authorization: mockCredentials.user.header(user),
          },
          body: JSON.stringify({
            template,
            values: VALUES,
            secrets: {},
            directoryContents: [],
          }),
        });
      expect((await run('user:default/alice')).status).toBe(200);
      expect((await run('user:default/alice')).status).toBe(200);
      const limited = await run('user:default/alice');
      expect(limited.status).toBe(429);
      expect(((await limited.json()) as any).error.message).toBe(
        'Too many dry runs: at most 2 per 600 s per user (gpuCluster.dryRunRateLimit). Try again later.',
      );
      // Another user has their own allowance.
      expect((await run('user:default/bob')).status).not.toBe(429);
    } finally {
      await backend.stop();
      await cloud.stop();
    }
  });
});
