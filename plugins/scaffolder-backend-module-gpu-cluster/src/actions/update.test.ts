import fs from 'node:fs/promises';
import path from 'node:path';
import {
  createMockDirectory,
  mockServices,
} from '@backstage/backend-test-utils';
import { InputError, NotAllowedError } from '@backstage/errors';
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
  testGuard,
  VALUES,
} from '../__testUtils__/actionContext';
import { createUpdateAction } from './update';

/** The spec catalog:register records: the values with the policy's state location. */
const REGISTERED_SPEC = assertGpuStackSpec({
  ...VALUES,
  terraformState: {
    bucket: 'e2e-tfstate',
    prefix: 'gpu-clusters/default/ml-platform/e2e',
  },
});
const ENTITY_REF = 'resource:default/e2e-gke';
const POOL = REGISTERED_SPEC.nodePools[0].name;

const registration = () => ({
  entityRef: ENTITY_REF,
  projectId: 'e2e-project-1',
  location: 'us-central1',
  clusterName: 'e2e-gke',
  owner: 'group:default/ml-platform',
  spec: REGISTERED_SPEC as unknown as Record<string, unknown>,
});

const edited = (patch: (spec: any) => void) => {
  const copy = JSON.parse(JSON.stringify(REGISTERED_SPEC));
  patch(copy);
  return copy;
};

/**
 * Refusals and the dry run of gpu-cluster:update. terraform is a script standing in for the real
 * binary (it answers `show -json` with the plan of the test and records every call), so the
 * plan refusal is tested without GCP; the full update against the emulators is in
 * update.e2e.test.ts.
 */
describe('gpu-cluster:update refusals and dry run', () => {
  const mockDir = createMockDirectory();
  beforeEach(() => mockDir.clear());

  /** The tool calls: the subcommand, and the file kubectl was given. */
  const calls = async () =>
    (await fs.readFile(mockDir.resolve('calls'), 'utf8').catch(() => ''))
      .split('\n')
      .filter(Boolean)
      .map(line => {
        const words = line.replace(/^--kubeconfig \S+ /, '').split(' ');
        const file = words.includes('-f')
          ? ` ${path.basename(words[words.length - 1])}`
          : '';
        return `${words[0]}${file}`;
      });

  const setup = async (
    options: {
      registered?: ReturnType<typeof registration> | undefined;
      denied?: string[];
      planned?: Array<{ address: string; actions: string[] }>;
    } = {},
  ) => {
    await fs.writeFile(
      mockDir.resolve('plan.json'),
      JSON.stringify({
        resource_changes: (options.planned ?? []).map(c => ({
          address: c.address,
          change: { actions: c.actions },
        })),
      }),
    );
    const bin = mockDir.resolve('tool');
    await fs.writeFile(
      bin,
      `#!/bin/sh
echo "$*" >> "${mockDir.resolve('calls')}"
case "$1" in
  plan) exit 2 ;;
  show) cat "${mockDir.resolve('plan.json')}" ;;
  output) echo '{}' ;;
esac
exit 0
`,
      { mode: 0o755 },
    );
    const config = configFrom({
      terraform: {
        binaryPath: bin,
        backend: 'local',
        localStateDirectory: mockDir.resolve('state'),
      },
      kubectl: {
        binaryPath: bin,
        kubeconfigPath: mockDir.resolve('kubeconfig'),
      },
    });
    const entity = clusterResourceEntity(REGISTERED_SPEC);
    const catalog = testCatalog([entity]);
    const asked: AuthorizePermissionRequest[] = [];
    const permissions = mockServices.permissions.mock({
      authorize: async requests => {
        asked.push(...(requests as AuthorizePermissionRequest[]));
        return requests.map(r => ({
          result: options.denied?.includes(r.permission.name)
            ? AuthorizeResult.DENY
            : AuthorizeResult.ALLOW,
        }));
      },
    });
    const registrations = {
      get: jest.fn(async () =>
        'registered' in options ? options.registered : registration(),
      ),
      record: jest.fn(async () => true),
    };
    const action = createUpdateAction({
      config,
      catalog,
      permissions,
      auth: mockServices.auth(),
      guard: testGuard(config, { catalog }),
      registrations,
    });
    const run = (values: Record<string, unknown>, isDryRun = false) => {
      const ctx = actionContext({
        input: { entityRef: ENTITY_REF, values } as any,
        workspacePath: mockDir.resolve('workspace'),
        isDryRun,
      });
      return { ctx, done: action.handler(ctx as any) };
    };
    return { run, registrations, asked };
  };

  it('dry run: checks, shows the diff, runs no tool and records nothing', async () => {
    const { run, registrations, asked } = await setup();
    const { ctx, done } = run(
      edited(s => {
        s.nodePools[0].maxNodes += 1;
        s.kueue.localQueueName = 'team-queue';
      }),
      true,
    );
    await done;
    expect(await calls()).toEqual([]);
    expect(registrations.record).not.toHaveBeenCalled();
    expect(asked[0]).toEqual({
      permission: expect.objectContaining({ name: 'gpuCluster.stack.update' }),
      resourceRef: ENTITY_REF,
    });
    const outputs = Object.fromEntries((ctx.output as jest.Mock).mock.calls);
    expect(outputs.planSummary).toBe('variable node_pools[0].max_nodes');
    expect(outputs.manifestChanges).toEqual(
      expect.arrayContaining([
        'added LocalQueue default/team-queue',
        'changed RayCluster default/ray',
        'removed LocalQueue default/dws-local-queue',
      ]),
    );
  });

  it('refuses a user who is not an owner before reading anything', async () => {
    const { run, registrations } = await setup({
      denied: ['gpuCluster.stack.update'],
    });
    const { done } = run(edited(() => {}));
    await expect(done).rejects.toThrow(NotAllowedError);
    await expect(done).rejects.toThrow(
      `entityRef: ${ALICE.userEntityRef} may not update ${ENTITY_REF}`,
    );
    expect(registrations.get).not.toHaveBeenCalled();
  });

  it('refuses a cluster the template did not register', async () => {
    const { run } = await setup({ registered: undefined });
    await expect(run(edited(() => {})).done).rejects.toThrow(
      'was not registered by the Create GPU cluster template, so this template does not update it',
    );
    expect(await calls()).toEqual([]);
  });

  it('refuses values that describe another cluster', async () => {
    const { run } = await setup();
    const { done } = run(
      edited(s => {
        s.identity.namePrefix = 'other';
        s.terraformState.prefix = 'gpu-clusters/default/ml-platform/other';
      }),
    );
    await expect(done).rejects.toThrow(InputError);
    await expect(done).rejects.toThrow(
      'identity.namePrefix: the values describe resource:default/other-gke, not resource:default/e2e-gke',
    );
  });

  it('refuses a change GKE would replace the pool for, naming the field', async () => {
    const { run } = await setup();
    const { done } = run(
      edited(s => {
        s.nodePools[0].disk.sizeGb += 100;
      }),
    );
    await expect(done).rejects.toThrow(
      `nodePools[0].disk.sizeGb: cannot change on existing node pool ${POOL}`,
    );
    expect(await calls()).toEqual([]);
  });

  it('refuses a plan that would replace the cluster, and applies nothing', async () => {
    const { run, registrations } = await setup({
      planned: [
        {
          address: 'module.cluster.google_container_cluster.this',
          actions: ['delete', 'create'],
        },
      ],
    });
    const { ctx, done } = run(
      edited(s => {
        s.nodePools[0].maxNodes += 1;
      }),
    );
    await expect(done).rejects.toThrow(
      'The plan would replace or delete what an update must keep (replace module.cluster.google_container_cluster.this); nothing was applied',
    );
    expect(await calls()).toEqual(['init', 'plan', 'show']);
    expect(registrations.record).not.toHaveBeenCalled();
    // The plan summary is in the log before the refusal.
    expect(ctx.logger.info).toHaveBeenCalledWith(
      'Plan: 0 to add, 0 to change, 1 to destroy (1 replaced)',
    );
  });

  it('applies the saved plan that deletes a removed pool only', async () => {
    const { run, registrations } = await setup({
      planned: [
        {
          address: `module.node_pool["${POOL}"].google_container_node_pool.this`,
          actions: ['delete'],
        },
        {
          address: 'module.node_pool["spare"].google_container_node_pool.this',
          actions: ['create'],
        },
      ],
    });
    const { done } = run(
      edited(s => {
        s.nodePools[0].name = 'spare';
        s.ray.workerGroups[0].nodePool = 'spare';
      }),
    );
    await done;
    // terraform init, plan, show, apply of the saved plan, output; then kubectl: only the
    // objects that changed (the new pool's flavor in the queues, the Ray worker group on it),
    // then the removed ones (the old pool's flavor) deleted.
    expect(await calls()).toEqual([
      'init',
      'plan',
      'show',
      'apply',
      'output',
      'version',
      'apply 50-kueue-queues.yaml',
      'apply 60-ray-cluster.yaml',
      'delete removed.yaml',
    ]);
    expect(registrations.record).toHaveBeenCalledWith(
      expect.objectContaining({
        spec: expect.objectContaining({
          nodePools: [expect.objectContaining({ name: 'spare' })],
        }),
      }),
    );
  });
});
