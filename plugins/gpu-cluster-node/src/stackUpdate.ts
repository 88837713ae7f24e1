import {
  immutableStackChanges,
  jsonEqual,
  type GpuStackSpec,
  type StackObjectChange,
  type StackUpdatePreview,
  type StackVariableChange,
} from '@gpu-platform/backstage-plugin-gpu-cluster-common';
import {
  renderManifests,
  type KubeObject,
  type ManifestFile,
} from './manifests';
import { renderTfvars } from './terraform';

const objectKey = (o: KubeObject) =>
  `${o.apiVersion}|${o.kind}|${o.metadata.namespace ?? ''}|${o.metadata.name}`;

interface RenderedObject {
  file: string;
  createOnce: boolean;
  object: KubeObject;
}

function renderedObjects(spec: GpuStackSpec): Map<string, RenderedObject> {
  const objects = new Map<string, RenderedObject>();
  for (const file of renderManifests(spec)) {
    for (const object of file.objects) {
      objects.set(objectKey(object), {
        file: file.path,
        createOnce: file.createOnce ?? false,
        object,
      });
    }
  }
  return objects;
}

/** The manifest side of an update: what to show, which files to apply, what to delete. @public */
export interface StackManifestDiff {
  changes: StackObjectChange[];
  /** The added and changed objects only, by manifest file in apply order: what an update applies. */
  toApply: ManifestFile[];
  /** Objects the stored spec rendered and the new one does not, in reverse apply order. */
  removed: KubeObject[];
}

/**
 * Renders the stored and the new spec and compares object by object (apiVersion, kind,
 * namespace, name). Objects created once (the NCCL verification Job) belong to their controllers
 * after creation, so an update neither re-applies nor deletes them.
 *
 * @public
 */
export function diffStackManifests(
  stored: GpuStackSpec,
  next: GpuStackSpec,
): StackManifestDiff {
  const before = renderedObjects(stored);
  const after = renderedObjects(next);
  const changes: StackObjectChange[] = [];
  const toApply = new Map<string, KubeObject[]>();
  const describe = (
    change: StackObjectChange['change'],
    { file, object }: RenderedObject,
  ): StackObjectChange => ({
    change,
    file,
    apiVersion: object.apiVersion,
    kind: object.kind,
    name: object.metadata.name,
    ...(object.metadata.namespace
      ? { namespace: object.metadata.namespace }
      : {}),
  });
  for (const [key, rendered] of after) {
    if (rendered.createOnce) continue;
    const old = before.get(key);
    if (!old) changes.push(describe('added', rendered));
    else if (!jsonEqual(old.object, rendered.object))
      changes.push(describe('changed', rendered));
    else continue;
    toApply.set(rendered.file, [
      ...(toApply.get(rendered.file) ?? []),
      rendered.object,
    ]);
  }
  const removed: RenderedObject[] = [];
  for (const [key, rendered] of before) {
    if (rendered.createOnce || after.has(key)) continue;
    changes.push(describe('removed', rendered));
    removed.push(rendered);
  }
  return {
    changes,
    toApply: [...toApply.keys()]
      .sort()
      .map(file => ({ path: file, objects: toApply.get(file)! })),
    // Dependents (queues, Ray) sit in later files: delete them before what they use.
    removed: removed.reverse().map(r => r.object),
  };
}

function leafChanges(
  a: unknown,
  b: unknown,
  path: string,
  found: StackVariableChange[],
) {
  const isObject = (v: unknown): v is Record<string, unknown> =>
    typeof v === 'object' && v !== null && !Array.isArray(v);
  if (isObject(a) && isObject(b)) {
    for (const key of new Set([...Object.keys(a), ...Object.keys(b)]))
      leafChanges(a[key], b[key], path ? `${path}.${key}` : key, found);
    return;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.max(a.length, b.length); i++)
      leafChanges(a[i], b[i], `${path}[${i}]`, found);
    return;
  }
  if (!jsonEqual(a, b))
    found.push({
      path,
      ...(a === undefined ? {} : { from: a }),
      ...(b === undefined ? {} : { to: b }),
    });
}

/**
 * The Terraform variables that differ between the stored and the new spec (leaf by leaf of
 * terraform.tfvars.json; values are names and sizes, no secrets).
 *
 * @public
 */
export function diffStackVariables(
  stored: GpuStackSpec,
  next: GpuStackSpec,
): StackVariableChange[] {
  const found: StackVariableChange[] = [];
  leafChanges(renderTfvars(stored), renderTfvars(next), '', found);
  return found;
}

/**
 * What updating `stored` to `next` would change: refused fields, objects and variables, all
 * computed by rendering in memory (the form's review and the update action's dry run).
 *
 * @public
 */
export function previewStackUpdate(
  stored: GpuStackSpec,
  next: GpuStackSpec,
): StackUpdatePreview {
  return {
    immutable: immutableStackChanges(stored, next),
    objects: diffStackManifests(stored, next).changes,
    variables: diffStackVariables(stored, next),
  };
}

/**
 * The planned changes (`delete <address>`, `replace <address>`, as {@link summarizePlan} lists
 * them) an update must refuse: any replacement, and any deletion but of a GPU node pool the new
 * spec removed. Replacing or deleting the cluster, the system pool, a network or the data would
 * take the running work with it; an update that only resizes plans neither.
 *
 * @public
 */
export function refusedPlanChanges(
  changes: string[],
  removedPools: string[],
): string[] {
  return changes.filter(change => {
    const [action, address = ''] = change.split(' ');
    if (action === 'replace') return true;
    if (action !== 'delete') return false;
    // module.node_pool["h200-dws"].google_container_node_pool.this: the GPU pools' module.
    const pool = /^module\.node_pool\["([^"]+)"\]\./.exec(address);
    if (pool) return !removedPools.includes(pool[1]);
    return true;
  });
}
