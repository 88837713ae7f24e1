import { resolveSafeChildPath } from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import {
  parseGpuStackSpec,
  type GpuStackSpec,
} from '@gpu-platform/backstage-plugin-gpu-cluster-common';
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

/**
 * Validates template values against the stack spec. Every problem is reported with its field
 * path, so the user can fix them all at once; nothing runs before this succeeds.
 */
export function parseStackValues(values: unknown): GpuStackSpec {
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
