import fs from 'node:fs/promises';
import {
  createMockDirectory,
  mockServices,
} from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import { InputError, NotAllowedError, NotFoundError } from '@backstage/errors';
import {
  AuthorizeResult,
  type AuthorizePermissionRequest,
} from '@backstage/plugin-permission-common';
import { assertGpuStackSpec } from '@gpu-platform/backstage-plugin-gpu-cluster-common';
import { clusterResourceEntity } from '../entity';
import {
  actionContext,
  ALICE,
  configFrom,
  testCatalog,
  VALUES,
} from '../__testUtils__/actionContext';
import { createDestroyAction, parseClusterEntityRef } from './destroy';

/** The spec catalog:register records: the values with the policy's state location. */
const REGISTERED_SPEC = assertGpuStackSpec({
  ...VALUES,
  terraformState: {
    bucket: 'e2e-tfstate',
    prefix: 'gpu-clusters/default/ml-platform/e2e',
  },
});
const ENTITY_REF = 'resource:default/e2e-gke';

const registration = (spec: Record<string, unknown> = REGISTERED_SPEC) => ({
  entityRef: ENTITY_REF,
  projectId: 'e2e-project-1',
  location: 'us-central1',
  clusterName: 'e2e-gke',
  owner: 'group:default/ml-platform',
  spec,
});

const clusterEntity = (patch: (entity: Entity) => void = () => {}) => {
  const entity = clusterResourceEntity(REGISTERED_SPEC);
  entity.metadata.uid = 'uid-e2e-gke';
  patch(entity);
  return entity;
};

/**
 * Refusals and the dry run of gpu-cluster:destroy, before any tool: a sentinel binary stands in
 * for terraform and kubectl and records whether anything ran it. The full destroy against the
 * emulators is in destroy.e2e.test.ts.
 */
describe('gpu-cluster:destroy refusals and dry run', () => {
  const mockDir = createMockDirectory();
  let workspacePath: string;
  beforeEach(() => {
    mockDir.clear();
    workspacePath = mockDir.resolve('workspace');
  });

  const sentinelBinary = async () => {
    const bin = mockDir.resolve('sentinel');
    await fs.writeFile(
      bin,
      `#!/bin/sh\ntouch "${mockDir.resolve('sentinel-ran')}"\n`,
      { mode: 0o755 },
    );
    return bin;
  };
  const sentinelRan = () =>
    fs
      .stat(mockDir.resolve('sentinel-ran'))
      .then(() => true)
      .catch(() => false);

  /** The permission decisions of a test: by permission name (ALLOW unless listed). */
  const permissionsDeciding = (denied: string[] = []) => {
    const asked: AuthorizePermissionRequest[] = [];
    const service = mockServices.permissions.mock({
      authorize: async requests => {
        asked.push(...(requests as AuthorizePermissionRequest[]));
        return requests.map(r => ({
          result: denied.includes(r.permission.name)
            ? AuthorizeResult.DENY
            : AuthorizeResult.ALLOW,
        }));
      },
    });
    return { service, asked };
  };

  const setup = async (
    options: {
      entities?: Entity[];
      registered?: ReturnType<typeof registration> | undefined;
      denied?: string[];
    } = {},
  ) => {
    const bin = await sentinelBinary();
    const config = configFrom({
      terraform: { binaryPath: bin, backend: 'local' },
      kubectl: { binaryPath: bin, credentials: 'gke' },
    });
    const catalog = testCatalog(options.entities ?? [clusterEntity()]);
    const registrations = {
      get: jest.fn(async () =>
        'registered' in options ? options.registered : registration(),
      ),
      remove: jest.fn(async () => {}),
    };
    const permissions = permissionsDeciding(options.denied);
    const action = createDestroyAction({
      config,
      catalog,
      permissions: permissions.service,
      auth: mockServices.auth(),
      registrations,
    });
    const run = (input: Record<string, unknown>, isDryRun = false) => {
      const ctx = actionContext({
        input: {
          entityRef: ENTITY_REF,
          confirmName: 'e2e-gke',
          ...input,
        } as any,
        workspacePath,
        isDryRun,
      });
      return { ctx, done: action.handler(ctx as any) };
    };
    return { run, registrations, catalog, asked: permissions.asked };
  };

  it('dry run: checks everything, runs no tool and removes nothing', async () => {
    const { run, registrations, asked } = await setup();
    const { ctx, done } = run({}, true);
    await done;
    expect(await sentinelRan()).toBe(false);
    expect(registrations.remove).not.toHaveBeenCalled();
    // The owner check is the permission framework's decision on the entity.
    expect(asked).toEqual([
      {
        permission: expect.objectContaining({ name: 'catalog.entity.delete' }),
        resourceRef: ENTITY_REF,
      },
      {
        permission: expect.objectContaining({
          name: 'gpuCluster.stack.update',
        }),
        resourceRef: ENTITY_REF,
      },
    ]);
    const outputs = Object.fromEntries((ctx.output as jest.Mock).mock.calls);
    expect(outputs).toMatchObject({
      entityRef: ENTITY_REF,
      clusterName: 'e2e-gke',
      projectId: 'e2e-project-1',
      inClusterWork: [],
      kept: [
        expect.objectContaining({
          resource: 'gs://e2e-project-1-e2e-data',
        }),
      ],
    });
  });

  it.each([['catalog.entity.delete'], ['gpuCluster.stack.update']])(
    'refuses a user who is not an owner (%s denied) before anything else',
    async denied => {
      const { run, registrations } = await setup({ denied: [denied] });
      const { done } = run({});
      await expect(done).rejects.toThrow(NotAllowedError);
      await expect(done).rejects.toThrow(
        `entityRef: ${ALICE.userEntityRef} may not destroy ${ENTITY_REF}`,
      );
      expect(registrations.get).not.toHaveBeenCalled();
      expect(await sentinelRan()).toBe(false);
    },
  );

  it('refuses an entity the template did not register', async () => {
    const { run } = await setup({ registered: undefined });
    await expect(run({}).done).rejects.toThrow(
      'entityRef: resource:default/e2e-gke was not registered by the Create GPU cluster template',
    );
    expect(await sentinelRan()).toBe(false);
  });

  it('refuses an entity that is not in the catalog', async () => {
    const { run } = await setup({ entities: [] });
    await expect(run({}).done).rejects.toThrow(NotFoundError);
  });

  it.each<[string, (entity: Entity) => void, string]>([
    [
      're-owned since',
      e => {
        e.spec!.owner = 'group:default/research';
      },
      'entity owner: registered group:default/ml-platform, found group:default/research',
    ],
    [
      'pointed at another project',
      e => {
        e.metadata.annotations!['gpu-platform.dev/project-id'] =
          'victim-project';
      },
      'gpu-platform.dev/project-id: registered e2e-project-1, found victim-project',
    ],
  ])(
    'refuses an entity %s (the annotations are never followed)',
    async (_what, patch, message) => {
      const { run } = await setup({ entities: [clusterEntity(patch)] });
      await expect(run({}).done).rejects.toThrow(message);
      expect(await sentinelRan()).toBe(false);
    },
  );

  it('refuses a registered spec outside gpuCluster.policy', async () => {
    const elsewhere = {
      ...registration(),
      spec: {
        ...REGISTERED_SPEC,
        terraformState: { bucket: 'other-bucket', prefix: 'x/e2e' },
      },
    };
    const { run } = await setup({ registered: elsewhere });
    await expect(run({}).done).rejects.toThrow(
      'is not where gpuCluster.policy puts group:default/ml-platform',
    );
    expect(await sentinelRan()).toBe(false);
  });

  it('refuses a wrong confirmation, naming the field', async () => {
    const { run } = await setup();
    const { done } = run({ confirmName: 'e2e' });
    await expect(done).rejects.toThrow(InputError);
    await expect(done).rejects.toThrow(
      "confirmName: type the cluster's name, e2e-gke, to confirm",
    );
  });

  it.each([
    'user:default/alice',
    'resource:default/../../etc',
    'resource:default/$(id)',
    'x'.repeat(70),
    'resource:default/e2e-gke\nother',
  ])('refuses the hostile reference %j, naming the field', async ref => {
    expect(() => parseClusterEntityRef(ref)).toThrow(/^entityRef: /);
    const { run, registrations } = await setup();
    await expect(run({ entityRef: ref }).done).rejects.toThrow(InputError);
    expect(registrations.get).not.toHaveBeenCalled();
  });

  it('accepts a short reference in any case', () => {
    expect(parseClusterEntityRef('E2E-GKE')).toBe(ENTITY_REF);
  });
});
