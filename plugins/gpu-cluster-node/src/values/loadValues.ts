import fs from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import type { SpecIssue } from '@gpu-platform/backstage-plugin-gpu-cluster-common';
import {
  envToSpecInput,
  explainEnvIssue,
  parseEnvFile,
  type EnvKeySource,
} from './envFile';

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Deep-merges `over` into `base` (objects by key, arrays by index). @public */
export function mergeValues(base: unknown, over: unknown): unknown {
  if (Array.isArray(base) && Array.isArray(over)) {
    return Array.from({ length: Math.max(base.length, over.length) }, (_, i) =>
      i < over.length ? mergeValues(base[i], over[i]) : base[i],
    );
  }
  if (isPlainObject(base) && isPlainObject(over)) {
    const out: Record<string, unknown> = { ...base };
    for (const [k, v] of Object.entries(over))
      out[k] = k in base ? mergeValues(base[k], v) : v;
    return out;
  }
  return over === undefined ? base : over;
}

/** Parses a values document (YAML or JSON; JSON is YAML). @public */
export function parseValuesText(text: string, source = 'values'): unknown {
  try {
    // `uniqueKeys` keeps a duplicated key from silently overriding an earlier one.
    return parseYaml(text, { uniqueKeys: true, maxAliasCount: 0 }) ?? {};
  } catch (error) {
    throw new Error(
      `${source} is not valid YAML or JSON: ${(error as Error).message}`,
    );
  }
}

/** @public */
export interface LoadedValues {
  input: unknown;
  warnings: string[];
  /** A spec problem in the terms of its source: the env key that set the field, if any. */
  describeIssue: (issue: SpecIssue) => string;
}

/** Reads a values file and/or a seed 004 env file and merges them (env keys win). @public */
export async function loadValues(options: {
  valuesFile?: string;
  envFile?: string;
}): Promise<LoadedValues> {
  let input: unknown = {};
  const warnings: string[] = [];
  let sources: EnvKeySource[] = [];
  if (options.valuesFile) {
    const text = await fs.readFile(options.valuesFile, 'utf8').catch(error => {
      throw new Error(
        `cannot read values file ${options.valuesFile}: ${
          (error as Error).message
        }`,
      );
    });
    input = parseValuesText(text, options.valuesFile);
    if (!isPlainObject(input))
      throw new Error(
        `${options.valuesFile} must hold a mapping at the top level`,
      );
  }
  if (options.envFile) {
    const text = await fs.readFile(options.envFile, 'utf8').catch(error => {
      throw new Error(
        `cannot read env file ${options.envFile}: ${(error as Error).message}`,
      );
    });
    const mapped = envToSpecInput(parseEnvFile(text));
    if (mapped.errors.length)
      throw new Error(
        `${options.envFile}:\n${mapped.errors.map(e => `  ${e}`).join('\n')}`,
      );
    warnings.push(...mapped.warnings);
    sources = mapped.sources;
    input = mergeValues(input, mapped.input);
  }
  const fromEnv = Boolean(options.envFile);
  return {
    input,
    warnings,
    describeIssue: issue =>
      fromEnv
        ? explainEnvIssue(issue, { sources })
        : `${issue.path || '(root)'}: ${issue.message}`,
  };
}
