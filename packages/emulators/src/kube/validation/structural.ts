import type { SchemaNode } from '../crds/catalog';

/** Kubernetes field-error types (k8s.io/apimachinery/pkg/util/validation/field). */
export type CauseType =
  | 'FieldValueRequired'
  | 'FieldValueInvalid'
  | 'FieldValueNotSupported'
  | 'FieldValueTooLong'
  | 'FieldValueTooMany'
  | 'FieldValueDuplicate'
  | 'FieldValueForbidden'
  | 'FieldValueTypeInvalid'
  | 'FieldValueUnknown';

/** One validation failure, shaped like a Kubernetes StatusCause. */
export interface ValidationIssue {
  /** Field path as the API server prints it, e.g. `spec.admissionChecks[0].name`. */
  field: string;
  /** The message after the field, e.g. `Required value`. */
  message: string;
  type: CauseType;
}

export type PathSegment = string | number;

export function formatPath(segments: PathSegment[]): string {
  let out = '';
  for (const segment of segments) {
    if (typeof segment === 'number') {
      out += `[${segment}]`;
    } else {
      out += out ? `.${segment}` : segment;
    }
  }
  return out;
}

const isObject = (v: unknown): v is Record<string, any> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Fields every embedded or root object may carry whatever its schema says. */
const OBJECT_META_FIELDS = ['apiVersion', 'kind', 'metadata'];

export interface WalkResult {
  /** Paths of fields the schema does not declare (pruned from the object). */
  unknownFields: string[];
  /** Issues the JSON Schema validator cannot express (list-type uniqueness). */
  issues: ValidationIssue[];
}

/**
 * Applies the structural-schema semantics of the API server to `value` in place:
 * prunes undeclared fields (recording them for strict field validation), fills `default`s,
 * and checks `x-kubernetes-list-type` set/map uniqueness.
 */
export function pruneDefaultAndCheck(
  value: unknown,
  schema: SchemaNode,
  segments: PathSegment[] = [],
  result: WalkResult = { unknownFields: [], issues: [] },
  isRoot = true,
): WalkResult {
  if (isObject(value)) {
    walkObject(value, schema, segments, result, isRoot);
  } else if (Array.isArray(value)) {
    walkArray(value, schema, segments, result);
  }
  return result;
}

function walkObject(
  value: Record<string, any>,
  schema: SchemaNode,
  segments: PathSegment[],
  result: WalkResult,
  isRoot: boolean,
) {
  const properties: Record<string, SchemaNode> | undefined = schema.properties;
  const additional = schema.additionalProperties;
  const preserve = schema['x-kubernetes-preserve-unknown-fields'] === true;
  const embedded = schema['x-kubernetes-embedded-resource'] === true;

  if (properties) {
    for (const [key, propSchema] of Object.entries(properties)) {
      if (value[key] === undefined && propSchema.default !== undefined) {
        value[key] = structuredClone(propSchema.default);
      }
    }
  }
  for (const key of Object.keys(value)) {
    const child = value[key];
    const propSchema = properties?.[key];
    if (propSchema) {
      if (isRoot && key === 'metadata') {
        continue; // ObjectMeta is validated by the server itself, not by the CRD schema.
      }
      pruneDefaultAndCheck(
        child,
        propSchema,
        [...segments, key],
        result,
        false,
      );
    } else if (isObject(additional)) {
      pruneDefaultAndCheck(
        child,
        additional,
        [...segments, key],
        result,
        false,
      );
    } else if (
      additional === true ||
      preserve ||
      ((isRoot || embedded) && OBJECT_META_FIELDS.includes(key))
    ) {
      continue;
    } else {
      result.unknownFields.push(formatPath([...segments, key]));
      delete value[key];
    }
  }
}

function walkArray(
  value: any[],
  schema: SchemaNode,
  segments: PathSegment[],
  result: WalkResult,
) {
  const items: SchemaNode | undefined = schema.items;
  if (items) {
    value.forEach((item, i) =>
      pruneDefaultAndCheck(item, items, [...segments, i], result, false),
    );
  }
  const listType = schema['x-kubernetes-list-type'];
  if (listType === 'set') {
    const seen = new Set<string>();
    value.forEach((item, i) => {
      const key = JSON.stringify(item);
      if (seen.has(key)) {
        result.issues.push({
          field: formatPath([...segments, i]),
          message: `Duplicate value: ${key}`,
          type: 'FieldValueDuplicate',
        });
      }
      seen.add(key);
    });
  } else if (listType === 'map') {
    const keys: string[] = schema['x-kubernetes-list-map-keys'] ?? [];
    const seen = new Set<string>();
    value.forEach((item, i) => {
      if (!isObject(item) || keys.length === 0) {
        return;
      }
      const identity: Record<string, unknown> = {};
      for (const k of keys) {
        identity[k] = item[k];
      }
      const key = JSON.stringify(identity);
      if (seen.has(key)) {
        result.issues.push({
          field: formatPath([...segments, i]),
          message: `Duplicate value: ${key}`,
          type: 'FieldValueDuplicate',
        });
      }
      seen.add(key);
    });
  }
}
