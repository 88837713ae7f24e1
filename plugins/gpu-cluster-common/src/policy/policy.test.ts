import { assertGpuStackSpec } from '../spec/parse';
import {
  creatableGroups,
  evaluateStackForView,
  identityPolicyIssue,
  isPolicyAdmin,
  mayCreateStacks,
  normalizeOwnerRef,
  stackEntityRef,
  stackGpuCapacity,
  stackPolicyView,
  type GpuClusterPolicy,
  type PolicyUser,
  type RegisteredStack,
} from './policy';

const POLICY: GpuClusterPolicy = {
  adminGroups: ['group:default/platform-admins'],
  groups: [
    {
      group: 'group:default/ml-platform',
      projects: ['ml-project-1'],
      stateBucket: 'ml-tfstate',
      statePrefix: 'gpu-clusters/default/ml-platform',
      maxGpusPerStack: 32,
      maxGpusTotal: 48,
    },
    {
      group: 'group:default/research',
      projects: ['research-project-1'],
      stateBucket: 'research-tfstate',
      statePrefix: 'gpu-clusters/default/research',
    },
  ],
};
const alice = {
  userEntityRef: 'user:default/alice',
  ownershipEntityRefs: ['user:default/alice', 'group:default/ml-platform'],
};
const bob = {
  userEntityRef: 'user:default/bob',
  ownershipEntityRefs: ['user:default/bob', 'group:default/research'],
};
const admin = {
  userEntityRef: 'user:default/root',
  ownershipEntityRefs: ['group:default/platform-admins'],
};

/** The decision for a user, as the actions and the form make it (through the user's view). */
function evaluateStackRequest(
  policy: GpuClusterPolicy,
  request: {
    user: PolicyUser;
    spec: ReturnType<typeof spec>;
    stacks?: Record<string, RegisteredStack[]>;
  },
) {
  const view = stackPolicyView(
    policy,
    request.user,
    new Map(Object.entries(request.stacks ?? {})),
    { permitted: true },
  );
  return evaluateStackForView(view, request.spec);
}

const spec = (identity: object, extra: object = {}) =>
  assertGpuStackSpec({
    identity: {
      projectId: 'ml-project-1',
      namePrefix: 'train',
      owner: 'group:default/ml-platform',
      ...identity,
    },
    ...extra,
  });

describe('GPU cluster policy', () => {
  it('allows a member of an allowed group in its project and derives the state location', () => {
    const decision = evaluateStackRequest(POLICY, {
      user: alice,
      spec: spec({}),
    });
    expect(decision).toMatchObject({
      allowed: true,
      gpus: 32,
      spec: {
        terraformState: {
          bucket: 'ml-tfstate',
          prefix: 'gpu-clusters/default/ml-platform/train',
        },
      },
    });
  });

  it('refuses another team, a foreign project and a group outside the policy, naming the field', () => {
    expect(evaluateStackRequest(POLICY, { user: bob, spec: spec({}) })).toEqual(
      {
        allowed: false,
        field: 'identity.owner',
        message:
          'user:default/bob is not a member of group:default/ml-platform and may not create GPU clusters for it',
      },
    );
    expect(
      evaluateStackRequest(POLICY, {
        user: alice,
        spec: spec({ projectId: 'research-project-1' }),
      }),
    ).toMatchObject({ allowed: false, field: 'identity.projectId' });
    // Another team's group and a group outside the policy are refused alike: a user learns
    // nothing about other teams' entries.
    expect(
      evaluateStackRequest(POLICY, {
        user: alice,
        spec: spec({ owner: 'group:default/finance' }),
      }),
    ).toEqual({
      allowed: false,
      field: 'identity.owner',
      message:
        'user:default/alice is not a member of group:default/finance and may not create GPU clusters for it',
    });
    // A group of the user that the policy does not list says so.
    expect(
      evaluateStackRequest(POLICY, {
        user: {
          ...alice,
          ownershipEntityRefs: [
            ...alice.ownershipEntityRefs,
            'group:default/finance',
          ],
        },
        spec: spec({ owner: 'group:default/finance' }),
      }),
    ).toMatchObject({
      allowed: false,
      field: 'identity.owner',
      message: expect.stringContaining(
        'is not one of the groups in gpuCluster.policy.groups',
      ),
    });
  });

  it('refuses any state location but the derived one', () => {
    expect(
      evaluateStackRequest(POLICY, {
        user: alice,
        spec: spec({}, { terraformState: { bucket: 'research-tfstate' } }),
      }),
    ).toMatchObject({ allowed: false, field: 'terraformState.bucket' });
    expect(
      evaluateStackRequest(POLICY, {
        user: alice,
        spec: spec(
          {},
          { terraformState: { prefix: 'gpu-clusters/default/research/x' } },
        ),
      }),
    ).toMatchObject({ allowed: false, field: 'terraformState.prefix' });
    // Repeating the derived location is fine.
    expect(
      evaluateStackRequest(POLICY, {
        user: alice,
        spec: spec(
          {},
          {
            terraformState: {
              bucket: 'ml-tfstate',
              prefix: 'gpu-clusters/default/ml-platform/train',
            },
          },
        ),
      }).allowed,
    ).toBe(true);
  });

  it('keeps stacks within the GPU budget, per stack and in total', () => {
    const big = spec({}, { nodePools: [{ maxNodes: 5 }] });
    expect(stackGpuCapacity(big)).toBe(40);
    expect(
      evaluateStackRequest(POLICY, { user: alice, spec: big }),
    ).toMatchObject({ allowed: false, field: 'nodePools' });
    const other = { entityRef: 'resource:default/other-gke', gpus: 24 };
    expect(
      evaluateStackRequest(POLICY, {
        user: alice,
        spec: spec({}),
        stacks: { 'group:default/ml-platform': [other] },
      }),
    ).toMatchObject({
      allowed: false,
      field: 'nodePools',
      message: expect.stringContaining('its budget is 48'),
    });
    // Re-applying a registered cluster does not count it twice.
    expect(stackEntityRef(spec({}))).toBe('resource:default/train-gke');
    expect(
      evaluateStackRequest(POLICY, {
        user: alice,
        spec: spec({}),
        stacks: {
          'group:default/ml-platform': [
            { entityRef: 'resource:default/train-gke', gpus: 32 },
            { entityRef: 'resource:default/other-gke', gpus: 16 },
          ],
        },
      }).allowed,
    ).toBe(true);
  });

  it('lets admins act for any group of the policy, still within its projects', () => {
    expect(isPolicyAdmin(POLICY, admin)).toBe(true);
    expect(
      evaluateStackRequest(POLICY, { user: admin, spec: spec({}) }).allowed,
    ).toBe(true);
    expect(
      evaluateStackRequest(POLICY, {
        user: admin,
        spec: spec({ projectId: 'other-project-1' }),
      }).allowed,
    ).toBe(false);
    expect(mayCreateStacks(POLICY, bob)).toBe(true);
    expect(
      mayCreateStacks(POLICY, {
        userEntityRef: 'user:default/eve',
        ownershipEntityRefs: ['user:default/eve'],
      }),
    ).toBe(false);
    expect(mayCreateStacks({ adminGroups: [], groups: [] }, alice)).toBe(false);
  });

  it('shows each user only the groups they may create for, with what is left of the budget', () => {
    const stacks = new Map([
      [
        'group:default/ml-platform',
        [{ entityRef: 'resource:default/a-gke', gpus: 40 }],
      ],
    ]);
    const aliceView = stackPolicyView(POLICY, alice, stacks, {
      permitted: true,
    });
    expect(aliceView).toEqual({
      userEntityRef: 'user:default/alice',
      ownershipEntityRefs: ['user:default/alice', 'group:default/ml-platform'],
      admin: false,
      groups: [
        {
          ...POLICY.groups[0],
          stacks: [{ entityRef: 'resource:default/a-gke', gpus: 40 }],
          remainingGpus: 8,
        },
      ],
    });
    const bobView = stackPolicyView(POLICY, bob, stacks, { permitted: true });
    expect(bobView.groups.map(g => g.group)).toEqual([
      'group:default/research',
    ]);
    expect(bobView.groups[0]).not.toHaveProperty('remainingGpus');
    const adminView = stackPolicyView(POLICY, admin, stacks, {
      permitted: true,
    });
    expect(adminView.admin).toBe(true);
    expect(adminView.groups.map(g => g.group)).toEqual(
      creatableGroups(POLICY, admin).map(g => g.group),
    );
    expect(adminView.groups).toHaveLength(2);
  });

  it('tells a user outside every group what to ask the platform team for', () => {
    const eve = {
      userEntityRef: 'user:default/eve',
      ownershipEntityRefs: ['user:default/eve', 'group:default/finance'],
    };
    const view = stackPolicyView(POLICY, eve, new Map(), { permitted: true });
    expect(view.groups).toEqual([]);
    expect(view.refusal).toBe(
      'user:default/eve may not create GPU clusters: none of their groups is in gpuCluster.policy.groups. Ask the platform team to add one of your groups (group:default/finance) to gpuCluster.policy.groups, with the Google Cloud projects, Terraform state bucket and GPU budget it may use.',
    );
    expect(evaluateStackForView(view, spec({}))).toEqual({
      allowed: false,
      field: 'identity.owner',
      message: view.refusal,
    });
    // Denied gpuCluster.stack.create: no group, whatever the policy lists.
    const denied = stackPolicyView(POLICY, alice, new Map(), {
      permitted: false,
    });
    expect(denied.groups).toEqual([]);
    expect(denied.refusal).toMatch(
      /^user:default\/alice may not create GPU clusters \(permission gpuCluster.stack.create; /,
    );
  });

  it('checks owner and project before the rest of the spec is complete', () => {
    const view = stackPolicyView(POLICY, alice, new Map(), { permitted: true });
    expect(identityPolicyIssue(view, {})).toBeUndefined();
    expect(
      identityPolicyIssue(view, { owner: 'ml-platform', projectId: '' }),
    ).toBeUndefined();
    expect(
      identityPolicyIssue(view, {
        owner: 'group:default/ml-platform',
        projectId: 'research-project-1',
      }),
    ).toEqual({
      allowed: false,
      field: 'identity.projectId',
      message:
        'Project research-project-1 is not allowed for group:default/ml-platform (gpuCluster.policy.groups: ml-project-1)',
    });
    // The same message as the decision on the complete spec.
    expect(
      identityPolicyIssue(view, {
        owner: 'group:default/ml-platform',
        projectId: 'research-project-1',
      }),
    ).toEqual(
      evaluateStackForView(view, spec({ projectId: 'research-project-1' })),
    );
    expect(
      identityPolicyIssue(view, { owner: 'group:default/research' }),
    ).toMatchObject({ field: 'identity.owner' });
  });

  it('normalises owner references', () => {
    expect(normalizeOwnerRef('ml-platform')).toBe('group:default/ml-platform');
    expect(normalizeOwnerRef('Group:Default/ML')).toBe('group:default/ml');
    expect(normalizeOwnerRef('user:alice')).toBe('user:default/alice');
  });
});
