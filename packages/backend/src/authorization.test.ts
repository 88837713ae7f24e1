/*
 * Authorization of the backend as configured, with two users in two groups: the real catalog,
 * permission and scaffolder plugins, this package's policy and catalog modules, the gpu-cluster
 * scaffolder module, and the catalog section of app-config.yaml as it is.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import {
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import catalogModuleScaffolderEntityModel from '@backstage/plugin-catalog-backend-module-scaffolder-entity-model';
import scaffolderPlugin from '@backstage/plugin-scaffolder-backend';
import { permissionRules } from '@backstage/plugin-catalog-backend/alpha';
import { createConditionAuthorizer } from '@backstage/plugin-permission-node';
import permissionPlugin from '@backstage/plugin-permission-backend';
import { parse, stringify } from 'yaml';
import { catalogModuleDevelopmentFileLocations } from './modules/developmentFileLocations';
import {
  GpuClusterPermissionPolicy,
  permissionModuleGpuClusterPolicy,
} from './modules/permissionPolicy';
import { readGpuClusterPolicy } from '@gpu-platform/backstage-plugin-gpu-cluster-node';
import { catalogModuleGpuClusterTemplates } from '@gpu-platform/backstage-plugin-scaffolder-backend-module-gpu-cluster';

jest.setTimeout(120_000);

const repoRoot = path.resolve(__dirname, '../../..');
const appConfig = parse(
  require('node:fs').readFileSync(
    path.join(repoRoot, 'app-config.yaml'),
    'utf8',
  ),
);

/**
 * The configured locations with their file targets made absolute: relative targets resolve against
 * the backend's working directory, packages/backend when the app runs, the repository root under Jest.
 */
const configuredLocations = appConfig.catalog.locations.map(
  (location: { type: string; target: string }) =>
    location.type === 'file'
      ? { ...location, target: path.resolve(__dirname, '..', location.target) }
      : location,
);

const ALICE = 'user:default/alice';
const BOB = 'user:default/bob';
const EVE = 'user:default/eve';
const ADMIN = 'user:default/root';
/**
 * Catalog reads in this test go through a service principal: with mock credentials the catalog's
 * conditional read on behalf of a user cannot be told from a direct user request, which the
 * permission backend refuses without a resourceRef (real tokens carry the difference).
 */
const SERVICE = 'service';
const GROUPS: Record<string, string[]> = {
  [ALICE]: ['group:default/ml-platform'],
  [BOB]: ['group:default/research'],
  [EVE]: [],
  [ADMIN]: ['group:default/platform-admins'],
};

const POLICY = {
  adminGroups: ['group:default/platform-admins'],
  groups: [
    {
      group: 'group:default/ml-platform',
      projects: ['ml-project-1'],
      stateBucket: 'ml-tfstate',
    },
    {
      group: 'group:default/research',
      projects: ['research-project-1'],
      stateBucket: 'research-tfstate',
    },
  ],
};

/** Ownership claims as a sign-in resolver issues them: the user and their groups. */
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

const policy = new GpuClusterPermissionPolicy(
  readGpuClusterPolicy(new ConfigReader({ gpuCluster: { policy: POLICY } })),
);
const decide = (user: string, name: string, resourceType?: string) =>
  policy.handle(
    {
      permission: resourceType
        ? { type: 'resource', name, attributes: {}, resourceType }
        : ({ type: 'basic', name, attributes: {} } as any),
    } as any,
    {
      credentials: mockCredentials.user(user),
      info: {
        userEntityRef: user,
        ownershipEntityRefs: [user, ...GROUPS[user]],
      },
    },
  );

describe('the permission policy of gpuCluster.policy', () => {
  it('lets only the groups of the policy create GPU clusters', async () => {
    expect((await decide(ALICE, 'gpuCluster.stack.create')).result).toBe(
      AuthorizeResult.ALLOW,
    );
    expect((await decide(BOB, 'gpuCluster.stack.create')).result).toBe(
      AuthorizeResult.ALLOW,
    );
    expect((await decide(EVE, 'gpuCluster.stack.create')).result).toBe(
      AuthorizeResult.DENY,
    );
  });

  it('keeps the gpu-cluster actions from users outside the policy', async () => {
    expect(
      (await decide(ALICE, 'scaffolder.action.execute', 'scaffolder-action'))
        .result,
    ).toBe(AuthorizeResult.ALLOW);
    expect(
      await decide(EVE, 'scaffolder.action.execute', 'scaffolder-action'),
    ).toMatchObject({
      result: AuthorizeResult.CONDITIONAL,
      pluginId: 'scaffolder',
      conditions: {
        not: {
          anyOf: expect.arrayContaining([
            {
              rule: 'HAS_ACTION_ID',
              resourceType: 'scaffolder-action',
              params: { actionId: 'gpu-cluster:terraform:apply' },
            },
            {
              rule: 'HAS_ACTION_ID',
              resourceType: 'scaffolder-action',
              params: { actionId: 'gpu-cluster:destroy' },
            },
          ]),
        },
      },
    });
  });

  it("shows the template's tagged pages and steps to the policy's members only", async () => {
    for (const name of [
      'scaffolder.template.parameter.read',
      'scaffolder.template.step.read',
    ]) {
      for (const user of [ALICE, BOB, ADMIN]) {
        expect({
          name,
          user,
          decision: await decide(user, name, 'scaffolder-template'),
        }).toEqual({ name, user, decision: { result: AuthorizeResult.ALLOW } });
      }
      expect(await decide(EVE, name, 'scaffolder-template')).toEqual({
        result: AuthorizeResult.CONDITIONAL,
        pluginId: 'scaffolder',
        resourceType: 'scaffolder-template',
        conditions: {
          not: {
            rule: 'HAS_TAG',
            resourceType: 'scaffolder-template',
            params: { tag: 'gpu-cluster' },
          },
        },
      });
    }
  });

  it('lets only owners change a cluster and delete its entity; task logs are their initiator’s', async () => {
    expect(
      await decide(BOB, 'gpuCluster.stack.update', 'catalog-entity'),
    ).toMatchObject({
      result: AuthorizeResult.CONDITIONAL,
      pluginId: 'catalog',
      conditions: {
        rule: 'IS_ENTITY_OWNER',
        params: { claims: [BOB, 'group:default/research'] },
      },
    });
    expect(
      await decide(BOB, 'catalog.entity.delete', 'catalog-entity'),
    ).toMatchObject({ result: AuthorizeResult.CONDITIONAL });
    expect(
      await decide(BOB, 'scaffolder.task.read', 'scaffolder-task'),
    ).toMatchObject({
      result: AuthorizeResult.CONDITIONAL,
      conditions: { rule: 'IS_TASK_OWNER', params: { createdBy: [BOB] } },
    });
    expect(
      (await decide(ADMIN, 'scaffolder.task.read', 'scaffolder-task')).result,
    ).toBe(AuthorizeResult.ALLOW);
  });
});

describe('the backend as configured, with two users in two groups', () => {
  let backend: Awaited<ReturnType<typeof startTestBackend>>;
  let base: string;
  let locations: string;

  /** A request as `user`, or as a backend plugin with `SERVICE`. */
  const call = async (
    user: string,
    method: string,
    url: string,
    body?: unknown,
  ) => {
    const response = await fetch(`${base}${url}`, {
      method,
      headers: {
        'content-type': 'application/json',
        authorization:
          user === SERVICE
            ? mockCredentials.service.header()
            : mockCredentials.user.header(user),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : {} };
  };
  const authorize = (user: string, permission: object, resourceRef?: string) =>
    call(user, 'POST', '/api/permission/authorize', {
      items: [{ id: '1', permission, ...(resourceRef ? { resourceRef } : {}) }],
    }).then(r => r.body.items?.[0]?.result ?? r);

  beforeAll(async () => {
    locations = await fs.mkdtemp(path.join(os.tmpdir(), 'authz-locations-'));
    await fs.writeFile(
      path.join(locations, 'default-alice-gke.yaml'),
      stringify({
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'Resource',
        metadata: {
          name: 'alice-gke',
          annotations: {
            'gpu-platform.dev/cluster-name': 'alice-gke',
            'gpu-platform.dev/project-id': 'ml-project-1',
          },
        },
        spec: {
          type: 'kubernetes-cluster',
          owner: 'group:default/ml-platform',
        },
      }),
    );
    backend = await startTestBackend({
      features: [
        catalogPlugin,
        permissionPlugin,
        permissionModuleGpuClusterPolicy,
        catalogModuleDevelopmentFileLocations,
        userInfoByGroup,
        mockServices.rootConfig.factory({
          data: {
            backend: {
              baseUrl: 'http://127.0.0.1',
              listen: { host: '127.0.0.1' },
            },
            permission: { enabled: true },
            // The catalog rules and locations of app-config.yaml, as they are.
            catalog: {
              rules: appConfig.catalog.rules,
              locations: configuredLocations,
            },
            gpuCluster: {
              policy: POLICY,
              catalog: { locationDirectory: locations },
            },
          },
        }),
      ],
    });
    const { port } = backend.server.address() as AddressInfo;
    base = `http://127.0.0.1:${port}`;
    // What the template's catalog:register action does for alice's cluster.
    const registered = await call(ALICE, 'POST', '/api/catalog/locations', {
      type: 'file',
      target: path.join(locations, 'default-alice-gke.yaml'),
    });
    if (registered.status !== 201)
      throw new Error(`registration failed: ${JSON.stringify(registered)}`);
    // The cluster alice registered and a group of the configured catalog: both must be ingested
    // before the decisions are applied to them (ingestion order is not guaranteed).
    const deadline = Date.now() + 60_000;
    for (const ref of [
      'resource/default/alice-gke',
      'group/default/platform-team',
    ]) {
      for (;;) {
        const entity = await call(
          SERVICE,
          'GET',
          `/api/catalog/entities/by-name/${ref}`,
        );
        if (entity.status === 200) break;
        if (Date.now() > deadline) {
          throw new Error(
            `${ref} never appeared: ${JSON.stringify(entity.body)}`,
          );
        }
        await new Promise(r => setTimeout(r, 250));
      }
    }
  });

  afterAll(async () => {
    await backend?.stop();
    if (locations) await fs.rm(locations, { recursive: true, force: true });
  });

  it('lets a cluster be changed or its entity deleted by its owning group only', async () => {
    // The policy's conditional decisions, applied with the catalog's own permission rules to the
    // entity the catalog holds (ownership from its relations). With mock credentials the
    // permission backend cannot call the catalog's apply-conditions endpoint itself.
    const { body: entity } = await call(
      SERVICE,
      'GET',
      '/api/catalog/entities/by-name/resource/default/alice-gke',
    );
    expect(entity.relations).toEqual(
      expect.arrayContaining([
        { type: 'ownedBy', targetRef: 'group:default/ml-platform' },
      ]),
    );
    const isAllowed = createConditionAuthorizer(Object.values(permissionRules));
    const allowed = async (user: string, name: string) => {
      const decision = await decide(user, name, 'catalog-entity');
      return decision.result === AuthorizeResult.CONDITIONAL
        ? isAllowed(decision, entity)
        : decision.result === AuthorizeResult.ALLOW;
    };
    for (const name of [
      'gpuCluster.stack.update',
      'gpuCluster.ray.jobs.read',
      'catalog.entity.delete',
    ]) {
      expect({ name, alice: await allowed(ALICE, name) }).toEqual({
        name,
        alice: true,
      });
      expect({ name, bob: await allowed(BOB, name) }).toEqual({
        name,
        bob: false,
      });
      expect({ name, admin: await allowed(ADMIN, name) }).toEqual({
        name,
        admin: true,
      });
    }
    // Entities that are not GPU clusters are deleted as before.
    const { body: group } = await call(
      SERVICE,
      'GET',
      '/api/catalog/entities/by-name/group/default/platform-team',
    );
    const deleteGroup = await decide(
      BOB,
      'catalog.entity.delete',
      'catalog-entity',
    );
    expect(isAllowed(deleteGroup as any, group)).toBe(true);
  });

  it('decides gpuCluster.stack.create through the permission backend', async () => {
    const create = {
      type: 'basic',
      name: 'gpuCluster.stack.create',
      attributes: { action: 'create' },
    };
    expect(await authorize(ALICE, create)).toBe(AuthorizeResult.ALLOW);
    expect(await authorize(BOB, create)).toBe(AuthorizeResult.ALLOW);
    expect(await authorize(EVE, create)).toBe(AuthorizeResult.DENY);
  });

  it('refuses a User injected through a user-registered location', async () => {
    const injected = path.join(locations, 'injected.yaml');
    await fs.writeFile(
      injected,
      stringify({
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'User',
        metadata: { name: 'mallory' },
        spec: { memberOf: ['platform-team'] },
      }),
    );
    const res = await call(EVE, 'POST', '/api/catalog/locations?dryRun=true', {
      type: 'file',
      target: injected,
    });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toContain(
      'Entity user:default/mallory at file:',
    );
    expect(res.body.error.message).toContain('is not of an allowed kind');
    // Resources (what the template registers) remain fine.
    const resource = await call(
      EVE,
      'POST',
      '/api/catalog/locations?dryRun=true',
      { type: 'file', target: path.join(locations, 'default-alice-gke.yaml') },
    );
    expect(resource.status).toBe(201);
  });

  it('accepts file locations only under gpuCluster.catalog.locationDirectory', async () => {
    for (const target of [
      '/etc/passwd',
      path.join(repoRoot, 'catalog-info.yaml'),
      `${locations}/../escape.yaml`,
      `${locations}-sibling/x.yaml`,
    ]) {
      const res = await call(EVE, 'POST', '/api/catalog/locations', {
        type: 'file',
        target,
      });
      expect({ target, status: res.status }).toEqual({ target, status: 400 });
      expect(res.body.error.message).toBe(
        'target: file locations may only point into gpuCluster.catalog.locationDirectory',
      );
    }
  });
});

/**
 * The scaffolder's own filtering of the "Create GPU cluster" template (its parameter pages and
 * steps tagged gpu-cluster) under this package's policy. The permissions service answers with
 * the policy for the caller's ownership claims and the scaffolder applies the conditional
 * decisions with its own rules, as it does behind the permission backend: with mock
 * credentials the permission backend cannot tell the scaffolder's on-behalf-of requests from
 * direct user requests (see above), so it is left out here.
 */
describe('the scaffolder as configured, with two users', () => {
  let backend: Awaited<ReturnType<typeof startTestBackend>>;
  let base: string;

  const call = async (
    user: string,
    method: string,
    url: string,
    body?: unknown,
  ) => {
    const response = await fetch(`${base}${url}`, {
      method,
      headers: {
        'content-type': 'application/json',
        authorization: mockCredentials.user.header(user),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : {} };
  };

  /** The permissions service, deciding with the policy for the caller's ownership claims. */
  const permissionsByPolicy = createServiceFactory({
    service: coreServices.permissions,
    deps: { userInfo: coreServices.userInfo, auth: coreServices.auth },
    factory: ({ userInfo, auth }) => {
      const decideFor = async (permission: any, credentials: any) => {
        if (!auth.isPrincipal(credentials, 'user')) {
          return { result: AuthorizeResult.ALLOW } as const;
        }
        const info = await userInfo.getUserInfo(credentials);
        return policy.handle(
          { permission } as any,
          { credentials, info } as any,
        );
      };
      return {
        async authorizeConditional(queries: any[], { credentials }: any) {
          return Promise.all(
            queries.map(q => decideFor(q.permission, credentials)),
          );
        },
        async authorize(requests: any[], { credentials }: any) {
          return Promise.all(
            requests.map(async r => {
              const decision = await decideFor(r.permission, credentials);
              if (decision.result === AuthorizeResult.CONDITIONAL) {
                throw new Error(
                  `${r.permission.name}: conditional decisions on a resourceRef are not applied in this test`,
                );
              }
              return decision;
            }),
          );
        },
      } as any;
    },
  });

  beforeAll(async () => {
    backend = await startTestBackend({
      features: [
        catalogPlugin,
        catalogModuleScaffolderEntityModel,
        catalogModuleGpuClusterTemplates,
        scaffolderPlugin,
        userInfoByGroup,
        permissionsByPolicy,
        mockServices.rootConfig.factory({
          data: {
            backend: {
              baseUrl: 'http://127.0.0.1',
              listen: { host: '127.0.0.1' },
            },
            permission: { enabled: true },
            catalog: {
              rules: appConfig.catalog.rules,
              locations: configuredLocations,
            },
            gpuCluster: { policy: POLICY },
          },
        }),
      ],
    });
    const { port } = backend.server.address() as AddressInfo;
    base = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + 60_000;
    for (;;) {
      const template = await call(
        ALICE,
        'GET',
        '/api/catalog/entities/by-name/template/default/gke-gpu-cluster',
      );
      if (template.status === 200) break;
      if (Date.now() > deadline) {
        throw new Error(
          `the template never appeared: ${JSON.stringify(template.body)}`,
        );
      }
      await new Promise(r => setTimeout(r, 250));
    }
  });

  afterAll(async () => {
    await backend?.stop();
  });

  it('serves the "Create GPU cluster" form whole to a member, only its first page to anyone else', async () => {
    const schema = (user: string) =>
      call(
        user,
        'GET',
        '/api/scaffolder/v2/templates/default/template/gke-gpu-cluster/parameter-schema',
      );
    const alice = await schema(ALICE);
    expect(alice.status).toBe(200);
    expect(alice.body.steps.map((s: any) => s.title)).toEqual([
      'GPU cluster',
      'Advanced settings',
      'What will happen',
    ]);
    // Page 1 stays: it tells eve why she cannot create a GPU cluster and whom to ask.
    const eve = await schema(EVE);
    expect(eve.status).toBe(200);
    expect(eve.body.steps.map((s: any) => s.title)).toEqual(['GPU cluster']);
  });

  it('leaves the provisioning steps out of a task someone outside the policy starts', async () => {
    const values = {
      identity: {
        projectId: 'ml-project-1',
        namePrefix: 'authz',
        owner: 'group:default/ml-platform',
      },
    };
    const stepsOfTask = async (user: string) => {
      const created = await call(user, 'POST', '/api/scaffolder/v2/tasks', {
        templateRef: 'template:default/gke-gpu-cluster',
        values,
      });
      expect(created.status).toBe(201);
      const task = await call(
        user,
        'GET',
        `/api/scaffolder/v2/tasks/${created.body.id}`,
      );
      expect(task.status).toBe(200);
      return task.body.spec.steps.map((s: any) => s.id);
    };
    expect(await stepsOfTask(ALICE)).toEqual([
      'validate',
      'preflight',
      'render',
      'terraform',
      'kubectl',
      'register',
      'failure-guidance',
      'refused-guidance',
    ]);
    expect(await stepsOfTask(EVE)).toEqual([
      'validate',
      'failure-guidance',
      'refused-guidance',
    ]);
  });
});
