import { resolveNodePools, stackNames } from '../spec/derive';
import type { GpuStackSpec } from '../spec/schema';

/**
 * What one group may create (`gpuCluster.policy.groups[]`).
 *
 * @public
 */
export interface GpuClusterGroupPolicy {
  /** The group, as a full entity reference (`group:default/ml-platform`). */
  group: string;
  /** GCP projects its stacks may use. */
  projects: string[];
  /** Its Terraform state bucket. */
  stateBucket: string;
  /**
   * The folder of its stacks' state in the bucket (default `gpu-clusters/<namespace>/<name>` of
   * the group); each stack's state is `<statePrefix>/<namePrefix>`.
   */
  statePrefix: string;
  /** Most GPUs one stack may hold (sum over its node pools of max nodes × GPUs per node). */
  maxGpusPerStack?: number;
  /** Most GPUs all the group's stacks together may hold. */
  maxGpusTotal?: number;
}

/**
 * Who may create GPU clusters where (`gpuCluster.policy`). Deny by default: without it nobody
 * may create one.
 *
 * @public
 */
export interface GpuClusterPolicy {
  /** Groups whose members may do everything (other teams' task logs, any cluster). */
  adminGroups: string[];
  groups: GpuClusterGroupPolicy[];
}

/** The user a decision is about (from the user info service). @public */
export interface PolicyUser {
  userEntityRef: string;
  /** The user and the groups they belong to. */
  ownershipEntityRefs: string[];
}

/** A stack request the policy allows, with what it derived. @public */
export interface AllowedStack {
  allowed: true;
  group: GpuClusterGroupPolicy;
  /** The spec with the state location the policy derives (the only one it may use). */
  spec: GpuStackSpec;
  gpus: number;
}

/** A refusal, naming the field to change and the config key that decides. @public */
export interface DeniedStack {
  allowed: false;
  field: string;
  message: string;
}

/** @public */
export type StackDecision = AllowedStack | DeniedStack;

/**
 * A group or user reference in its full form (`group:default/name`); the kind defaults to
 * `group`, the namespace to `default`.
 *
 * @public
 */
export function normalizeOwnerRef(ref: string): string {
  const text = ref.trim().toLocaleLowerCase('en-US');
  const colon = text.indexOf(':');
  const kind = colon >= 0 ? text.slice(0, colon) : 'group';
  const rest = colon >= 0 ? text.slice(colon + 1) : text;
  const slash = rest.indexOf('/');
  const namespace = slash >= 0 ? rest.slice(0, slash) : 'default';
  const name = slash >= 0 ? rest.slice(slash + 1) : rest;
  return `${kind}:${namespace}/${name}`;
}

/** Most GPUs a stack can hold: max nodes × GPUs per node over every pool it creates. @public */
export function stackGpuCapacity(spec: GpuStackSpec): number {
  return resolveNodePools(spec).reduce(
    (sum, pool) => sum + pool.maxNodes * pool.gpuCount,
    0,
  );
}

/** The state location of a stack: the group's bucket, `<statePrefix>/<namePrefix>`. @public */
export function policyStateLocation(
  group: GpuClusterGroupPolicy,
  spec: GpuStackSpec,
): { bucket: string; prefix: string } {
  return {
    bucket: group.stateBucket,
    prefix: `${group.statePrefix}/${spec.identity.namePrefix}`,
  };
}

/**
 * A GPU cluster registered in the catalog for a group, with the GPUs it can hold (its
 * `gpu-platform.dev/max-gpus` annotation): what counts against the group's `maxGpusTotal`.
 *
 * @public
 */
export interface RegisteredStack {
  /** The cluster's catalog entity (`resource:default/<cluster name>`). */
  entityRef: string;
  gpus: number;
}

/** One group a user may create GPU clusters for, as configured, with its registered clusters. @public */
export interface StackPolicyGroupView extends GpuClusterGroupPolicy {
  /** The clusters registered for the group; re-applying one of them does not count it twice. */
  stacks: RegisteredStack[];
  /** `maxGpusTotal` minus the GPUs of the registered clusters (absent without `maxGpusTotal`). */
  remainingGpus?: number;
}

/**
 * What `gpuCluster.policy` lets one user create: the part of the policy that user may see (the
 * groups they may create for, never other teams' entries). The actions decide with it, and the
 * form checks with the same view (`GET /api/gpu-cluster/stack/policy`), so both always agree.
 *
 * @public
 */
export interface StackPolicyView {
  userEntityRef: string;
  /** The user and their groups (normalised entity references). */
  ownershipEntityRefs: string[];
  /** Whether they belong to one of `gpuCluster.policy.adminGroups` (then every group of the policy is theirs to create for). */
  admin: boolean;
  /** The groups they may create GPU clusters for. */
  groups: StackPolicyGroupView[];
  /** Why they may not create any GPU cluster, naming what to ask for; absent when they may. */
  refusal?: string;
}

/** Whether the user belongs to one of the policy's admin groups. @public */
export function isPolicyAdmin(policy: GpuClusterPolicy, user: PolicyUser) {
  const owned = new Set(user.ownershipEntityRefs.map(normalizeOwnerRef));
  return policy.adminGroups.some(group => owned.has(group));
}

/**
 * The groups of the policy a user may create stacks for: the policy's groups they belong to, or
 * every group of the policy for an admin.
 *
 * @public
 */
export function creatableGroups(
  policy: GpuClusterPolicy,
  user: PolicyUser,
): GpuClusterGroupPolicy[] {
  if (isPolicyAdmin(policy, user)) return policy.groups;
  const owned = new Set(user.ownershipEntityRefs.map(normalizeOwnerRef));
  return policy.groups.filter(g => owned.has(g.group));
}

/** Whether the user belongs to a group that may create GPU clusters at all. @public */
export function mayCreateStacks(policy: GpuClusterPolicy, user: PolicyUser) {
  return (
    isPolicyAdmin(policy, user) || creatableGroups(policy, user).length > 0
  );
}

/** The catalog entity of a stack's cluster (what `gpu-cluster:catalog:register` registers). @public */
export function stackEntityRef(spec: GpuStackSpec): string {
  return `resource:default/${stackNames(spec).clusterName}`;
}

function askFor(groups: string[]) {
  return `Ask the platform team to add ${
    groups.length
      ? `one of your groups (${groups.join(', ')})`
      : 'a group of yours'
  } to gpuCluster.policy.groups, with the Google Cloud projects, Terraform state bucket and GPU budget it may use.`;
}

/**
 * The view of the policy for one user (see {@link StackPolicyView}).
 *
 * @param stacks - the registered clusters of the user's creatable groups, by owner group
 * @param options - `permitted`: whether the permission policy grants them `gpuCluster.stack.create`
 * @public
 */
export function stackPolicyView(
  policy: GpuClusterPolicy,
  user: PolicyUser,
  stacks: ReadonlyMap<string, RegisteredStack[]>,
  options: { permitted: boolean },
): StackPolicyView {
  const ownershipEntityRefs = [
    ...new Set(user.ownershipEntityRefs.map(normalizeOwnerRef)),
  ];
  const memberOf = ownershipEntityRefs.filter(ref => ref.startsWith('group:'));
  const admin = isPolicyAdmin(policy, user);
  const base = {
    userEntityRef: user.userEntityRef,
    ownershipEntityRefs,
    admin,
  };
  if (!options.permitted) {
    return {
      ...base,
      groups: [],
      refusal: `${
        user.userEntityRef
      } may not create GPU clusters (permission gpuCluster.stack.create; a platform engineer grants it through gpuCluster.policy.groups). ${askFor(
        memberOf,
      )}`,
    };
  }
  const groups = creatableGroups(policy, user).map(
    (group): StackPolicyGroupView => {
      const registered = stacks.get(group.group) ?? [];
      const used = registered.reduce((sum, s) => sum + s.gpus, 0);
      return {
        ...group,
        stacks: registered,
        ...(group.maxGpusTotal !== undefined
          ? { remainingGpus: Math.max(0, group.maxGpusTotal - used) }
          : {}),
      };
    },
  );
  if (groups.length === 0) {
    return {
      ...base,
      groups,
      refusal: `${user.userEntityRef} may not create GPU clusters: ${
        admin
          ? 'gpuCluster.policy.groups lists no group yet'
          : 'none of their groups is in gpuCluster.policy.groups'
      }. ${askFor(memberOf)}`,
    };
  }
  return { ...base, groups };
}

/** A refusal of the owner or project, which need no complete spec (the form checks them early). */
function ownerAndProject(
  view: StackPolicyView,
  owner: string,
  projectId: string | undefined,
): DeniedStack | { group: StackPolicyGroupView } {
  const ref = normalizeOwnerRef(owner);
  const group = view.groups.find(g => g.group === ref);
  if (!group) {
    // Said the same way whether or not another team's group is in the policy: a user learns
    // nothing about entries that are not theirs.
    const ownGroup = view.admin || view.ownershipEntityRefs.includes(ref);
    return {
      allowed: false,
      field: 'identity.owner',
      message: ownGroup
        ? `${ref} may not create GPU clusters: it is not one of the groups in gpuCluster.policy.groups`
        : `${view.userEntityRef} is not a member of ${ref} and may not create GPU clusters for it`,
    };
  }
  if (projectId !== undefined && !group.projects.includes(projectId)) {
    return {
      allowed: false,
      field: 'identity.projectId',
      message: `Project ${projectId} is not allowed for ${ref} (gpuCluster.policy.groups: ${
        group.projects.join(', ') || 'no projects'
      })`,
    };
  }
  return { group };
}

/**
 * The policy's verdict on the owner and project alone, for values that are not a complete spec
 * yet (the form's page 1): the same messages and fields as {@link evaluateStackForView}.
 *
 * @public
 */
export function identityPolicyIssue(
  view: StackPolicyView,
  identity: { owner?: unknown; projectId?: unknown },
): DeniedStack | undefined {
  if (typeof identity.owner !== 'string' || identity.owner.trim() === '')
    return undefined;
  const result = ownerAndProject(
    view,
    identity.owner,
    typeof identity.projectId === 'string' && identity.projectId !== ''
      ? identity.projectId
      : undefined,
  );
  return 'allowed' in result ? result : undefined;
}

/**
 * Decides whether the user a {@link StackPolicyView} is about may create (or re-apply) a stack:
 * the owner must be one of the groups they may create for, the project one of that group's,
 * the state location the one the policy derives from owner and stack name (a spec may leave it
 * empty or repeat it, never change it), and the GPUs within the group's budget (its other
 * registered clusters count towards `maxGpusTotal`; the cluster itself, when re-applied, not).
 *
 * @public
 */
export function evaluateStackForView(
  view: StackPolicyView,
  spec: GpuStackSpec,
): StackDecision {
  if (view.refusal) {
    return { allowed: false, field: 'identity.owner', message: view.refusal };
  }
  const checked = ownerAndProject(
    view,
    spec.identity.owner,
    spec.identity.projectId,
  );
  if ('allowed' in checked) return checked;
  const { group } = checked;
  const owner = group.group;
  const state = policyStateLocation(group, spec);
  if (
    spec.terraformState.bucket !== undefined &&
    spec.terraformState.bucket !== state.bucket
  ) {
    return {
      allowed: false,
      field: 'terraformState.bucket',
      message: `The state bucket of ${owner} is ${state.bucket} (gpuCluster.policy); leave terraformState.bucket empty`,
    };
  }
  if (
    spec.terraformState.prefix !== undefined &&
    spec.terraformState.prefix !== state.prefix
  ) {
    return {
      allowed: false,
      field: 'terraformState.prefix',
      message: `The state of this stack lives at ${state.prefix} (derived from owner and name prefix by gpuCluster.policy); leave terraformState.prefix empty`,
    };
  }
  const gpus = stackGpuCapacity(spec);
  if (group.maxGpusPerStack !== undefined && gpus > group.maxGpusPerStack) {
    return {
      allowed: false,
      field: 'nodePools',
      message: `The node pools can hold ${gpus} GPUs; ${owner} may have at most ${group.maxGpusPerStack} per stack (gpuCluster.policy)`,
    };
  }
  const self = stackEntityRef(spec);
  const others = group.stacks
    .filter(s => s.entityRef !== self)
    .reduce((sum, s) => sum + s.gpus, 0);
  const total = others + gpus;
  if (group.maxGpusTotal !== undefined && total > group.maxGpusTotal) {
    return {
      allowed: false,
      field: 'nodePools',
      message: `${owner} would hold ${total} GPUs with this stack; its budget is ${group.maxGpusTotal} (gpuCluster.policy)`,
    };
  }
  const { stacks: _stacks, remainingGpus: _remaining, ...configured } = group;
  const effective: GpuStackSpec = {
    ...spec,
    terraformState: { ...spec.terraformState, ...state },
  };
  return { allowed: true, group: configured, spec: effective, gpus };
}
