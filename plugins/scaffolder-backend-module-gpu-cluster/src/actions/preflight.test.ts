import { createMockDirectory } from '@backstage/backend-test-utils';
import {
  startCloudApisEmulator,
  startGcsEmulator,
  type CloudApisEmulator,
  type GcsEmulator,
} from '@gpu-platform/emulators';
import {
  actionContext,
  configFrom,
  loggedText,
  testGuard,
  TEST_POLICY,
  VALUES,
} from '../__testUtils__/actionContext';
import { createPreflightAction } from './preflight';

const TOKEN = 'preflight-action-token';

describe('gpu-cluster:preflight', () => {
  const mockDir = createMockDirectory();
  let cloud: CloudApisEmulator;
  let gcs: GcsEmulator;
  let config: ReturnType<typeof configFrom>;

  beforeAll(async () => {
    cloud = await startCloudApisEmulator({
      token: TOKEN,
      fixtures: 'empty',
      projects: [
        { projectId: 'e2e-project-1' },
        {
          projectId: 'e2e-short-1',
          quotas: {
            'us-central1': {
              PREEMPTIBLE_NVIDIA_H200_GPUS: { limit: 8, usage: 4 },
            },
          },
        },
      ],
    });
    gcs = await startGcsEmulator();
    config = configFrom({
      policy: {
        ...TEST_POLICY,
        groups: [
          {
            ...TEST_POLICY.groups[0],
            projects: ['e2e-project-1', 'e2e-short-1'],
          },
        ],
      },
      preflight: { endpoint: { url: cloud.url, token: TOKEN } },
      terraform: { env: { STORAGE_EMULATOR_HOST: gcs.url } },
    });
  });
  afterAll(async () => {
    await Promise.all([cloud.stop(), gcs.stop()]);
  });

  const run = async (values: unknown, isDryRun = false) => {
    mockDir.clear();
    const ctx = actionContext({
      input: { values: values as any },
      workspacePath: mockDir.resolve('workspace'),
      isDryRun,
    });
    const action = createPreflightAction({ config, guard: testGuard(config) });
    const error = await action.handler(ctx).then(
      () => undefined,
      e => e as Error,
    );
    return {
      error,
      outputs: Object.fromEntries((ctx.output as jest.Mock).mock.calls),
      log: loggedText(ctx.logger),
    };
  };

  it('passes a stack the project can hold and outputs every check', async () => {
    const { error, outputs, log } = await run(VALUES);
    expect(error).toBeUndefined();
    expect(outputs.ok).toBe(true);
    expect(outputs.checks).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          id: 'quota:PREEMPTIBLE_NVIDIA_H200_GPUS',
          status: 'ok',
        }),
        expect.objectContaining({ id: 'permissions', status: 'ok' }),
      ]),
    );
    expect(log).toContain('Preflight passed');
    expect(log).not.toContain(TOKEN);
  });

  it('fails the step on short quota, naming the metric, region, field and quota page (dry run too)', async () => {
    for (const isDryRun of [false, true]) {
      const { error, outputs } = await run(
        {
          identity: { ...VALUES.identity, projectId: 'e2e-short-1' },
        },
        isDryRun,
      );
      expect(error?.message).toContain(
        'quota PREEMPTIBLE_NVIDIA_H200_GPUS in us-central1 is 8 with 4 in use',
      );
      expect(error?.message).toContain('(change nodePools[0].maxNodes)');
      expect(error?.message).toContain(
        'https://console.cloud.google.com/iam-admin/quotas?project=e2e-short-1',
      );
      expect(outputs.ok).toBe(false);
    }
  });

  it('logs warnings (APIs the run would enable) without failing', async () => {
    cloud.projects.add({
      projectId: 'e2e-fresh-1',
      enabledServices: [
        'serviceusage.googleapis.com',
        'cloudresourcemanager.googleapis.com',
        'compute.googleapis.com',
      ],
    });
    const fresh = configFrom({
      policy: {
        ...TEST_POLICY,
        groups: [{ ...TEST_POLICY.groups[0], projects: ['e2e-fresh-1'] }],
      },
      preflight: { endpoint: { url: cloud.url, token: TOKEN } },
      terraform: { env: { STORAGE_EMULATOR_HOST: gcs.url } },
    });
    mockDir.clear();
    const ctx = actionContext({
      input: {
        values: {
          identity: { ...VALUES.identity, projectId: 'e2e-fresh-1' },
        },
      },
      workspacePath: mockDir.resolve('workspace'),
    });
    await createPreflightAction({
      config: fresh,
      guard: testGuard(fresh),
    }).handler(ctx);
    expect(ctx.logger.warn).toHaveBeenCalledWith(
      expect.stringContaining(
        'apis: The run will enable container.googleapis.com',
      ),
    );
    expect(
      Object.fromEntries((ctx.output as jest.Mock).mock.calls).servicesToEnable,
    ).toContain('container.googleapis.com');
  });

  it('refuses values outside the policy before asking Google anything', async () => {
    const before = cloud.requests.length;
    const { error } = await run({
      identity: { ...VALUES.identity, projectId: 'not-allowed-1' },
    });
    expect(error?.message).toContain('not-allowed-1');
    expect(cloud.requests.length).toBe(before);
  });
});
