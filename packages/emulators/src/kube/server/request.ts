import type { IncomingMessage } from 'node:http';
import { parse as parseYaml } from 'yaml';
import type { ResourceRegistry, ResourceType } from '../resources/registry';
import { ApiError, badRequest } from './status';

/** What a resource URL addresses (k8s.io/apiserver RequestInfo). */
export interface ResourceRequest {
  group: string;
  version: string;
  type: ResourceType;
  namespace?: string;
  name?: string;
  subresource?: string;
}

/** Parses `/api/v1/...` and `/apis/<group>/<version>/...` resource paths; undefined for other paths. */
export function parseResourcePath(
  registry: ResourceRegistry,
  pathname: string,
): ResourceRequest | undefined {
  const parts = pathname.split('/').filter(Boolean).map(decodeURIComponent);
  let group: string;
  let version: string;
  let rest: string[];
  if (parts[0] === 'api' && parts.length >= 3) {
    group = '';
    version = parts[1];
    rest = parts.slice(2);
  } else if (parts[0] === 'apis' && parts.length >= 4) {
    group = parts[1];
    version = parts[2];
    rest = parts.slice(3);
  } else {
    return undefined;
  }
  let namespace: string | undefined;
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    const candidate = registry.find(group, version, rest[2]);
    if (candidate?.namespaced) {
      namespace = rest[1];
      rest = rest.slice(2);
    }
  }
  const type = registry.find(group, version, rest[0]);
  if (!type || rest.length > 3) {
    throw new ApiError(
      404,
      'NotFound',
      'the server could not find the requested resource',
      {},
    );
  }
  const subresource = rest[2];
  if (
    subresource !== undefined &&
    !(subresource === 'status' && type.hasStatus)
  ) {
    throw new ApiError(
      404,
      'NotFound',
      'the server could not find the requested resource',
      {},
    );
  }
  return { group, version, type, namespace, name: rest[1], subresource };
}

const MAX_BODY = 8 * 1024 * 1024;

export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > MAX_BODY) {
      throw new ApiError(
        413,
        'RequestEntityTooLarge',
        'Request entity too large: limit is 8388608',
      );
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Decodes a request body by content type (JSON, YAML; protobuf is refused). */
export function decodeBody(text: string, contentType: string | undefined): any {
  const type = (contentType ?? 'application/json')
    .split(';')[0]
    .trim()
    .toLowerCase();
  if (type.includes('protobuf')) {
    throw new ApiError(
      415,
      'UnsupportedMediaType',
      `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml`,
    );
  }
  try {
    return type.includes('yaml') ? parseYaml(text) : JSON.parse(text);
  } catch (e) {
    throw badRequest(
      `the body of the request could not be decoded: ${(e as Error).message}`,
    );
  }
}

/** The response form the client accepts: JSON, a Table, or nothing we can produce (406). */
export function negotiate(accept: string | undefined): {
  table: boolean;
  ok: boolean;
} {
  if (!accept) return { table: false, ok: true };
  const ranges = accept.split(',').map(r => r.trim().toLowerCase());
  const table = ranges.some(
    r => r.includes('as=table') && r.startsWith('application/json'),
  );
  const ok = ranges.some(r => {
    const base = r.split(';')[0].trim();
    return (
      base === 'application/json' ||
      base === '*/*' ||
      base === 'application/*' ||
      base === 'application/yaml'
    );
  });
  return { table, ok };
}
