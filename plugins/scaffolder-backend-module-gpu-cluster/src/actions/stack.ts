import { resolveSafeChildPath } from '@backstage/backend-plugin-api';
import {
  ConflictError,
  InputError,
  NotAllowedError,
  NotFoundError,
} from '@backstage/errors';
import {
  parseGpuStackSpec,
  type GpuStackSpec,
} from '@gpu-platform/backstage-plugin-gpu-cluster-common';
import { Redactor } from '@gpu-platform/backstage-plugin-gpu-cluster-node';
import type { z as zod } from 'zod/v3';

/** Input fields every gpu-cluster action shares (the scaffolder hands them its own zod). */
export const stackInputSchema = {
  values: (z: typeof zod) =>
    z
      .record(z.unknown())
      .describe(
        'GPU stack spec values: the template parameters (`${{ parameters }}`); validated against the stack spec.',
      ),
  targetPath: (z: typeof zod) =>
    z
      .string()
      .max(200)
      .optional()
      .describe(
        'Workspace directory of the stack (terraform/ and manifests/ below it); default the workspace root.',
      ),
};

/** Keys that would reach an object's prototype if copied naively. */
const PROTOTYPE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** The path of the first prototype-polluting key in `value`, if any. */
function pollutingKey(value: unknown, path = ''): string | undefined {
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = pollutingKey(value[i], `${path}[${i}]`);
      if (found) return found;
    }
    return undefined;
  }
  if (value && typeof value === 'object') {
    for (const key of Object.keys(value)) {
      const child = path ? `${path}.${key}` : key;
      if (PROTOTYPE_KEYS.has(key)) return child;
      const found = pollutingKey(
        (value as Record<string, unknown>)[key],
        child,
      );
      if (found) return found;
    }
  }
  return undefined;
}

/**
 * Validates template values against the stack spec. Every problem is reported with its field
 * path, so the user can fix them all at once; nothing runs before this succeeds.
 */
export function parseStackValues(values: unknown): GpuStackSpec {
  const polluting = pollutingKey(values);
  if (polluting) {
    throw new InputError(
      `Invalid GPU stack spec:\n  - ${polluting}: the key is not allowed`,
    );
  }
  const result = parseGpuStackSpec(values);
  if (result.ok) return result.spec;
  throw new InputError(
    `Invalid GPU stack spec (${result.issues.length} problem${
      result.issues.length === 1 ? '' : 's'
    }):\n${result.issues
      .map(issue => `  - ${issue.path || '(root)'}: ${issue.message}`)
      .join('\n')}`,
  );
}

/** The stack directory inside the workspace; rejects paths that escape it. */
export function stackDirectory(
  workspacePath: string,
  targetPath: string | undefined,
): string {
  try {
    return resolveSafeChildPath(workspacePath, targetPath ?? '.');
  } catch {
    throw new InputError(
      `targetPath must stay inside the workspace, got '${targetPath}'`,
    );
  }
}

const PUBLIC_ERRORS: Record<string, new (message: string) => Error> = {
  InputError,
  NotAllowedError,
  NotFoundError,
  ConflictError,
};

/**
 * The error a task log and an HTTP body may show: the same kind (so the scaffolder answers 400,
 * 403, …), its message with secrets (in every encoding) and private paths redacted, and no
 * stack trace (the scaffolder logs `error.stack` into the task log, which would show the
 * backend's file system).
 */
export function publicError(error: unknown, redactor: Redactor): Error {
  const original =
    error instanceof Error ? error : new Error(String(error ?? 'failed'));
  const message = redactor.redact(original.message);
  const Kind = PUBLIC_ERRORS[original.name];
  const result = Kind ? new Kind(message) : new Error(message);
  if (!Kind && original.name && original.name !== 'Error') {
    result.name = original.name;
  }
  result.stack = `${result.name}: ${message}`;
  return result;
}
