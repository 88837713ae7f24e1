import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import {
  loadCrdDefinitions,
  type CrdDefinition,
  type CrdVersion,
  type SchemaNode,
} from '../crds/catalog';
import {
  formatPath,
  pruneDefaultAndCheck,
  type PathSegment,
  type ValidationIssue,
} from './structural';

export type { ValidationIssue, CauseType } from './structural';

/** How fields the schema does not declare are treated (the `fieldValidation` query parameter). */
export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

export interface PreparedObject {
  /** Issues that make the write fail with 422 (schema and list-type violations). */
  issues: ValidationIssue[];
  /** Undeclared fields, already pruned from the object. */
  unknownFields: string[];
}

/** Converts an openAPIV3Schema into something Ajv compiles with Kubernetes meaning. */
function toAjvSchema(node: any, isRoot: boolean): any {
  if (Array.isArray(node)) {
    return node.map(n => toAjvSchema(n, false));
  }
  if (!node || typeof node !== 'object') {
    return node;
  }
  const out: Record<string, any> = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === 'description' || key === 'default' || key === 'example') {
      continue;
    }
    if (key === 'properties' || key === 'patternProperties') {
      const props: Record<string, any> = {};
      for (const [name, sub] of Object.entries(value as object)) {
        props[name] =
          isRoot && name === 'metadata'
            ? { type: 'object' }
            : toAjvSchema(sub, false);
      }
      out[key] = props;
    } else if (
      key.startsWith('x-kubernetes-') ||
      (key === 'additionalProperties' && value === false)
    ) {
      continue;
    } else {
      out[key] = toAjvSchema(value, false);
    }
  }
  if (out.nullable === true && out.type === undefined) {
    delete out.nullable;
  }
  if (node['x-kubernetes-int-or-string'] === true && !out.anyOf && !out.oneOf) {
    out.anyOf = [{ type: 'integer' }, { type: 'string' }];
  }
  return out;
}

/**
 * CRD patterns are Go RE2 expressions; translate inline flags such as `(?i)`, which JavaScript
 * lacks, and fall back to non-unicode mode for escapes `u` mode rejects.
 */
function goRegExp(pattern: string, flags: string): RegExp {
  let extra = '';
  // RE2 allows inline flags anywhere (`^(?i)[a-z]...`); JavaScript only as whole-pattern flags.
  const source = pattern.replace(/\(\?([ims]+)\)/g, (_m, f: string) => {
    extra += f;
    return '';
  });
  extra = [...new Set(extra)].filter(f => !flags.includes(f)).join('');
  try {
    return new RegExp(source, flags + extra);
  } catch {
    return new RegExp(source, flags.replace('u', '') + extra);
  }
}

function createAjv(): Ajv {
  const ajv = new Ajv({
    allErrors: true,
    strict: false,
    verbose: true,
    validateSchema: false,
    code: { regExp: goRegExp as any },
  });
  addFormats(ajv);
  // OpenAPI formats Kubernetes knows; int32/int64 are only checked for integer range.
  ajv.addFormat('int32', {
    type: 'number',
    validate: n => Number.isInteger(n) && n >= -2147483648 && n <= 2147483647,
  });
  ajv.addFormat('int64', {
    type: 'number',
    validate: n => Number.isInteger(n),
  });
  for (const name of ['double', 'float']) {
    ajv.addFormat(name, { type: 'number', validate: () => true });
  }
  for (const name of ['byte', 'quantity', 'int-or-string', 'password']) {
    ajv.addFormat(name, () => true);
  }
  return ajv;
}

function pointerToSegments(pointer: string, data: unknown): PathSegment[] {
  if (!pointer) {
    return [];
  }
  const segments: PathSegment[] = [];
  let current: any = data;
  for (const raw of pointer.split('/').slice(1)) {
    const token = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(current)) {
      segments.push(Number(token));
      current = current[Number(token)];
    } else {
      segments.push(token);
      current = current?.[token];
    }
  }
  return segments;
}

const show = (v: unknown) => JSON.stringify(v);
function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

/** Maps an Ajv error to the message the API server prints (apiextensions-apiserver wording). */
function toIssue(error: ErrorObject, root: unknown): ValidationIssue {
  const segments = pointerToSegments(error.instancePath, root);
  const field = formatPath(segments);
  const data = error.data;
  const p: any = error.params;
  switch (error.keyword) {
    case 'required':
      return {
        field: formatPath([...segments, p.missingProperty]),
        message: 'Required value',
        type: 'FieldValueRequired',
      };
    case 'type':
      return {
        field,
        message: `Invalid value: "${typeOf(
          data,
        )}": ${field} in body must be of type ${p.type}: "${typeOf(data)}"`,
        type: 'FieldValueTypeInvalid',
      };
    case 'enum':
      return {
        field,
        message: `Unsupported value: ${show(data)}: supported values: ${(
          p.allowedValues as unknown[]
        )
          .map(show)
          .join(', ')}`,
        type: 'FieldValueNotSupported',
      };
    case 'maxLength':
      return {
        field,
        message: `Too long: may not be more than ${p.limit} bytes`,
        type: 'FieldValueTooLong',
      };
    case 'maxItems':
      return {
        field,
        message: `Too many: ${(data as unknown[]).length}: must have at most ${
          p.limit
        } items`,
        type: 'FieldValueTooMany',
      };
    case 'maxProperties':
      return {
        field,
        message: `Too many: must have at most ${p.limit} items`,
        type: 'FieldValueTooMany',
      };
    case 'minLength':
      return {
        field,
        message: `Invalid value: ${show(
          data,
        )}: ${field} in body should be at least ${p.limit} chars long`,
        type: 'FieldValueInvalid',
      };
    case 'minItems':
      return {
        field,
        message: `Invalid value: ${
          (data as unknown[]).length
        }: ${field} in body should have at least ${p.limit} items`,
        type: 'FieldValueInvalid',
      };
    case 'pattern':
      return {
        field,
        message: `Invalid value: ${show(
          data,
        )}: ${field} in body should match '${p.pattern}'`,
        type: 'FieldValueInvalid',
      };
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum': {
      const words: Record<string, string> = {
        minimum: 'greater than or equal to',
        maximum: 'less than or equal to',
        exclusiveMinimum: 'greater than',
        exclusiveMaximum: 'less than',
      };
      return {
        field,
        message: `Invalid value: ${show(data)}: ${field} in body should be ${
          words[error.keyword]
        } ${p.limit}`,
        type: 'FieldValueInvalid',
      };
    }
    case 'format':
      return {
        field,
        message: `Invalid value: ${show(
          data,
        )}: ${field} in body must be of type ${p.format}: ${show(data)}`,
        type: 'FieldValueInvalid',
      };
    default:
      return {
        field,
        message: `Invalid value: ${show(data)}: ${field} in body ${
          error.message
        }`,
        type: 'FieldValueInvalid',
      };
  }
}

/** Branch errors of anyOf/oneOf say nothing useful on their own; keep the combined error only. */
function collapseCombinators(errors: ErrorObject[]): ErrorObject[] {
  const combinatorPaths = errors
    .filter(e => e.keyword === 'anyOf' || e.keyword === 'oneOf')
    .map(e => e.schemaPath);
  return errors.filter(
    e =>
      !combinatorPaths.some(
        sp => e.schemaPath !== sp && e.schemaPath.startsWith(`${sp}/`),
      ),
  );
}

/** Validation against one CRD version, compiled lazily (the larger schemas take a while). */
export class VersionValidator {
  private compiled?: ValidateFunction;

  constructor(
    private readonly ajv: Ajv,
    readonly definition: CrdDefinition,
    readonly version: CrdVersion,
  ) {}

  private get validateFn(): ValidateFunction {
    if (!this.compiled) {
      this.compiled = this.ajv.compile(toAjvSchema(this.version.schema, true));
    }
    return this.compiled;
  }

  /** Prunes, defaults and validates `obj` in place, as the API server does on a write. */
  prepare(obj: Record<string, any>): PreparedObject {
    const walk = pruneDefaultAndCheck(obj, this.version.schema as SchemaNode);
    const issues = [...walk.issues];
    if (!this.validateFn(obj)) {
      for (const error of collapseCombinators(this.validateFn.errors ?? [])) {
        issues.push(toIssue(error, obj));
      }
    }
    return { issues, unknownFields: walk.unknownFields };
  }
}

let sharedAjv: Ajv | undefined;

/** Validators of every version of a CRD that arrived at run time (applied through the API). */
export function compileVersionValidators(
  definition: CrdDefinition,
): Map<string, VersionValidator> {
  sharedAjv ??= createAjv();
  const ajv = sharedAjv;
  return new Map(
    definition.versions.map(version => [
      version.name,
      new VersionValidator(ajv, definition, version),
    ]),
  );
}

export interface CrdValidateOptions {
  /** Report undeclared fields as issues (default, like `fieldValidation=Strict`) or ignore them. */
  unknownFields?: 'reject' | 'ignore';
}

/** Validates objects of the vendored CRDs (Kueue, KubeRay, ProvisioningRequest, GKE networking, ComputeClass). */
export interface CrdValidator {
  /** True when a vendored CRD serves `apiVersion`/`kind`. */
  hasSchema(apiVersion: string, kind: string): boolean;
  /**
   * Validates a copy of `obj` against its CRD's openAPIV3Schema. An object whose kind has no
   * vendored CRD yields one issue on `kind`; check `hasSchema` first to skip core kinds.
   */
  validate(obj: unknown, options?: CrdValidateOptions): ValidationIssue[];
  /** The loaded CRD definitions. */
  definitions(): CrdDefinition[];
  /** Low-level access used by the emulator. */
  versionValidator(
    group: string,
    version: string,
    kind: string,
  ): VersionValidator | undefined;
}

export interface CrdValidatorOptions {
  /** Directory with CRD YAML files; the package's vendored crds/ by default. */
  crdDir?: string;
}

export function createCrdValidator(
  options: CrdValidatorOptions = {},
): CrdValidator {
  const definitions = loadCrdDefinitions(options.crdDir);
  const ajv = createAjv();
  const validators = new Map<string, VersionValidator>();
  const key = (group: string, version: string, kind: string) =>
    `${group}/${version}/${kind}`;
  for (const def of definitions) {
    for (const version of def.versions) {
      validators.set(
        key(def.group, version.name, def.kind),
        new VersionValidator(ajv, def, version),
      );
    }
  }
  const split = (apiVersion: string) => {
    const i = apiVersion.lastIndexOf('/');
    return i < 0
      ? { group: '', version: apiVersion }
      : { group: apiVersion.slice(0, i), version: apiVersion.slice(i + 1) };
  };
  const versionValidator = (group: string, version: string, kind: string) =>
    validators.get(key(group, version, kind));

  return {
    hasSchema(apiVersion, kind) {
      const { group, version } = split(apiVersion ?? '');
      return validators.has(key(group, version, kind));
    },
    validate(obj, validateOptions = {}) {
      if (!obj || typeof obj !== 'object' || Array.isArray(obj)) {
        return [
          {
            field: '',
            message: 'Invalid value: the object must be a JSON object',
            type: 'FieldValueInvalid',
          },
        ];
      }
      const { apiVersion, kind } = obj as Record<string, any>;
      const { group, version } = split(String(apiVersion ?? ''));
      const validator = versionValidator(group, version, String(kind ?? ''));
      if (!validator) {
        return [
          {
            field: 'kind',
            message: `Unsupported value: no vendored CRD serves ${apiVersion} ${kind}`,
            type: 'FieldValueNotSupported',
          },
        ];
      }
      const copy = structuredClone(obj) as Record<string, any>;
      const issues: ValidationIssue[] = [];
      const name = copy.metadata?.name ?? copy.metadata?.generateName;
      if (!name) {
        issues.push({
          field: 'metadata.name',
          message: 'Required value: name or generateName is required',
          type: 'FieldValueRequired',
        });
      }
      const prepared = validator.prepare(copy);
      issues.push(...prepared.issues);
      if (validateOptions.unknownFields !== 'ignore') {
        for (const field of prepared.unknownFields) {
          issues.push({
            field,
            message: 'field not declared in schema',
            type: 'FieldValueUnknown',
          });
        }
      }
      return issues;
    },
    definitions: () => definitions,
    versionValidator,
  };
}
