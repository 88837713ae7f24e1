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
import {
  readGpuClusterPolicy,
  StackPolicyResolver,
} from '@gpu-platform/backstage-plugin-gpu-cluster-node';
import express from 'express';
import request from 'supertest';
import { gpuClusterPlugin } from './plugin';
import { createStackPolicyRouter } from './stackPolicyRouter';
import { validateResponse } from './__testUtils__/validateResponse';

const ALICE = 'user:default/alice';
const BOB = 'user:default/bob';
const EVE = 'user:default/eve';
const ROOT = 'user:default/root';
const GROUPS: Record<string, string[]> = {
  [ALICE]: ['group:default/ml-platform'],
  [BOB]: ['group:default/research'],
  [EVE]: ['group:default/finance'],
  [ROOT]: ['group:default/platform-admins'],
};

const POLICY = {
  adminGroups: ['group:default/platform-admins'],
  groups: [
    {
      group: 'group:default/ml-platform',
      projects: ['ml-project-1', 'ml-project-2'],
      stateBucket: 'ml-tfstate',
      maxGpusPerStack: 64,
      maxGpusTotal: 256,
    },
    {
      group: 'group:default/research',
      projects: ['research-project-1'],
      stateBucket: 'research-tfstate',
      maxGpusPerStack: 16,
    },
  ],
};

/** A cluster the template registered (what counts against a group's maxGpusTotal). */
const cluster = (name: string, owner: string, gpus: number) => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Resource',
  metadata: {
    name,
    namespace: 'default',
    annotations: { 'gpu-platform.dev/max-gpus': String(gpus) },
  },
  spec: { type: 'kubernetes-cluster', owner },
  relations: [{ type: 'ownedBy', targetRef: owner }],
});

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

describe('GET /api/gpu-cluster/stack/policy', () => {
  let server: Awaited<ReturnType<typeof startTestBackend>>['server'];

  beforeAll(async () => {
    ({ server } = await startTestBackend({
      features: [
        gpuClusterPlugin,
        userInfoByGroup,
        catalogServiceMock.factory({
          entities: [
            cluster('ml-a-gke', 'group:default/ml-platform', 64),
            cluster('ml-b-gke', 'group:default/ml-platform', 32),
            cluster('research-gke', 'group:default/research', 8),
          ],
        }),
        mockServices.rootConfig.factory({
          data: { gpuCluster: { policy: POLICY } },
        }),
      ],
    }));
  });

  const policyOf = async (user: string) => {
    const res = await request(server)
      .get('/api/gpu-cluster/stack/policy')
      .set('Authorization', mockCredentials.user.header(user));
    expect(res.status).toBe(200);
    validateResponse('/stack/policy', 200, res.body);
    expect(res.headers['cache-control']).toBe('no-store');
    return res.body;
  };

  it("answers a member their own group's entry, with its clusters and what is left of its budget", async () => {
    const body = await policyOf(ALICE);
    expect(body).toEqual({
      userEntityRef: ALICE,
      ownershipEntityRefs: [ALICE, 'group:default/ml-platform'],
      admin: false,
      groups: [
        {
          group: 'group:default/ml-platform',
          projects: ['ml-project-1', 'ml-project-2'],
          stateBucket: 'ml-tfstate',
          statePrefix: 'gpu-clusters/default/ml-platform',
          maxGpusPerStack: 64,
          maxGpusTotal: 256,
          remainingGpus: 160,
          stacks: [
            { entityRef: 'resource:default/ml-a-gke', gpus: 64 },
            { entityRef: 'resource:default/ml-b-gke', gpus: 32 },
          ],
        },
      ],
    });
    // Nothing of the other team: not its group, projects, bucket or clusters.
    expect(JSON.stringify(body)).not.toMatch(/research/);
  });

  it('answers the other team its own entry only', async () => {
    const body = await policyOf(BOB);
    expect(body.groups).toEqual([
      {
        group: 'group:default/research',
        projects: ['research-project-1'],
        stateBucket: 'research-tfstate',
        statePrefix: 'gpu-clusters/default/research',
        maxGpusPerStack: 16,
        stacks: [{ entityRef: 'resource:default/research-gke', gpus: 8 }],
      },
    ]);
    expect(JSON.stringify(body)).not.toMatch(
      /ml-platform|ml-project|ml-tfstate/,
    );
  });

  it('answers an admin every group of the policy', async () => {
    const body = await policyOf(ROOT);
    expect(body.admin).toBe(true);
    expect(body.refusal).toBeUndefined();
    expect(body.groups.map((g: any) => g.group)).toEqual([
      'group:default/ml-platform',
      'group:default/research',
    ]);
  });

  it('tells a user in no group of the policy what to ask the platform team for, and nothing else', async () => {
    const body = await policyOf(EVE);
    expect(body).toEqual({
      userEntityRef: EVE,
      ownershipEntityRefs: [EVE, 'group:default/finance'],
      admin: false,
      groups: [],
      refusal:
        'user:default/eve may not create GPU clusters: none of their groups is in gpuCluster.policy.groups. Ask the platform team to add one of your groups (group:default/finance) to gpuCluster.policy.groups, with the Google Cloud projects, Terraform state bucket and GPU budget it may use.',
    });
  });

  it('refuses anonymous callers and other plugins', async () => {
    const anonymous = await request(server)
      .get('/api/gpu-cluster/stack/policy')
      .set('Authorization', mockCredentials.none.header());
    expect(anonymous.status).toBe(401);
    validateResponse('/stack/policy', 401, anonymous.body);
    const service = await request(server)
      .get('/api/gpu-cluster/stack/policy')
      .set('Authorization', mockCredentials.service.header());
    expect(service.status).toBe(403);
    validateResponse('/stack/policy', 403, service.body);
  });
});

describe('createStackPolicyRouter', () => {
  it('gives a user the permission policy denies gpuCluster.stack.create no group', async () => {
    const policy = new StackPolicyResolver({
      policy: readGpuClusterPolicy(
        mockServices.rootConfig({ data: { gpuCluster: { policy: POLICY } } }),
      ),
      permissions: mockServices.permissions({ result: AuthorizeResult.DENY }),
      userInfo: mockServices.userInfo({
        userEntityRef: ALICE,
        ownershipEntityRefs: [ALICE, 'group:default/ml-platform'],
      }),
      auth: mockServices.auth(),
      catalog: catalogServiceMock(),
    });
    const app = express()
      .use(
        await createStackPolicyRouter({
          httpAuth: mockServices.httpAuth({
            defaultCredentials: mockCredentials.user(ALICE),
          }),
          policy,
        }),
      )
      .use(mockErrorHandler());
    const res = await request(app).get('/stack/policy').expect(200);
    validateResponse('/stack/policy', 200, res.body);
    expect(res.body.groups).toEqual([]);
    expect(res.body.refusal).toMatch(
      /^user:default\/alice may not create GPU clusters \(permission gpuCluster\.stack\.create; /,
    );
  });
});
