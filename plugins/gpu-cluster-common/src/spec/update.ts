import type { SpecIssue } from './parse';
import type { GpuStackSpec } from './schema';

/**
 * What the "Update GPU cluster" template may change on a running stack, as field paths of the
 * spec. Everything else identifies the stack or would make GKE/Terraform replace it: the project,
 * region, zones and names (the google provider marks `project`, `location`, `name` of
 * google_container_cluster and the networks ForceNew), the networks and CIDRs (ForceNew on
 * google_compute_subnetwork.ip_cidr_range shrinking, network names), the cluster settings, the
 * storage, identity and state location. An allow-list: a field the spec gains later is immutable
 * until someone decides otherwise.
 *
 * @public
 */
export const UPDATABLE_STACK_FIELDS: readonly string[] = [
  'nodePools',
  'ray.workerGroups',
  'ray.autoscaling',
  'ray.head',
  'kueue.gpuQuota',
  'kueue.clusterQueueName',
  'kueue.localQueueName',
];

/**
 * The fields of a node pool that survives an update (same name) which GKE changes in place:
 * size and autoscaling limits, repair and upgrade (google_container_node_pool `node_count`,
 * `autoscaling`, `management` are updatable). Machine type, accelerators, disk, placement,
 * provisioning and RDMA networking are ForceNew on `node_config`/`placement_policy`/
 * `network_config`: change them by adding a new pool and removing the old one.
 *
 * @public
 */
export const UPDATABLE_NODE_POOL_FIELDS: readonly string[] = [
  'minNodes',
  'maxNodes',
  'autoscaling',
  'autoRepair',
  'autoUpgrade',
];

/** A change an update refuses. @public */
export interface ImmutableStackChange {
  /** Field path in the spec, such as `identity.region` or `nodePools[0].machineType`. */
  field: string;
  message: string;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Structural equality of JSON values (the spec is plain data). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((v, i) => jsonEqual(v, b[i]));
  }
  if (isObject(a) && isObject(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const key of keys) if (!jsonEqual(a[key], b[key])) return false;
    return true;
  }
  return false;
}

const show = (value: unknown) =>
  value === undefined ? 'unset' : JSON.stringify(value);

/** The first-level differing paths of `a` and `b` below `path`, skipping `skip`. */
function differingFields(
  a: unknown,
  b: unknown,
  path: string,
  skip: (path: string) => boolean,
  found: Array<{ field: string; from: unknown; to: unknown }>,
) {
  if (skip(path)) return;
  if (isObject(a) && isObject(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const key of keys) {
      differingFields(
        a[key],
        b[key],
        path ? `${path}.${key}` : key,
        skip,
        found,
      );
    }
    return;
  }
  if (!jsonEqual(a, b)) found.push({ field: path, from: a, to: b });
}

/**
 * The changes from the `stored` spec (what the template applied) to `next` that an update may not
 * make, each naming its field. Empty when `next` changes only {@link UPDATABLE_STACK_FIELDS}
 * (and, of node pools kept by name, only {@link UPDATABLE_NODE_POOL_FIELDS}).
 *
 * @public
 */
export function immutableStackChanges(
  stored: GpuStackSpec,
  next: GpuStackSpec,
): ImmutableStackChange[] {
  const found: Array<{ field: string; from: unknown; to: unknown }> = [];
  differingFields(
    stored,
    next,
    '',
    p => UPDATABLE_STACK_FIELDS.includes(p),
    found,
  );
  const changes: ImmutableStackChange[] = found.map(({ field, from, to }) => ({
    field,
    message: `cannot change on an existing cluster (${show(from)} → ${show(
      to,
    )}): it identifies the stack or GKE would replace what it configures; create a new cluster instead`,
  }));
  const storedPools = new Map(stored.nodePools.map(p => [p.name, p]));
  next.nodePools.forEach((pool, index) => {
    const before = storedPools.get(pool.name);
    if (!before) return;
    const poolChanges: Array<{ field: string; from: unknown; to: unknown }> =
      [];
    differingFields(
      before,
      pool,
      '',
      p => UPDATABLE_NODE_POOL_FIELDS.includes(p),
      poolChanges,
    );
    for (const { field, from, to } of poolChanges) {
      changes.push({
        field: `nodePools[${index}].${field}`,
        message: `cannot change on existing node pool ${pool.name} (${show(
          from,
        )} → ${show(
          to,
        )}): GKE would recreate the pool; add a pool with a new name and remove this one instead`,
      });
    }
  });
  return changes;
}

/** One Kubernetes object an update adds, changes or removes. @public */
export interface StackObjectChange {
  change: 'added' | 'changed' | 'removed';
  /** The manifest file it is rendered into, e.g. `50-kueue-queues.yaml`. */
  file: string;
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string;
}

/** One Terraform variable leaf that differs between the stored and the new spec. @public */
export interface StackVariableChange {
  /** Path in terraform.tfvars.json, e.g. `node_pools[0].max_nodes`. */
  path: string;
  from?: unknown;
  to?: unknown;
}

/**
 * What an update of a stack would change, computed by rendering the stored and the new spec
 * (never by running a tool): refused fields, Kubernetes objects and Terraform variables.
 *
 * @public
 */
export interface StackUpdatePreview {
  immutable: ImmutableStackChange[];
  objects: StackObjectChange[];
  variables: StackVariableChange[];
}

/** The stored spec of a cluster the template registered, as its owners read it. @public */
export interface StoredStackResponse {
  entityRef: string;
  /** The validated spec the template applied last (with the policy's state location). */
  spec: GpuStackSpec;
  /** {@link UPDATABLE_STACK_FIELDS} and {@link UPDATABLE_NODE_POOL_FIELDS}, for the form. */
  updatableFields: string[];
  updatableNodePoolFields: string[];
}

/**
 * `POST /clusters/:namespace/:name/update-preview`: the diff, or why the values are refused
 * (with the diff when they parse). @public
 */
export type StackUpdatePreviewResponse =
  | { valid: true; preview: StackUpdatePreview }
  | { valid: false; issues: SpecIssue[]; preview?: StackUpdatePreview };

/** The field extension of the "Update GPU cluster" form (ui:field of its `stack` parameter). @public */
export const GPU_STACK_UPDATE_FIELD = 'GpuStackUpdate';
