import { z } from 'zod';
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

/** Parses and validates a stack spec (unknown input: YAML/JSON values, form data). @public */
export function parseGpuStackSpec(input: unknown): ParseGpuStackSpecResult {
  const result = gpuStackSpecSchema.safeParse(input);
  if (result.success) return { ok: true, spec: result.data };
  return {
    ok: false,
    issues: result.error.issues.map(issue => ({
      path: formatIssuePath(issue.path),
      message: issueMessage(issue),
    })),
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
