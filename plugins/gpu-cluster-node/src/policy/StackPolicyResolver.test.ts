import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import type { GpuClusterPolicy } from '@gpu-platform/backstage-plugin-gpu-cluster-common';
import { StackPolicyResolver } from './StackPolicyResolver';

const POLICY: GpuClusterPolicy = {
  adminGroups: ['group:default/platform-admins'],
  groups: [
    {
      group: 'group:default/ml-platform',
      projects: ['ml-project-1'],
      stateBucket: 'ml-tfstate',
      statePrefix: 'gpu-clusters/default/ml-platform',
      maxGpusTotal: 100,
    },
    {
      group: 'group:default/research',
      projects: ['research-project-1'],
      stateBucket: 'research-tfstate',
      statePrefix: 'gpu-clusters/default/research',
    },
  ],
};

const cluster = (name: string, owner: string, maxGpus?: string): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Resource',
  metadata: {
    name,
    namespace: 'default',
    annotations: maxGpus
      ? { 'gpu-platform.dev/max-gpus': maxGpus }
      : ({} as Record<string, string>),
  },
  spec: { type: 'kubernetes-cluster', owner },
  relations: [{ type: 'ownedBy', targetRef: owner }],
});

const CATALOG = [
  cluster('a-gke', 'group:default/ml-platform', '32'),
  cluster('b-gke', 'group:default/ml-platform', '16'),
  // Not a GPU cluster of the template (no max-gpus): not counted.
  cluster('plain', 'group:default/ml-platform'),
  cluster('r-gke', 'group:default/research', '8'),
  cluster('f-gke', 'group:default/finance', '64'),
];

function resolverFor(
  user: { userEntityRef: string; ownershipEntityRefs: string[] },
  result: AuthorizeResult.ALLOW | AuthorizeResult.DENY = AuthorizeResult.ALLOW,
) {
  const catalog = catalogServiceMock({ entities: CATALOG });
  const getEntities = jest.spyOn(catalog, 'getEntities');
  const permissions = mockServices.permissions({ result });
  const authorize = jest.spyOn(permissions, 'authorize');
  const resolver = new StackPolicyResolver({
    policy: POLICY,
    permissions,
    userInfo: mockServices.userInfo(user),
    auth: mockServices.auth(),
    catalog,
  });
  return { resolver, getEntities, authorize };
}

const user = (name: string, groups: string[]) => ({
  userEntityRef: `user:default/${name}`,
  ownershipEntityRefs: [`user:default/${name}`, ...groups],
});

describe('StackPolicyResolver', () => {
  it("gives a member their group's entry with its registered clusters, nothing of other teams", async () => {
    const alice = user('alice', ['group:default/ml-platform']);
    const { resolver, authorize, getEntities } = resolverFor(alice);
    const view = await resolver.viewFor(
      mockCredentials.user(alice.userEntityRef),
    );
    expect(authorize).toHaveBeenCalledWith(
      [
        {
          permission: expect.objectContaining({
            name: 'gpuCluster.stack.create',
          }),
        },
      ],
      expect.anything(),
    );
    // Clusters are counted with the plugin's own credentials (the user may not see them all).
    const [, options] = getEntities.mock.calls[0] as any[];
    expect(options.credentials.principal).toMatchObject({
      type: 'service',
    });
    expect(view).toEqual({
      userEntityRef: 'user:default/alice',
      ownershipEntityRefs: ['user:default/alice', 'group:default/ml-platform'],
      admin: false,
      groups: [
        {
          ...POLICY.groups[0],
          stacks: [
            { entityRef: 'resource:default/a-gke', gpus: 32 },
            { entityRef: 'resource:default/b-gke', gpus: 16 },
          ],
          remainingGpus: 52,
        },
      ],
    });
  });

  it('gives an admin every group of the policy', async () => {
    const root = user('root', ['group:default/platform-admins']);
    const view = await resolverFor(root).resolver.viewFor(
      mockCredentials.user(root.userEntityRef),
    );
    expect(view.admin).toBe(true);
    expect(view.groups.map(g => [g.group, g.stacks.length])).toEqual([
      ['group:default/ml-platform', 2],
      ['group:default/research', 1],
    ]);
  });

  it('refuses a user in no group, and anyone the permission policy denies, without reading the catalog', async () => {
    const eve = user('eve', ['group:default/finance']);
    const outside = resolverFor(eve);
    const view = await outside.resolver.viewFor(
      mockCredentials.user(eve.userEntityRef),
    );
    expect(view.groups).toEqual([]);
    expect(view.refusal).toContain('(group:default/finance)');
    expect(outside.getEntities).not.toHaveBeenCalled();

    const alice = user('alice', ['group:default/ml-platform']);
    const denied = resolverFor(alice, AuthorizeResult.DENY);
    const deniedView = await denied.resolver.viewFor(
      mockCredentials.user(alice.userEntityRef),
    );
    expect(deniedView.groups).toEqual([]);
    expect(deniedView.refusal).toContain(
      'may not create GPU clusters (permission gpuCluster.stack.create',
    );
    expect(denied.getEntities).not.toHaveBeenCalled();
  });
});
