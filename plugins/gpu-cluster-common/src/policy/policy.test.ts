import { assertGpuStackSpec } from '../spec/parse';
import {
  evaluateStackRequest,
  isPolicyAdmin,
  mayCreateStacks,
  normalizeOwnerRef,
  stackGpuCapacity,
  type GpuClusterPolicy,
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
    expect(
      evaluateStackRequest(POLICY, {
        user: alice,
        spec: spec({ owner: 'group:default/finance' }),
      }),
    ).toMatchObject({
      allowed: false,
      field: 'identity.owner',
      message: expect.stringContaining('gpuCluster.policy.groups'),
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
    expect(
      evaluateStackRequest(POLICY, {
        user: alice,
        spec: spec({}),
        otherStacksGpus: 24,
      }),
    ).toMatchObject({
      allowed: false,
      field: 'nodePools',
      message: expect.stringContaining('its budget is 48'),
    });
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

  it('normalises owner references', () => {
    expect(normalizeOwnerRef('ml-platform')).toBe('group:default/ml-platform');
    expect(normalizeOwnerRef('Group:Default/ML')).toBe('group:default/ml');
    expect(normalizeOwnerRef('user:alice')).toBe('user:default/alice');
  });
});
