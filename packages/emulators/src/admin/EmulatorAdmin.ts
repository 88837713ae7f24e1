import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { timingSafeEqual } from 'node:crypto';
import Ajv from 'ajv';
import type { KubeEmulator } from '../kube/KubeEmulator';
import type { FaultRule } from '../faults/FaultInjector';
import type { ForbidRule } from '../kube/server/auth';

/**
 * A loopback-only control endpoint of the running emulators, for browser tests that must change
 * the emulated cluster's behaviour at run time (deny a kind, inject a fault, drop watches) while
 * the app they test keeps running. It exists only in this development package: it binds
 * 127.0.0.1 whatever `--host` says and answers only the emulators' token. Nothing in production
 * starts it.
 *
 *   POST   /kube/forbid   { verb?, group?, resource?, subresource?, namespace?, name? } → 201 { id }
 *   POST   /kube/faults   { method?, path?, pathPattern?, query?, status?, retryAfterSeconds?,
 *                           latencyMs?, times? } → 201 { id }
 *   POST   /kube/watches/drop { pathPattern } → 200 { dropped }
 *   DELETE /kube/rules/:id → 204 (404 when unknown);  DELETE /kube/rules → 204 (every rule added here)
 */
export interface EmulatorAdmin {
  url: string;
  stop(): Promise<void>;
}

const ajv = new Ajv({ allErrors: true });
const name = { type: 'string', maxLength: 253 };
const validateForbid = ajv.compile<ForbidRule>({
  type: 'object',
  additionalProperties: false,
  properties: {
    verb: {
      anyOf: [name, { type: 'array', items: name, maxItems: 10 }],
    },
    group: name,
    resource: name,
    subresource: name,
    namespace: name,
    name,
  },
});
const validateFault = ajv.compile<
  Omit<FaultRule, 'path' | 'query'> & {
    path?: string;
    pathPattern?: string;
    query?: Record<string, string | null>;
  }
>({
  type: 'object',
  additionalProperties: false,
  properties: {
    method: { type: 'string', enum: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] },
    path: { type: 'string', maxLength: 1000 },
    pathPattern: { type: 'string', maxLength: 1000 },
    query: {
      type: 'object',
      maxProperties: 10,
      additionalProperties: { type: ['string', 'null'], maxLength: 1000 },
    },
    status: { type: 'integer', minimum: 400, maximum: 599 },
    retryAfterSeconds: { type: 'integer', minimum: 0, maximum: 3600 },
    latencyMs: { type: 'integer', minimum: 0, maximum: 60_000 },
    times: { type: 'integer', minimum: 1 },
  },
});
const validateDrop = ajv.compile<{ pathPattern: string }>({
  type: 'object',
  additionalProperties: false,
  required: ['pathPattern'],
  properties: { pathPattern: { type: 'string', maxLength: 1000 } },
});

class BadRequest extends Error {}

function pattern(source: string): RegExp {
  try {
    return new RegExp(source);
  } catch (e) {
    throw new BadRequest(`pathPattern: ${(e as Error).message}`);
  }
}

function readJson(req: http.IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', chunk => {
      text += chunk;
      if (text.length > 64 * 1024) {
        reject(new BadRequest('body larger than 64 KiB'));
        req.destroy();
      }
    });
    req.on('end', () => {
      try {
        resolve(text ? JSON.parse(text) : {});
      } catch {
        reject(new BadRequest('body is not JSON'));
      }
    });
    req.on('error', reject);
  });
}

const sameToken = (header: string | undefined, token: string) => {
  const given = Buffer.from(header ?? '');
  const expected = Buffer.from(`Bearer ${token}`);
  return given.length === expected.length && timingSafeEqual(given, expected);
};

export async function startEmulatorAdmin(options: {
  kube: KubeEmulator;
  token: string;
  port: number;
}): Promise<EmulatorAdmin> {
  const { kube, token } = options;
  const removers = new Map<number, () => void>();
  let nextId = 1;
  const keep = (remove: () => void) => {
    const id = nextId++;
    removers.set(id, remove);
    return id;
  };

  const handle = async (
    req: http.IncomingMessage,
  ): Promise<[number, unknown?]> => {
    if (!sameToken(req.headers.authorization, token)) return [401];
    const { pathname } = new URL(req.url ?? '/', 'http://admin');
    const method = req.method ?? 'GET';
    const invalid = (errors: unknown) =>
      new BadRequest(ajv.errorsText(errors as any));
    if (method === 'POST' && pathname === '/kube/forbid') {
      const body = await readJson(req);
      if (!validateForbid(body)) throw invalid(validateForbid.errors);
      return [201, { id: keep(kube.authorizer.forbid(body)) }];
    }
    if (method === 'POST' && pathname === '/kube/faults') {
      const body = await readJson(req);
      if (!validateFault(body)) throw invalid(validateFault.errors);
      if (body.path !== undefined && body.pathPattern !== undefined)
        throw new BadRequest('give path or pathPattern, not both');
      const { pathPattern, path, ...rest } = body;
      const rule: FaultRule = {
        ...rest,
        path: pathPattern !== undefined ? pattern(pathPattern) : path,
      };
      return [201, { id: keep(kube.faults.add(rule)) }];
    }
    if (method === 'POST' && pathname === '/kube/watches/drop') {
      const body = await readJson(req);
      if (!validateDrop(body)) throw invalid(validateDrop.errors);
      return [200, { dropped: kube.dropWatches(pattern(body.pathPattern)) }];
    }
    if (method === 'DELETE' && pathname === '/kube/rules') {
      for (const remove of removers.values()) remove();
      removers.clear();
      return [204];
    }
    const one = /^\/kube\/rules\/(\d+)$/.exec(pathname);
    if (method === 'DELETE' && one) {
      const remove = removers.get(Number(one[1]));
      if (!remove) return [404, { error: `no rule ${one[1]}` }];
      remove();
      removers.delete(Number(one[1]));
      return [204];
    }
    return [404, { error: `no ${method} ${pathname}` }];
  };

  const server = http.createServer((req, res) => {
    handle(req)
      .catch((e: Error): [number, unknown] =>
        e instanceof BadRequest
          ? [400, { error: e.message }]
          : [500, { error: 'internal error' }],
      )
      .then(([status, body]) => {
        if (body === undefined) {
          res.writeHead(status).end();
          return;
        }
        const payload = JSON.stringify(body);
        res
          .writeHead(status, {
            'Content-Type': 'application/json',
            'Content-Length': Buffer.byteLength(payload),
          })
          .end(payload);
      });
  });
  // Loopback only, whatever interface the emulators themselves serve.
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>(resolve => {
        for (const remove of removers.values()) remove();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
