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

/** Field selectors: `=`, `==`, `!=` over dotted paths (metadata.name, metadata.namespace, status.phase...). */
export function fieldSelectorMatcher(selector?: string | null) {
  if (!selector) {
    return () => true;
  }
  const requirements = splitTerms(selector).map(term => {
    const m = /^([^!=\s]+)\s*(==|=|!=)\s*(.*)$/.exec(term);
    if (!m) {
      throw new SelectorParseError(
        `invalid selector: '${selector}'; can't understand '${term}'`,
      );
    }
    return {
      op: m[2] === '!=' ? 'neq' : 'eq',
      key: m[1],
      value: m[3],
    } as Requirement;
  });
  return (obj: any) =>
    matches(requirements, key => {
      let value: any = obj;
      for (const part of key.split('.')) {
        value = value?.[part];
      }
      if (key === 'metadata.namespace' && value === undefined) {
        return '';
      }
      return value === undefined ? undefined : String(value);
    });
}
