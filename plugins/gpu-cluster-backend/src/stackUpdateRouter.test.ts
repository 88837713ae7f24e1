import {
  mockCredentials,
  mockErrorHandler,
  mockServices,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  AuthorizeResult,
  type AuthorizePermissionRequest,
} from '@backstage/plugin-permission-common';
import { assertGpuStackSpec } from '@gpu-platform/backstage-plugin-gpu-cluster-common';
import {
  readGpuClusterPolicy,
  StackPolicyResolver,
} from '@gpu-platform/backstage-plugin-gpu-cluster-node';
import express from 'express';
import request from 'supertest';
import { createStackUpdateRouter } from './stackUpdateRouter';
import { validateResponse } from './__testUtils__/validateResponse';

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
/** What the Create template registered: the validated values with the policy's state. */
const STORED = assertGpuStackSpec({
  identity: {
    projectId: 'ml-research-1',
    namePrefix: 'research',
    owner: 'group:default/platform-team',
  },
  terraformState: {
    bucket: 'platform-tfstate',
    prefix: 'gpu-clusters/default/platform-team/research',
  },
});
const ENTITY_REF = 'resource:default/research-gke';
const edited = (patch: (spec: any) => void) => {
  const copy = JSON.parse(JSON.stringify(STORED));
  patch(copy);
  return copy;
};

async function appWith(options: { owner?: boolean } = {}) {
  const asked: AuthorizePermissionRequest[] = [];
  // The policy grants gpuCluster.stack.update to the entity's owners: here, decided per test.
  const permissions = mockServices.permissions.mock({
    authorize: jest.fn(async requests => {
      asked.push(...(requests as AuthorizePermissionRequest[]));
      return requests.map(r => ({
        result:
          r.permission.name !== 'gpuCluster.stack.update' ||
          options.owner !== false
            ? AuthorizeResult.ALLOW
            : AuthorizeResult.DENY,
      }));
    }),
  });
  const registered = new Map([
    [
      ENTITY_REF,
      {
        entityRef: ENTITY_REF,
        projectId: 'ml-research-1',
        location: 'us-central1',
        clusterName: 'research-gke',
        owner: 'group:default/platform-team',
        spec: STORED as unknown as Record<string, unknown>,
      },
    ],
  ]);
  const registrations = {
    get: jest.fn(async (ref: string) => registered.get(ref)),
  };
  const config = mockServices.rootConfig({
    data: { gpuCluster: { policy: POLICY } },
  });
  const user = mockCredentials.user().principal.userEntityRef;
  const router = await createStackUpdateRouter({
    httpAuth: mockServices.httpAuth(),
    permissions,
    registrations,
    policy: new StackPolicyResolver({
      policy: readGpuClusterPolicy(config),
      permissions,
      userInfo: mockServices.userInfo({
        userEntityRef: user,
        ownershipEntityRefs: [user, 'group:default/platform-team'],
      }),
      auth: mockServices.auth(),
      catalog: catalogServiceMock(),
    }),
  });
  return {
    app: express().use(router).use(mockErrorHandler()),
    asked,
    registrations,
  };
}

describe('GET /clusters/:namespace/:name/spec', () => {
  it('answers the owner the stored spec and what may change', async () => {
    const { app, asked } = await appWith();
    const res = await request(app)
      .get('/clusters/default/research-gke/spec')
      .expect(200);
    validateResponse('/clusters/{namespace}/{name}/spec', 200, res.body);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body.entityRef).toBe(ENTITY_REF);
    expect(res.body.spec).toEqual(JSON.parse(JSON.stringify(STORED)));
    expect(res.body.updatableFields).toContain('nodePools');
    expect(res.body.updatableNodePoolFields).toContain('maxNodes');
    expect(asked).toEqual([
      {
        permission: expect.objectContaining({
          name: 'gpuCluster.stack.update',
        }),
        resourceRef: ENTITY_REF,
      },
    ]);
  });

  it('refuses a non-owner with 403 before looking the cluster up', async () => {
    const { app, registrations } = await appWith({ owner: false });
    const res = await request(app)
      .get('/clusters/default/research-gke/spec')
      .expect(403);
    validateResponse('/clusters/{namespace}/{name}/spec', 403, res.body);
    expect(res.body.error.message).toContain('gpuCluster.stack.update');
    expect(registrations.get).not.toHaveBeenCalled();
  });

  it('answers 404 for a cluster the template did not register, 400 for a bad name, 401 without a user', async () => {
    const { app } = await appWith();
    const missing = await request(app)
      .get('/clusters/default/other-gke/spec')
      .expect(404);
    validateResponse('/clusters/{namespace}/{name}/spec', 404, missing.body);
    expect(missing.body.error.message).toContain(
      'resource:default/other-gke has no stack spec registered',
    );
    const bad = await request(app).get('/clusters/default/a%20b/spec');
    expect(bad.status).toBe(400);
    const anonymous = await request(app)
      .get('/clusters/default/research-gke/spec')
      .set('authorization', mockCredentials.none.header());
    expect(anonymous.status).toBe(401);
  });
});

describe('POST /clusters/:namespace/:name/update-preview', () => {
  const path = '/clusters/{namespace}/{name}/update-preview';

  it('answers the owner the object and variable diff of a resize and a renamed queue', async () => {
    const { app } = await appWith();
    const res = await request(app)
      .post('/clusters/default/research-gke/update-preview')
      .send({
        values: edited(s => {
          s.nodePools[0].maxNodes += 1;
          s.kueue.localQueueName = 'team-queue';
        }),
      })
      .expect(200);
    validateResponse(path, 200, res.body, 'post');
    expect(res.body.valid).toBe(true);
    expect(res.body.preview.variables).toEqual([
      {
        path: 'node_pools[0].max_nodes',
        from: STORED.nodePools[0].maxNodes,
        to: STORED.nodePools[0].maxNodes + 1,
      },
    ]);
    expect(res.body.preview.objects).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          change: 'added',
          kind: 'LocalQueue',
          name: 'team-queue',
        }),
        expect.objectContaining({
          change: 'removed',
          kind: 'LocalQueue',
          name: 'dws-local-queue',
        }),
      ]),
    );
  });

  it('names the fields an update may not change, and invalid values', async () => {
    const { app } = await appWith();
    const fixed = await request(app)
      .post('/clusters/default/research-gke/update-preview')
      .send({
        values: edited(s => {
          s.cluster.releaseChannel = 'RAPID';
        }),
      })
      .expect(200);
    validateResponse(path, 200, fixed.body, 'post');
    expect(fixed.body.valid).toBe(false);
    expect(fixed.body.issues).toEqual([
      {
        path: 'cluster.releaseChannel',
        message: expect.stringContaining(
          'cannot change on an existing cluster',
        ),
      },
    ]);
    const invalid = await request(app)
      .post('/clusters/default/research-gke/update-preview')
      .send({
        values: edited(s => {
          s.nodePools[0].maxNodes = -1;
        }),
      })
      .expect(200);
    validateResponse(path, 200, invalid.body, 'post');
    expect(invalid.body.issues[0].path).toBe('nodePools[0].maxNodes');
  });

  it('refuses a non-owner and a body that is not values', async () => {
    const denied = (await appWith({ owner: false })).app;
    const refused = await request(denied)
      .post('/clusters/default/research-gke/update-preview')
      .send({ values: STORED });
    expect(refused.status).toBe(403);
    validateResponse(path, 403, refused.body, 'post');
    const { app } = await appWith();
    const notValues = await request(app)
      .post('/clusters/default/research-gke/update-preview')
      .send({ values: [] });
    expect(notValues.status).toBe(400);
    expect(notValues.body.error.message).toContain('body.values');
  });
});
