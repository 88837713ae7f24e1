/** Label and field selectors with the syntax of k8s.io/apimachinery/pkg/labels and /fields. */

type Requirement =
  | { op: 'eq' | 'neq'; key: string; value: string }
  | { op: 'in' | 'notin'; key: string; values: string[] }
  | { op: 'exists' | 'notexists'; key: string };

export class SelectorParseError extends Error {}

/** Splits on commas that are not inside `(...)`. */
function splitTerms(selector: string): string[] {
  const terms: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of selector) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      terms.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  terms.push(current);
  return terms.map(t => t.trim()).filter(Boolean);
}

export function parseLabelSelector(selector: string): Requirement[] {
  return splitTerms(selector).map(term => {
    let m = /^(\S+?)\s+(in|notin)\s+\(([^)]*)\)$/.exec(term);
    if (m) {
      return {
        op: m[2] as 'in' | 'notin',
        key: m[1],
        values: m[3]
          .split(',')
          .map(v => v.trim())
          .filter(Boolean),
      };
    }
    m = /^([^!=\s]+)\s*(==|=|!=)\s*(\S*)$/.exec(term);
    if (m) {
      return { op: m[2] === '!=' ? 'neq' : 'eq', key: m[1], value: m[3] };
    }
    m = /^!\s*([^!=\s]+)$/.exec(term);
    if (m) {
      return { op: 'notexists', key: m[1] };
    }
    if (/^[^!=\s()]+$/.test(term)) {
      return { op: 'exists', key: term };
    }
    throw new SelectorParseError(
      `unable to parse requirement: ${JSON.stringify(term)}`,
    );
  });
}

function matches(
  requirements: Requirement[],
  lookup: (key: string) => string | undefined,
) {
  return requirements.every(r => {
    const actual = lookup(r.key);
    switch (r.op) {
      case 'eq':
        return actual === r.value;
      case 'neq':
        return actual !== r.value;
      case 'in':
        return actual !== undefined && r.values.includes(actual);
      case 'notin':
        return actual === undefined || !r.values.includes(actual);
      case 'exists':
        return actual !== undefined;
      case 'notexists':
        return actual === undefined;
      default:
        return false;
    }
  });
}

export function labelSelectorMatcher(selector?: string | null) {
  if (!selector) {
    return () => true;
  }
  const requirements = parseLabelSelector(selector);
  return (obj: any) =>
    matches(requirements, key => obj?.metadata?.labels?.[key]);
}

/**
 * Field selectors with the API server's rules (k8s.io/apimachinery/pkg/fields/selector.go):
 * terms joined by unescaped commas, each `key=value`, `key==value` or `key!=value`; values may
 * escape `\\`, `,` and `=` with a backslash. Set-based operators (`in`, `notin`, `exists`) are
 * label-selector syntax only: `fields.ParseSelector` finds no operator in them and answers
 * "invalid selector: '<selector>'; can't understand '<term>'".
 */
export function parseFieldSelector(
  selector: string,
): { op: 'eq' | 'neq'; key: string; value: string }[] {
  const terms: string[] = [];
  let current = '';
  for (let i = 0; i < selector.length; i++) {
    const ch = selector[i];
    if (ch === '\\' && i + 1 < selector.length) {
      current += ch + selector[++i];
    } else if (ch === ',') {
      terms.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  terms.push(current);
  return terms
    .filter(t => t.trim() !== '')
    .map(term => {
      // The first operator wins, in the order the API server tries them at each position.
      for (let i = 0; i < term.length; i++) {
        for (const op of ['!=', '==', '='] as const) {
          if (term.startsWith(op, i)) {
            const key = term.slice(0, i).trim();
            if (!key) break;
            return {
              op: op === '!=' ? 'neq' : 'eq',
              key,
              value: unescapeFieldValue(term.slice(i + op.length), selector),
            };
          }
        }
      }
      throw new SelectorParseError(
        `invalid selector: '${selector}'; can't understand '${term}'`,
      );
    });
}

function unescapeFieldValue(raw: string, selector: string): string {
  let out = '';
  for (let i = 0; i < raw.length; i++) {
    const ch = raw[i];
    if (ch === '\\') {
      const next = raw[++i];
      if (next === undefined || !['\\', ',', '='].includes(next)) {
        throw new SelectorParseError(
          `invalid selector: '${selector}'; invalid escape sequence`,
        );
      }
      out += next;
    } else if (ch === ',' || ch === '=') {
      throw new SelectorParseError(
        `invalid selector: '${selector}'; unescaped character in value`,
      );
    } else {
      out += ch;
    }
  }
  return out;
}

/** A field label the kind does not support (400 BadRequest, as the API server answers). */
export class FieldLabelNotSupportedError extends SelectorParseError {}

/** What the field rules need to know of the resource listed or watched. */
export interface FieldSelectable {
  group: string;
  kind: string;
  namespaced: boolean;
  /** A custom resource (served from a CRD): the apiextensions-apiserver's rules apply. */
  custom?: boolean;
  /** CRDs: `spec.versions[].selectableFields[].jsonPath` of the version asked for, without the dot. */
  selectableFields?: string[];
}

type FieldGetter = (obj: any) => string;
const str = (v: unknown) => (v === undefined || v === null ? '' : String(v));
const at =
  (path: string): FieldGetter =>
  obj =>
    str(path.split('.').reduce((o: any, part) => o?.[part], obj));

/**
 * The field labels each built-in kind supports beyond metadata, with how the API server derives
 * their value (absent fields select as ""). Sources: kubernetes pkg/apis/core/v1/conversion.go
 * (AddFieldLabelConversionFunc for Pod, Node, ReplicationController, Event, Namespace, Secret,
 * Service: any other label → "field label not supported: <label>"), pkg/registry/core/pod/strategy.go
 * PodToSelectableFields, pkg/apis/batch/v1/conversion.go (Job: status.successful). Kinds with no
 * conversion func use runtime.DefaultMetaV1FieldSelectorConversion: metadata.name and
 * metadata.namespace only, refused as `"<label>" is not a known field selector: only
 * "metadata.name", "metadata.namespace"`.
 */
const BUILTIN_FIELDS: Record<
  string,
  { meta: string[]; fields: Record<string, FieldGetter> }
> = {
  '/Pod': {
    meta: ['metadata.name', 'metadata.namespace'],
    fields: {
      'spec.nodeName': at('spec.nodeName'),
      'spec.restartPolicy': at('spec.restartPolicy'),
      'spec.schedulerName': at('spec.schedulerName'),
      'spec.serviceAccountName': at('spec.serviceAccountName'),
      'spec.hostNetwork': obj => String(Boolean(obj?.spec?.hostNetwork)),
      'status.phase': at('status.phase'),
      'status.podIP': obj =>
        str(obj?.status?.podIPs?.[0]?.ip ?? obj?.status?.podIP),
      // Accepted by the conversion func but not in PodToSelectableFields: selects as "".
      'status.podIPs': () => '',
      'status.nominatedNodeName': at('status.nominatedNodeName'),
    },
  },
  // Node's conversion func accepts metadata.name but not metadata.namespace.
  '/Node': {
    meta: ['metadata.name'],
    fields: {
      'spec.unschedulable': obj => String(Boolean(obj?.spec?.unschedulable)),
    },
  },
  '/Namespace': {
    meta: ['metadata.name'],
    fields: { 'status.phase': at('status.phase') },
  },
  '/Secret': {
    meta: ['metadata.name', 'metadata.namespace'],
    fields: { type: at('type') },
  },
  '/Service': {
    meta: ['metadata.name', 'metadata.namespace'],
    fields: {
      'spec.clusterIP': at('spec.clusterIP'),
      'spec.type': at('spec.type'),
    },
  },
  '/Event': {
    meta: ['metadata.name', 'metadata.namespace'],
    fields: Object.fromEntries(
      [
        'involvedObject.kind',
        'involvedObject.namespace',
        'involvedObject.name',
        'involvedObject.uid',
        'involvedObject.apiVersion',
        'involvedObject.resourceVersion',
        'involvedObject.fieldPath',
        'reason',
        'reportingComponent',
        'type',
      ]
        .map(k => [k, at(k)] as [string, FieldGetter])
        .concat([
          [
            'source',
            obj => str(obj?.source?.component || obj?.reportingComponent),
          ],
        ]),
    ),
  },
  'batch/Job': {
    meta: ['metadata.name', 'metadata.namespace'],
    fields: {
      'status.successful': obj => String(obj?.status?.succeeded ?? 0),
    },
  },
};

const METADATA: Record<string, FieldGetter> = {
  'metadata.name': at('metadata.name'),
  'metadata.namespace': at('metadata.namespace'),
};

/** The getter of a supported field label; throws the API server's refusal otherwise. */
function fieldGetter(target: FieldSelectable, label: string): FieldGetter {
  if (target.custom) {
    // apiextensions-apiserver crConverter.ConvertFieldLabel: metadata.name, metadata.namespace
    // of namespaced resources, the version's selectableFields; else "field label not supported".
    if (label === 'metadata.name') return METADATA[label];
    if (label === 'metadata.namespace' && target.namespaced)
      return METADATA[label];
    if (target.selectableFields?.includes(label)) return at(label);
    throw new FieldLabelNotSupportedError(
      `field label not supported: ${label}`,
    );
  }
  const builtin = BUILTIN_FIELDS[`${target.group}/${target.kind}`];
  if (builtin) {
    // Pod's conversion also maps the v1beta3-era `spec.host` to spec.nodeName.
    if (target.kind === 'Pod' && !target.group && label === 'spec.host')
      return builtin.fields['spec.nodeName'];
    if (builtin.meta.includes(label)) return METADATA[label];
    if (builtin.fields[label]) return builtin.fields[label];
    throw new FieldLabelNotSupportedError(
      `field label not supported: ${label}`,
    );
  }
  if (METADATA[label]) return METADATA[label];
  throw new FieldLabelNotSupportedError(
    `"${label}" is not a known field selector: only "metadata.name", "metadata.namespace"`,
  );
}

/**
 * A field selector's matcher. With `target` (the resource listed or watched), labels the kind does
 * not support are refused as the API server refuses them; without it (internal callers), any
 * dotted path is read.
 */
export function fieldSelectorMatcher(
  selector?: string | null,
  target?: FieldSelectable,
): (obj: any) => boolean {
  if (!selector) {
    return () => true;
  }
  const requirements = parseFieldSelector(selector).map(r => ({
    ...r,
    get: target ? fieldGetter(target, r.key) : at(r.key),
  }));
  return (obj: any) =>
    requirements.every(r =>
      r.op === 'eq' ? r.get(obj) === r.value : r.get(obj) !== r.value,
    );
}
