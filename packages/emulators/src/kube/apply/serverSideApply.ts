import { ApiError } from '../server/status';

/**
 * Server-side apply, simplified: maps merge recursively, lists and scalars are atomic.
 * Each field manager owns the leaf paths of its last applied configuration (recorded in
 * `metadata.managedFields` as FieldsV1); fields it stops applying are removed, and applying
 * a value another manager owns differently is a conflict unless forced.
 */

const isObject = (v: unknown): v is Record<string, any> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

type FieldsV1 = Record<string, any>;

/** Metadata fields the server owns; an apply configuration cannot set them. */
const SERVER_METADATA = [
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'managedFields',
  'deletionTimestamp',
  'selfLink',
];

/** Leaf paths of an applied configuration, as FieldsV1 (`{"f:spec": {"f:replicas": {}}}`). */
export function fieldsOf(config: Record<string, any>): FieldsV1 {
  const out: FieldsV1 = {};
  for (const [key, value] of Object.entries(config)) {
    if (key === 'apiVersion' || key === 'kind') continue;
    out[`f:${key}`] =
      isObject(value) && Object.keys(value).length > 0 ? fieldsOf(value) : {};
  }
  return out;
}

function leafPaths(fields: FieldsV1, prefix: string[] = []): string[][] {
  const out: string[][] = [];
  for (const [key, child] of Object.entries(fields)) {
    if (!key.startsWith('f:')) continue;
    const path = [...prefix, key.slice(2)];
    if (isObject(child) && Object.keys(child).length > 0) {
      out.push(...leafPaths(child, path));
    } else {
      out.push(path);
    }
  }
  return out;
}

function getPath(obj: any, path: string[]) {
  return path.reduce((o, k) => (isObject(o) ? o[k] : undefined), obj);
}

function deletePath(obj: any, path: string[]) {
  const parents: any[] = [];
  let current = obj;
  for (const key of path.slice(0, -1)) {
    if (!isObject(current?.[key])) return;
    parents.push([current, key]);
    current = current[key];
  }
  delete current[path[path.length - 1]];
  // Drop maps left empty by the removal, as the structured-merge library does.
  for (const [parent, key] of parents.reverse()) {
    if (isObject(parent[key]) && Object.keys(parent[key]).length === 0)
      delete parent[key];
  }
}

function deepMerge(target: Record<string, any>, config: Record<string, any>) {
  for (const [key, value] of Object.entries(config)) {
    if (isObject(value) && isObject(target[key])) {
      deepMerge(target[key], value);
    } else {
      target[key] = structuredClone(value);
    }
  }
}

export interface ApplyInput {
  existing: Record<string, any> | undefined;
  config: Record<string, any>;
  manager: string;
  force: boolean;
  /** apiVersion recorded in the managed fields entry. */
  apiVersion: string;
  time: string;
  /** `status` is ignored on the main resource and everything but status on /status. */
  subresource?: 'status';
  resource: { group: string; plural: string };
}

export function serverSideApply(input: ApplyInput): Record<string, any> {
  const { existing, manager, force } = input;
  const config = structuredClone(input.config);
  if (isObject(config.metadata)) {
    for (const field of SERVER_METADATA) delete config.metadata[field];
  }
  const applied: Record<string, any> = {};
  for (const [key, value] of Object.entries(config)) {
    const isStatus = key === 'status';
    if (input.subresource === 'status' ? isStatus : !isStatus)
      applied[key] = value;
  }
  if (input.subresource === 'status') {
    applied.metadata = {
      name: config.metadata?.name,
      namespace: config.metadata?.namespace,
    };
  }
  const newFields = fieldsOf(applied);
  const managed: any[] = existing?.metadata?.managedFields ?? [];
  const mine = managed.find(
    m =>
      m.manager === manager &&
      m.operation === 'Apply' &&
      (m.subresource ?? '') === (input.subresource ?? ''),
  );
  const result: Record<string, any> = existing ? structuredClone(existing) : {};

  if (existing && !force) {
    const conflicts: { manager: string; path: string }[] = [];
    for (const other of managed) {
      if (other === mine || other.manager === manager) continue;
      for (const path of leafPaths(other.fieldsV1 ?? {})) {
        const wanted = getPath(applied, path);
        if (
          wanted !== undefined &&
          JSON.stringify(wanted) !== JSON.stringify(getPath(existing, path))
        ) {
          conflicts.push({
            manager: other.manager,
            path: `.${path.join('.')}`,
          });
        }
      }
    }
    if (conflicts.length > 0) {
      const plural = input.resource.group
        ? `${input.resource.plural}.${input.resource.group}`
        : input.resource.plural;
      throw new ApiError(
        409,
        'Conflict',
        `Apply failed with ${conflicts.length} conflict${
          conflicts.length > 1 ? 's' : ''
        }: ${conflicts
          .map(c => `conflict with "${c.manager}": ${c.path}`)
          .join('\n')}`,
        {
          name: existing.metadata?.name,
          group: input.resource.group || undefined,
          kind: plural,
          causes: conflicts.map(c => ({
            reason: 'FieldManagerConflict',
            message: `conflict with "${c.manager}"`,
            field: c.path,
          })),
        },
      );
    }
  }

  // Fields this manager applied before but no longer applies are removed (unless another manager owns them).
  if (mine) {
    const stillWanted = new Set(leafPaths(newFields).map(p => p.join('.')));
    const ownedByOthers = new Set(
      managed
        .filter(m => m !== mine)
        .flatMap(m => leafPaths(m.fieldsV1 ?? {}).map(p => p.join('.'))),
    );
    for (const path of leafPaths(mine.fieldsV1 ?? {})) {
      const key = path.join('.');
      if (!stillWanted.has(key) && !ownedByOthers.has(key)) {
        deletePath(result, path);
      }
    }
  }
  deepMerge(result, applied);

  // Ownership: forced fields move to this manager.
  const newLeaves = new Set(leafPaths(newFields).map(p => p.join('.')));
  const otherEntries = managed
    .filter(m => m !== mine)
    .map(m => {
      if (!force) return m;
      const kept = leafPaths(m.fieldsV1 ?? {}).filter(
        p => !newLeaves.has(p.join('.')),
      );
      return { ...m, fieldsV1: pathsToFields(kept) };
    })
    .filter(m => leafPaths(m.fieldsV1 ?? {}).length > 0);
  const previousFields = JSON.stringify(mine?.fieldsV1 ?? null);
  const entry = {
    manager,
    operation: 'Apply',
    apiVersion: input.apiVersion,
    time:
      previousFields === JSON.stringify(newFields) && mine
        ? mine.time
        : input.time,
    fieldsType: 'FieldsV1',
    fieldsV1: newFields,
    ...(input.subresource ? { subresource: input.subresource } : {}),
  };
  result.metadata = {
    ...(result.metadata ?? {}),
    managedFields: [...otherEntries, entry],
  };
  return result;
}

function pathsToFields(paths: string[][]): FieldsV1 {
  const out: FieldsV1 = {};
  for (const path of paths) {
    let node = out;
    for (const key of path) {
      node[`f:${key}`] = node[`f:${key}`] ?? {};
      node = node[`f:${key}`];
    }
  }
  return out;
}
