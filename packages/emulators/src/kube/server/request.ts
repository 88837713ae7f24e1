import type { IncomingMessage } from 'node:http';
import { parse as parseYaml } from 'yaml';
import type { ResourceRegistry, ResourceType } from '../resources/registry';
import {
  decodeProtobufObject,
  PROTOBUF_MEDIA_TYPE,
  ProtobufDecodeError,
} from './protobuf';
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
    !(subresource === 'status' && type.hasStatus) &&
    !(subresource === 'scale' && type.scalable)
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

export async function readBody(req: IncomingMessage): Promise<Buffer> {
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
  return Buffer.concat(chunks);
}

/** Decodes a request body by content type: JSON, YAML or the Kubernetes protobuf envelope. */
export function decodeBody(body: Buffer, contentType: string | undefined): any {
  const type = (contentType ?? 'application/json')
    .split(';')[0]
    .trim()
    .toLowerCase();
  if (type === PROTOBUF_MEDIA_TYPE) {
    try {
      return decodeProtobufObject(body);
    } catch (e) {
      if (e instanceof ProtobufDecodeError) {
        throw badRequest(
          `the body of the request could not be decoded: ${e.message}`,
        );
      }
      throw e;
    }
  }
  if (type.includes('protobuf') || type.includes('cbor')) {
    throw new ApiError(
      415,
      'UnsupportedMediaType',
      `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf`,
    );
  }
  const text = body.toString('utf8');
  try {
    return type.includes('yaml') ? parseYaml(text) : JSON.parse(text);
  } catch (e) {
    throw badRequest(
      `the body of the request could not be decoded: ${(e as Error).message}`,
    );
  }
}

/** The response form the client accepts: JSON, a Table, protobuf, or nothing we can produce (406). */
export function negotiate(accept: string | undefined): {
  table: boolean;
  ok: boolean;
  /** The client prefers the protobuf envelope (it lists it before JSON). */
  protobuf: boolean;
  /** The client also takes JSON (so kinds without a proto message can answer). */
  json: boolean;
} {
  if (!accept) return { table: false, ok: true, protobuf: false, json: true };
  const ranges = accept.split(',').map(r => r.trim().toLowerCase());
  const table = ranges.some(
    r => r.includes('as=table') && r.startsWith('application/json'),
  );
  const bases = ranges.map(r => r.split(';')[0].trim());
  const first = bases.findIndex(base =>
    [
      'application/json',
      '*/*',
      'application/*',
      'application/yaml',
      PROTOBUF_MEDIA_TYPE,
    ].includes(base),
  );
  return {
    table,
    ok: first >= 0,
    protobuf: !table && first >= 0 && bases[first] === PROTOBUF_MEDIA_TYPE,
    json: bases.some(b =>
      ['application/json', '*/*', 'application/*', 'application/yaml'].includes(
        b,
      ),
    ),
  };
}
