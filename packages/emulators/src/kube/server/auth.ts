import { ApiError } from './status';

/** A request attribute set, as the authorizer sees it. */
export interface RequestAttributes {
  user: string;
  verb: string;
  group: string;
  resource: string;
  subresource?: string;
  namespace?: string;
  name?: string;
}

/** A deny rule: every set field must match for the request to be forbidden (403). */
export interface ForbidRule {
  verb?: string | string[];
  group?: string;
  resource?: string;
  /** Matches the subresource (`log`, `proxy`…); `''` matches requests for the resource itself. */
  subresource?: string;
  namespace?: string;
  name?: string;
  user?: string;
}

const matchOne = (
  rule: string | string[] | undefined,
  value: string | undefined,
) =>
  rule === undefined ||
  (Array.isArray(rule) ? rule.includes(value ?? '') : rule === value);

export class Authorizer {
  private rules: ForbidRule[] = [];

  /** Forbids matching requests; returns a function removing the rule. */
  forbid(rule: ForbidRule): () => void {
    this.rules.push(rule);
    return () => {
      this.rules = this.rules.filter(r => r !== rule);
    };
  }

  clear() {
    this.rules = [];
  }

  check(attrs: RequestAttributes) {
    const denied = this.rules.some(
      r =>
        matchOne(r.verb, attrs.verb) &&
        matchOne(r.group, attrs.group) &&
        matchOne(r.resource, attrs.resource) &&
        matchOne(r.subresource, attrs.subresource ?? '') &&
        matchOne(r.namespace, attrs.namespace) &&
        matchOne(r.name, attrs.name) &&
        matchOne(r.user, attrs.user),
    );
    if (!denied) {
      return;
    }
    const resource = attrs.subresource
      ? `${attrs.resource}/${attrs.subresource}`
      : attrs.resource;
    const qualified = attrs.group
      ? `${attrs.resource}.${attrs.group}`
      : attrs.resource;
    const subject = attrs.name ? `${qualified} "${attrs.name}"` : qualified;
    const scope = attrs.namespace
      ? ` in the namespace "${attrs.namespace}"`
      : ' at the cluster scope';
    throw new ApiError(
      403,
      'Forbidden',
      `${subject} is forbidden: User "${attrs.user}" cannot ${attrs.verb} resource "${resource}" in API group "${attrs.group}"${scope}`,
      {
        name: attrs.name,
        group: attrs.group || undefined,
        kind: attrs.resource,
      },
    );
  }
}

/** Resolves the bearer token to a user name; 401 Unauthorized otherwise. */
export function authenticate(
  header: string | undefined,
  tokens: Map<string, string>,
): string {
  const m = /^Bearer\s+(\S+)$/i.exec(header ?? '');
  const user = m ? tokens.get(m[1]) : undefined;
  if (!user) {
    throw new ApiError(401, 'Unauthorized', 'Unauthorized');
  }
  return user;
}
