import {
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockErrorHandler,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { gpuClusterStackPreviewPermission } from '@gpu-platform/backstage-plugin-gpu-cluster-common';
import {
  readGpuClusterPolicy,
  StackPolicyResolver,
} from '@gpu-platform/backstage-plugin-gpu-cluster-node';
import express from 'express';
import request from 'supertest';
import { createStackPreviewRouter } from './stackPreviewRouter';
import { gpuClusterPlugin } from './plugin';
import { validateResponse } from './__testUtils__/validateResponse';

const identity = {
  projectId: 'ml-research-1',
  namePrefix: 'research',
  owner: 'group:default/platform-team',
};

/** The policy of these tests: the caller's team may create stacks in ml-research-1. */
const POLICY = {
  adminGroups: [],
  groups: [
    {
      group: 'group:default/platform-team',
      projects: ['ml-research-1'],
      stateBucket: 'platform-tfstate',
      maxGpusPerStack: 64,
    },
  ],
};

async function appWith(
  options: {
    result?: AuthorizeResult.ALLOW | AuthorizeResult.DENY;
    backend?: string;
    groups?: string[];
  } = {},
) {
  const permissions = mockServices.permissions.mock({
    authorize: jest.fn(async requests =>
      requests.map(() => ({ result: options.result ?? AuthorizeResult.ALLOW })),
    ),
  });
  const config = mockServices.rootConfig({
    data: {
      gpuCluster: {
        policy: POLICY,
        ...(options.backend ? { terraform: { backend: options.backend } } : {}),
      },
    },
  });
  const user = mockCredentials.user().principal.userEntityRef;
  const router = await createStackPreviewRouter({
    httpAuth: mockServices.httpAuth(),
    permissions,
    config,
    policy: new StackPolicyResolver({
      policy: readGpuClusterPolicy(config),
      permissions,
      userInfo: mockServices.userInfo({
        userEntityRef: user,
        ownershipEntityRefs: [
          user,
          ...(options.groups ?? ['group:default/platform-team']),
        ],
      }),
      auth: mockServices.auth(),
      catalog: catalogServiceMock(),
    }),
  });
  return {
    app: express().use(router).use(mockErrorHandler()),
    permissions,
  };
}

describe('POST /stack/preview', () => {
  it('answers what Create would do for valid form values, checking the preview permission', async () => {
    const { app, permissions } = await appWith({ backend: 'local' });
    const res = await request(app)
      .post('/stack/preview')
      .send({ values: { identity } })
      .expect(200);
    validateResponse('/stack/preview', 200, res.body, 'post');
    expect(res.body.valid).toBe(true);
    expect(res.body.preview.gpus).toMatchObject({ maxNodes: 4, maxGpus: 32 });
    expect(res.body.preview.quota[0].metric).toBe(
      'PREEMPTIBLE_NVIDIA_H200_GPUS',
    );
    expect(res.body.preview.state.backend).toBe('local');
    expect(permissions.authorize).toHaveBeenCalledWith(
      [{ permission: gpuClusterStackPreviewPermission }],
      expect.anything(),
    );
  });

  it('answers invalid values with every issue and its field path, as the validate step reports them', async () => {
    const { app } = await appWith();
    const res = await request(app)
      .post('/stack/preview')
      .send({
        values: {
          identity: { ...identity, zones: ['europe-west4-a'] },
          nodePools: [{ provisioning: { mode: 'reservation' } }],
        },
      })
      .expect(200);
    validateResponse('/stack/preview', 200, res.body, 'post');
    expect(res.body).toEqual({
      valid: false,
      issues: expect.arrayContaining([
        {
          path: 'identity.zones[0]',
          message: 'zone europe-west4-a is not in region us-central1',
        },
        {
          path: 'nodePools[0].provisioning.reservation',
          message: 'reservation mode needs a reservation name',
        },
      ]),
    });
  });

  it('puts the state where gpuCluster.policy puts it, as the actions will', async () => {
    const { app } = await appWith();
    const res = await request(app)
      .post('/stack/preview')
      .send({ values: { identity } })
      .expect(200);
    expect(res.body.preview.state.location).toBe(
      'gs://platform-tfstate/gpu-clusters/default/platform-team/research',
    );
  });

  it("answers what the policy refuses with the actions' message and field", async () => {
    const { app } = await appWith();
    const foreign = await request(app)
      .post('/stack/preview')
      .send({
        values: { identity: { ...identity, projectId: 'other-project-1' } },
      })
      .expect(200);
    validateResponse('/stack/preview', 200, foreign.body, 'post');
    expect(foreign.body).toEqual({
      valid: false,
      issues: [
        {
          path: 'identity.projectId',
          message:
            'Project other-project-1 is not allowed for group:default/platform-team (gpuCluster.policy.groups: ml-research-1)',
        },
      ],
    });
    const big = await request(app)
      .post('/stack/preview')
      .send({ values: { identity, nodePools: [{ maxNodes: 10 }] } })
      .expect(200);
    expect(big.body.issues).toEqual([
      {
        path: 'nodePools',
        message:
          'The node pools can hold 80 GPUs; group:default/platform-team may have at most 64 per stack (gpuCluster.policy)',
      },
    ]);
    const outsider = (await appWith({ groups: ['group:default/finance'] })).app;
    const refused = await request(outsider)
      .post('/stack/preview')
      .send({ values: { identity } })
      .expect(200);
    expect(refused.body.issues).toEqual([
      {
        path: 'identity.owner',
        message: expect.stringContaining(
          'Ask the platform team to add one of your groups (group:default/finance)',
        ),
      },
    ]);
  });

  it('refuses users without the permission, anonymous callers and bodies that are not form values', async () => {
    const denied = (await appWith({ result: AuthorizeResult.DENY })).app;
    const res403 = await request(denied)
      .post('/stack/preview')
      .send({ values: { identity } })
      .expect(403);
    validateResponse('/stack/preview', 403, res403.body, 'post');

    const { app } = await appWith();
    await request(app)
      .post('/stack/preview')
      .set('Authorization', mockCredentials.none.header())
      .send({ values: { identity } })
      .expect(401);
    for (const body of [{}, { values: [] }, { values: 'x' }, []]) {
      const res = await request(app).post('/stack/preview').send(body);
      expect(res.status).toBe(400);
      validateResponse('/stack/preview', 400, res.body, 'post');
    }
  });

  it('refuses bodies far larger than form values', async () => {
    const { app } = await appWith();
    const labels = Object.fromEntries(
      Array.from({ length: 5000 }, (_, i) => [`k${i}`, 'x'.repeat(20)]),
    );
    const res = await request(app)
      .post('/stack/preview')
      .send({ values: { identity: { ...identity, labels } } });
    expect(res.status).toBe(413);
  });

  it('refuses a state backend it does not know', async () => {
    await expect(appWith({ backend: 's3' })).rejects.toThrow(
      /gpuCluster.terraform.backend must be 'gcs' or 'local'/,
    );
  });
});

describe('the gpu-cluster backend plugin', () => {
  it('serves the preview at /api/gpu-cluster/stack/preview', async () => {
    const { server } = await startTestBackend({
      features: [
        gpuClusterPlugin,
        catalogServiceMock.factory(),
        mockServices.rootConfig.factory({
          data: { gpuCluster: { policy: POLICY } },
        }),
        // The caller is a member of platform-team.
        createServiceFactory({
          service: coreServices.userInfo,
          deps: {},
          factory: () =>
            mockServices.userInfo({
              ownershipEntityRefs: ['group:default/platform-team'],
            }),
        }),
      ],
    });
    const res = await request(server)
      .post('/api/gpu-cluster/stack/preview')
      .send({ values: { identity } })
      .expect(200);
    expect(res.body.preview.cluster.name).toBe('research-gke');
  });
});
