import type { ValidationIssue } from '../validation/CrdValidator';

/** An API error carrying a Kubernetes `Status` body. */
export class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details?: Record<string, unknown>,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }

  toStatus() {
    return {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: this.message,
      reason: this.reason,
      ...(this.details ? { details: this.details } : {}),
      code: this.code,
    };
  }
}

export interface ResourceRef {
  group: string;
  plural: string;
  kind: string;
}

const qualified = (r: ResourceRef) =>
  r.group ? `${r.plural}.${r.group}` : r.plural;

export const notFound = (r: ResourceRef, name: string) =>
  new ApiError(404, 'NotFound', `${qualified(r)} "${name}" not found`, {
    name,
    group: r.group || undefined,
    kind: r.plural,
  });

export const namespaceNotFound = (name: string) =>
  new ApiError(404, 'NotFound', `namespaces "${name}" not found`, {
    name,
    kind: 'namespaces',
  });

export const alreadyExists = (r: ResourceRef, name: string) =>
  new ApiError(
    409,
    'AlreadyExists',
    `${qualified(r)} "${name}" already exists`,
    {
      name,
      group: r.group || undefined,
      kind: r.plural,
    },
  );

export const conflict = (r: ResourceRef, name: string) =>
  new ApiError(
    409,
    'Conflict',
    `Operation cannot be fulfilled on ${qualified(
      r,
    )} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
    { name, group: r.group || undefined, kind: r.plural },
  );

export const badRequest = (message: string) =>
  new ApiError(400, 'BadRequest', message);

export const invalid = (
  r: ResourceRef,
  name: string,
  issues: ValidationIssue[],
) => {
  const parts = issues.map(i => `${i.field}: ${i.message}`);
  const summary = parts.length === 1 ? parts[0] : `[${parts.join(', ')}]`;
  return new ApiError(
    422,
    'Invalid',
    `${r.kind}${r.group ? `.${r.group}` : ''} "${name}" is invalid: ${summary}`,
    {
      name,
      group: r.group || undefined,
      kind: r.kind,
      causes: issues.map(i => ({
        reason: i.type,
        message: i.message,
        field: i.field,
      })),
    },
  );
};

export const expired = (message: string) =>
  new ApiError(410, 'Expired', message);

export const methodNotAllowed = (
  message = 'the server does not allow this method on the requested resource',
) => new ApiError(405, 'MethodNotAllowed', message);

export const unsupportedMediaType = (type: string) =>
  new ApiError(
    415,
    'UnsupportedMediaType',
    `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json (got ${type})`,
  );
