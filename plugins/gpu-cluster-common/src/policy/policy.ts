import { resolveNodePools } from '../spec/derive';
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

/** Whether the user belongs to one of the policy's admin groups. @public */
export function isPolicyAdmin(policy: GpuClusterPolicy, user: PolicyUser) {
  const owned = new Set(user.ownershipEntityRefs.map(normalizeOwnerRef));
  return policy.adminGroups.some(group => owned.has(group));
}

/** Whether the user belongs to a group that may create GPU clusters at all. @public */
export function mayCreateStacks(policy: GpuClusterPolicy, user: PolicyUser) {
  const owned = new Set(user.ownershipEntityRefs.map(normalizeOwnerRef));
  return (
    isPolicyAdmin(policy, user) || policy.groups.some(g => owned.has(g.group))
  );
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
 * Decides whether a user may create (or re-apply) a stack: the owner must be a group of the
 * policy the user belongs to (or the user an admin), the project one of that group's, the state
 * location the one the policy derives from owner and stack name (a spec may leave it empty or
 * repeat it, never change it), and the GPUs within the group's budget.
 *
 * @public
 */
export function evaluateStackRequest(
  policy: GpuClusterPolicy,
  request: {
    user: PolicyUser;
    spec: GpuStackSpec;
    /** GPUs of the group's other stacks (for `maxGpusTotal`). */
    otherStacksGpus?: number;
  },
): StackDecision {
  const { user, spec } = request;
  const owner = normalizeOwnerRef(spec.identity.owner);
  const group = policy.groups.find(g => g.group === owner);
  if (!group) {
    return {
      allowed: false,
      field: 'identity.owner',
      message: `${owner} may not create GPU clusters: it is not one of the groups in gpuCluster.policy.groups`,
    };
  }
  const owned = new Set(user.ownershipEntityRefs.map(normalizeOwnerRef));
  if (!owned.has(owner) && !isPolicyAdmin(policy, user)) {
    return {
      allowed: false,
      field: 'identity.owner',
      message: `${user.userEntityRef} is not a member of ${owner} and may not create GPU clusters for it`,
    };
  }
  if (!group.projects.includes(spec.identity.projectId)) {
    return {
      allowed: false,
      field: 'identity.projectId',
      message: `Project ${
        spec.identity.projectId
      } is not allowed for ${owner} (gpuCluster.policy.groups: ${
        group.projects.join(', ') || 'no projects'
      })`,
    };
  }
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
  const total = (request.otherStacksGpus ?? 0) + gpus;
  if (group.maxGpusTotal !== undefined && total > group.maxGpusTotal) {
    return {
      allowed: false,
      field: 'nodePools',
      message: `${owner} would hold ${total} GPUs with this stack; its budget is ${group.maxGpusTotal} (gpuCluster.policy)`,
    };
  }
  const effective: GpuStackSpec = {
    ...spec,
    terraformState: { ...spec.terraformState, ...state },
  };
  return { allowed: true, group, spec: effective, gpus };
}
