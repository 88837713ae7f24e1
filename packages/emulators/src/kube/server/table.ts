import type { PrinterColumn } from '../crds/catalog';
import type { ResourceType } from '../resources/registry';

/**
 * Evaluates the JSONPath subset used by printer columns: `.a.b`, `[0]`, `[*]` and
 * `[?(@.type=="Ready")]` filters.
 */
export function evaluateJsonPath(obj: unknown, path: string): unknown[] {
  const tokens =
    path
      .replace(/^\{|\}$/g, '')
      .match(/\.[^.[\]]+|\[\?\(@\.[^)]*\)\]|\[[^\]]*\]/g) ?? [];
  let current: unknown[] = [obj];
  for (const token of tokens) {
    const next: unknown[] = [];
    for (const value of current) {
      if (value === undefined || value === null) continue;
      if (token.startsWith('.')) {
        next.push((value as any)[token.slice(1)]);
      } else if (token.startsWith('[?(')) {
        const m = /^\[\?\(@\.([\w.]+)\s*==\s*["']([^"']*)["']\)\]$/.exec(token);
        if (m && Array.isArray(value)) {
          next.push(
            ...value.filter(
              item =>
                String(m[1].split('.').reduce((o: any, k) => o?.[k], item)) ===
                m[2],
            ),
          );
        }
      } else if (token === '[*]') {
        if (Array.isArray(value)) next.push(...value);
        else if (typeof value === 'object')
          next.push(...Object.values(value as object));
      } else {
        const index = Number(token.slice(1, -1));
        if (Array.isArray(value))
          next.push(value[index < 0 ? value.length + index : index]);
      }
    }
    current = next.filter(v => v !== undefined);
  }
  return current;
}

/** apimachinery's duration.HumanDuration, as printed in the AGE column. */
export function humanDuration(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10)
    return seconds % 60 === 0 ? `${minutes}m` : `${minutes}m${seconds % 60}s`;
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8)
    return minutes % 60 === 0 ? `${hours}h` : `${hours}h${minutes % 60}m`;
  if (hours < 48) return `${hours}h`;
  const days = Math.floor(hours / 24);
  if (days < 8) return hours % 24 === 0 ? `${days}d` : `${days}d${hours % 24}h`;
  if (days < 730) return `${days}d`;
  return `${Math.floor(days / 365)}y`;
}

export type IncludeObject = 'None' | 'Metadata' | 'Object';

/** Builds a meta.k8s.io/v1 Table, as the server does for `kubectl get`. */
export function toTable(
  type: ResourceType,
  version: string,
  items: Record<string, any>[],
  resourceVersion: string,
  now: Date,
  includeObject: IncludeObject,
  continueToken?: string,
) {
  const extra: PrinterColumn[] = (type.printerColumns[version] ?? []).filter(
    c => c.name.toLowerCase() !== 'age',
  );
  const columnDefinitions = [
    {
      name: 'Name',
      type: 'string',
      format: 'name',
      description: 'Name must be unique within a namespace.',
      priority: 0,
    },
    ...extra.map(c => ({
      name: c.name,
      type: c.type,
      format: c.format ?? '',
      description: c.description ?? '',
      priority: c.priority ?? 0,
    })),
    {
      name: 'Age',
      type: 'string',
      format: '',
      description: 'CreationTimestamp of the object.',
      priority: 0,
    },
  ];
  const cell = (obj: any, column: PrinterColumn) => {
    const values = evaluateJsonPath(obj, column.jsonPath);
    if (values.length === 0) return null;
    if (column.type === 'date')
      return humanDuration(
        now.getTime() - new Date(String(values[0])).getTime(),
      );
    if (
      column.type === 'integer' ||
      column.type === 'number' ||
      column.type === 'boolean'
    )
      return values[0];
    return values
      .map(v => (typeof v === 'object' ? JSON.stringify(v) : String(v)))
      .join(',');
  };
  const rows = items.map(obj => ({
    cells: [
      obj.metadata.name,
      ...extra.map(c => cell(obj, c)),
      humanDuration(
        now.getTime() - new Date(obj.metadata.creationTimestamp).getTime(),
      ),
    ],
    ...(includeObject === 'None'
      ? {}
      : {
          object:
            includeObject === 'Object'
              ? obj
              : {
                  kind: 'PartialObjectMetadata',
                  apiVersion: 'meta.k8s.io/v1',
                  metadata: obj.metadata,
                },
        }),
  }));
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: {
      resourceVersion,
      ...(continueToken ? { continue: continueToken } : {}),
    },
    columnDefinitions,
    rows,
  };
}
