import { z } from 'zod';
import leven from 'leven';
import { gpuStackSpecSchema, type GpuStackSpec } from './schema';

/** One validation problem, with a field path such as `nodePools[0].provisioning.mode`. @public */
export interface SpecIssue {
  path: string;
  message: string;
}

/** @public */
export type ParseGpuStackSpecResult =
  | { ok: true; spec: GpuStackSpec }
  | { ok: false; issues: SpecIssue[] };

/** Formats a zod path as `a.b[0].c` (record keys that are not identifiers are quoted). @public */
export function formatIssuePath(path: ReadonlyArray<PropertyKey>): string {
  return path.reduce<string>((out, key) => {
    if (typeof key === 'number') return `${out}[${key}]`;
    const text = String(key);
    if (/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(text))
      return out ? `${out}.${text}` : text;
    return `${out}[${JSON.stringify(text)}]`;
  }, '');
}

// Record-key issues wrap the real reason (the key pattern) one level down.
function issueMessage(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_key' && issue.issues.length > 0) {
    return `invalid key: ${issue.issues.map(i => i.message).join('; ')}`;
  }
  return issue.message;
}

type AnySchema = z.core.$ZodType;

/** The schema node at a path of the input (through defaults, optionals, arrays and records). */
function schemaAt(
  root: AnySchema,
  path: ReadonlyArray<PropertyKey>,
): AnySchema | undefined {
  let node: AnySchema | undefined = root;
  let remaining = [...path];
  for (;;) {
    if (!node) return undefined;
    const def = node._zod.def as any;
    if (def.innerType) {
      node = def.innerType;
      continue;
    }
    if (def.type === 'pipe') {
      node = def.in;
      continue;
    }
    if (remaining.length === 0) return node;
    const [key, ...rest] = remaining;
    remaining = rest;
    if (def.type === 'object') node = def.shape[key as string];
    else if (def.type === 'array') node = def.element;
    else if (def.type === 'record') node = def.valueType;
    else return undefined;
  }
}

/** The field names an object of the spec accepts at `path`. @internal */
export function specFieldsAt(path: ReadonlyArray<PropertyKey>): string[] {
  const node = schemaAt(gpuStackSpecSchema, path);
  const def = node?._zod.def as any;
  return def?.type === 'object' ? Object.keys(def.shape) : [];
}

/**
 * The closest of `candidates` to a mistyped `name` (case-insensitive edit distance), if it is
 * close enough to be what the user meant. @public
 */
export function suggestName(
  name: string,
  candidates: readonly string[],
): string | undefined {
  const folded = name.toLowerCase().replace(/[-_]/g, '');
  let best: { candidate: string; distance: number } | undefined;
  for (const candidate of candidates) {
    const distance = leven(
      folded,
      candidate.toLowerCase().replace(/[-_]/g, ''),
    );
    if (!best || distance < best.distance) best = { candidate, distance };
  }
  if (!best) return undefined;
  const tolerance = Math.max(1, Math.floor(Math.min(name.length, 12) / 4));
  return best.distance <= tolerance ? best.candidate : undefined;
}

function unknownKeyIssues(
  issue: z.core.$ZodIssueUnrecognizedKeys,
): SpecIssue[] {
  const known = specFieldsAt(issue.path);
  return issue.keys.map(key => {
    const suggestion = suggestName(key, known);
    let hint = '';
    if (suggestion) hint = `; did you mean "${suggestion}"?`;
    else if (known.length) hint = `; expected one of ${known.join(', ')}`;
    return {
      path: formatIssuePath([...issue.path, key]),
      message: `unknown field "${key}"${hint}`,
    };
  });
}

/**
 * Keys JavaScript gives a meaning to. They are refused everywhere in the input (labels are the
 * only free-form maps) so that no merge or lookup can reach an object's prototype.
 */
const RESERVED_OBJECT_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

function reservedKeyIssues(
  value: unknown,
  path: PropertyKey[] = [],
  depth = 0,
): SpecIssue[] {
  if (depth > 32 || typeof value !== 'object' || value === null) return [];
  const issues: SpecIssue[] = [];
  for (const key of Object.keys(value)) {
    const at = [...path, Array.isArray(value) ? Number(key) : key];
    if (RESERVED_OBJECT_KEYS.has(key)) {
      issues.push({
        path: formatIssuePath(at),
        message: `"${key}" is a reserved name and cannot be used as a key`,
      });
      continue;
    }
    issues.push(
      ...reservedKeyIssues(
        (value as Record<string, unknown>)[key],
        at,
        depth + 1,
      ),
    );
  }
  return issues;
}

/** Parses and validates a stack spec (unknown input: YAML/JSON values, form data). @public */
export function parseGpuStackSpec(input: unknown): ParseGpuStackSpecResult {
  const reserved = reservedKeyIssues(input);
  if (reserved.length) return { ok: false, issues: reserved };
  const result = gpuStackSpecSchema.safeParse(input);
  if (result.success) return { ok: true, spec: result.data };
  return {
    ok: false,
    issues: result.error.issues.flatMap(issue =>
      issue.code === 'unrecognized_keys'
        ? unknownKeyIssues(issue)
        : [{ path: formatIssuePath(issue.path), message: issueMessage(issue) }],
    ),
  };
}

/** Thrown by {@link assertGpuStackSpec}. @public */
export class GpuStackSpecError extends Error {
  readonly issues: SpecIssue[];
  constructor(issues: SpecIssue[]) {
    super(
      `Invalid GPU stack spec:\n${issues
        .map(i => `  - ${i.path || '(root)'}: ${i.message}`)
        .join('\n')}`,
    );
    this.name = 'GpuStackSpecError';
    this.issues = issues;
  }
}

/** Parses or throws a {@link GpuStackSpecError}. @public */
export function assertGpuStackSpec(input: unknown): GpuStackSpec {
  const result = parseGpuStackSpec(input);
  if (!result.ok) throw new GpuStackSpecError(result.issues);
  return result.spec;
}

/**
 * JSON Schema (draft 2020-12) of what a user may write, for the scaffolder form and editors.
 * Defaults are listed; cross-field rules are not expressible and run server-side.
 * @public
 */
export function gpuStackSpecJsonSchema(
  options: { target?: 'draft-2020-12' | 'draft-7' } = {},
): Record<string, unknown> {
  // The scaffolder form (react-jsonschema-form) validates with draft-07; pass target 'draft-7' there.
  return z.toJSONSchema(gpuStackSpecSchema, {
    io: 'input',
    unrepresentable: 'any',
    target: options.target ?? 'draft-2020-12',
  }) as Record<string, unknown>;
}
