import fs from 'node:fs/promises';
import {
  createMockDirectory,
  mockServices,
} from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import { NotAllowedError } from '@backstage/errors';
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
import { createVerifyAction } from './verify';

const REGISTERED_SPEC = assertGpuStackSpec({
  ...VALUES,
  terraformState: {
    bucket: 'e2e-tfstate',
    prefix: 'gpu-clusters/default/ml-platform/e2e',
  },
});
const ENTITY_REF = 'resource:default/e2e-gke';

const registration = () => ({
  entityRef: ENTITY_REF,
  projectId: 'e2e-project-1',
  location: 'us-central1',
  clusterName: 'e2e-gke',
  owner: 'group:default/ml-platform',
  spec: REGISTERED_SPEC as unknown as Record<string, unknown>,
});

/**
 * Refusals and the dry run of gpu-cluster:verify, before any tool: a sentinel binary stands in
 * for kubectl and records whether anything ran it. The run itself is `verifyFabric`, tested
 * against the emulated cluster through `gpu-cluster verify` (verify.cli.test.ts in the node
 * package).
 */
describe('gpu-cluster:verify refusals and dry run', () => {
  const mockDir = createMockDirectory();
  beforeEach(() => mockDir.clear());

  const sentinelRan = () =>
    fs
      .stat(mockDir.resolve('sentinel-ran'))
      .then(() => true)
      .catch(() => false);

  const setup = async (
    options: {
      entities?: Entity[];
      registered?: ReturnType<typeof registration>;
      denied?: boolean;
      spec?: Record<string, unknown>;
    } = {},
  ) => {
    const bin = mockDir.resolve('sentinel');
    await fs.writeFile(
      bin,
      `#!/bin/sh\ntouch "${mockDir.resolve('sentinel-ran')}"\n`,
      { mode: 0o755 },
    );
    const asked: AuthorizePermissionRequest[] = [];
    const action = createVerifyAction({
      config: configFrom({
        terraform: { binaryPath: bin, backend: 'local' },
        kubectl: { binaryPath: bin, credentials: 'gke' },
      }),
      catalog: testCatalog(
        options.entities ?? [clusterResourceEntity(REGISTERED_SPEC)],
      ),
      permissions: mockServices.permissions.mock({
        authorize: async requests => {
          asked.push(...(requests as AuthorizePermissionRequest[]));
          return requests.map(() => ({
            result: options.denied
              ? AuthorizeResult.DENY
              : AuthorizeResult.ALLOW,
          }));
        },
      }),
      auth: mockServices.auth(),
      registrations: {
        get: jest.fn(async () =>
          'registered' in options ? options.registered : registration(),
        ),
      },
    });
    const run = (input: Record<string, unknown>, isDryRun = false) => {
      const ctx = actionContext({
        input: { entityRef: ENTITY_REF, ...input } as any,
        workspacePath: mockDir.resolve('workspace'),
        isDryRun,
      });
      return { ctx, done: action.handler(ctx as any) };
    };
    return { run, asked };
  };

  it('dry run: asks gpuCluster.stack.update on the entity, checks the registration, runs no tool', async () => {
    const { run, asked } = await setup();
    const { ctx, done } = run({}, true);
    await done;
    expect(await sentinelRan()).toBe(false);
    expect(asked).toEqual([
      {
        permission: expect.objectContaining({
          name: 'gpuCluster.stack.update',
        }),
        resourceRef: ENTITY_REF,
      },
    ]);
    expect(Object.fromEntries((ctx.output as jest.Mock).mock.calls)).toEqual({
      entityRef: ENTITY_REF,
      verdict: 'notRun',
      transport: 'none (dry run)',
    });
  });

  it('refuses a user who is not an owner', async () => {
    const { run } = await setup({ denied: true });
    const { done } = run({});
    await expect(done).rejects.toThrow(NotAllowedError);
    await expect(done).rejects.toThrow(
      `entityRef: ${ALICE.userEntityRef} may not verify ${ENTITY_REF}`,
    );
    expect(await sentinelRan()).toBe(false);
  });

  it('refuses an entity the template did not register, and says how to verify it instead', async () => {
    const { run } = await setup({ registered: undefined });
    await expect(run({}).done).rejects.toThrow(
      'entityRef: resource:default/e2e-gke was not registered by the Create GPU cluster template, so this template does not verify it (a platform engineer runs gpu-cluster verify with the stack values)',
    );
    expect(await sentinelRan()).toBe(false);
  });

  it('refuses an entity re-owned since it was registered (annotations and form input are not trusted)', async () => {
    const entity = clusterResourceEntity(REGISTERED_SPEC);
    entity.spec!.owner = 'group:default/research';
    const { run } = await setup({ entities: [entity] });
    await expect(run({}).done).rejects.toThrow(
      /no longer matches what the template registered \(entity owner/,
    );
    expect(await sentinelRan()).toBe(false);
  });

  it('refuses an entity reference that is not a GPU cluster resource', async () => {
    const { run } = await setup();
    await expect(
      run({ entityRef: 'component:default/x' }).done,
    ).rejects.toThrow(/^entityRef: must be a GPU cluster's catalog reference/);
  });
});
