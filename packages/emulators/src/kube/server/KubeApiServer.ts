import https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { FaultInjector, sleep } from '../../faults/FaultInjector';
import { ObjectStore } from '../store/ObjectStore';
import { apiVersionOf, type ResourceRegistry } from '../resources/registry';
import type { FieldValidation } from '../validation/CrdValidator';
import { Authorizer, authenticate } from './auth';
import {
  apiGroupFor,
  apiGroupList,
  apiResourceList,
  apiVersions,
  versionInfo,
} from './discovery';
import {
  decodeBody,
  negotiate,
  parseResourcePath,
  readBody,
  type ResourceRequest,
} from './request';
import { ResourceHandlers, type AdmissionHook } from './ResourceHandlers';
import { ApiError, badRequest, methodNotAllowed } from './status';
import { parseServiceProxyPath, serveServiceProxy } from './serviceProxy';
import { ContainerLogs, parsePodLogPath, servePodLog } from './podLog';
import { toTable, type IncludeObject } from './table';
import { serveWatch } from './watch';
import { openApiV3Document, openApiV3Root } from './openapi';
import {
  encodeProtobufObject,
  PROTOBUF_MEDIA_TYPE,
  protoTypeFor,
} from './protobuf';
import type { Clock } from '../../clock';

export interface KubeApiServerOptions {
  store: ObjectStore;
  registry: ResourceRegistry;
  clock: Clock;
  certPem: string;
  keyPem: string;
  /** token → user name. */
  tokens: Map<string, string>;
  faults: FaultInjector;
  authorizer: Authorizer;
  bookmarkIntervalMs?: number;
  /** Admission webhooks/plugins run on API writes (the emulated Kueue's job webhooks). */
  admissionHooks?: AdmissionHook[];
  /** What the emulated containers printed, served by `pods/log`. */
  containerLogs?: ContainerLogs;
}

/** RBAC verbs of proxy requests by HTTP method (the API server's RequestInfo). */
const PROXY_VERBS: Record<string, string> = {
  GET: 'get',
  HEAD: 'get',
  POST: 'create',
  PUT: 'update',
  PATCH: 'patch',
  DELETE: 'delete',
};

const REASONS: Record<number, string> = {
  400: 'BadRequest',
  404: 'NotFound',
  409: 'Conflict',
  429: 'TooManyRequests',
  500: 'InternalError',
  503: 'ServiceUnavailable',
  504: 'Timeout',
};

/** The HTTPS front of the emulator: auth, faults, discovery and resource routing. */
export class KubeApiServer {
  private server?: https.Server;
  private readonly handlers: ResourceHandlers;
  private readonly sockets = new Set<Socket>();
  /** Open watches: how to end each, by the path it watches. */
  private readonly watchClosers = new Map<() => void, string>();
  private address = '';

  constructor(private readonly options: KubeApiServerOptions) {
    this.handlers = new ResourceHandlers(
      options.store,
      options.registry,
      options.admissionHooks,
    );
  }

  async listen(port: number, host: string): Promise<string> {
    const server = https.createServer(
      { cert: this.options.certPem, key: this.options.keyPem },
      (req, res) => {
        this.handle(req, res).catch(error =>
          this.fail(res, error, negotiate(req.headers.accept).protobuf),
        );
      },
    );
    server.on('secureConnection', socket => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
    const address = server.address() as AddressInfo;
    const hostPart =
      address.family === 'IPv6' ? `[${address.address}]` : address.address;
    this.address = `${hostPart}:${address.port}`;
    return `https://${this.address}`;
  }

  /**
   * Ends the open watches whose path matches, as an API server restart or a proxy timeout does;
   * clients resume from their last resourceVersion (into whatever faults are now in place).
   */
  dropWatches(path: RegExp): number {
    const matching = [...this.watchClosers].filter(([, p]) => path.test(p));
    for (const [close] of matching) close();
    return matching.length;
  }

  async close(): Promise<void> {
    for (const close of [...this.watchClosers.keys()]) close();
    const server = this.server;
    if (!server) return;
    await new Promise<void>(resolve => {
      server.close(() => resolve());
      for (const socket of this.sockets) socket.destroy();
    });
    this.server = undefined;
  }

  private send(
    res: ServerResponse,
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
    protobuf = false,
  ) {
    if (res.headersSent || res.destroyed) return;
    // Built-in kinds answer in the protobuf envelope when the client prefers it, as the API
    // server does; anything without a proto message (CRDs, discovery, Tables) stays JSON.
    const encoded = protobuf
      ? encodeProtobufObject(body as Record<string, any>)
      : undefined;
    const payload = encoded ?? Buffer.from(JSON.stringify(body));
    res.writeHead(status, {
      'Content-Type': encoded ? PROTOBUF_MEDIA_TYPE : 'application/json',
      'Content-Length': payload.length,
      'Cache-Control': 'no-cache, private',
      ...headers,
    });
    res.end(payload);
  }

  private fail(res: ServerResponse, error: unknown, protobuf: boolean) {
    const apiError =
      error instanceof ApiError
        ? error
        : new ApiError(
            500,
            'InternalError',
            `Internal error occurred: ${(error as Error)?.message ?? error}`,
          );
    // A failed negotiation answers in JSON, the server's default encoding.
    this.send(
      res,
      apiError.code,
      apiError.toStatus(),
      apiError.headers,
      protobuf && apiError.code !== 406,
    );
  }

  private async handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', 'https://emulator');
    const method = (req.method ?? 'GET').toUpperCase();
    const query = url.searchParams;
    const isWatch =
      ['1', 'true'].includes(query.get('watch') ?? '') ||
      url.pathname.includes('/watch/');

    const fault = this.options.faults.match(method, url.pathname, query);
    if (fault?.latencyMs) await sleep(fault.latencyMs);
    if (fault?.reset) {
      req.socket.destroy();
      return;
    }
    if (fault?.hang) return; // closed by close()
    if (fault?.status) {
      const headers: Record<string, string> =
        fault.retryAfterSeconds !== undefined
          ? { 'Retry-After': String(fault.retryAfterSeconds) }
          : {};
      const reason = REASONS[fault.status] ?? 'InternalError';
      const message =
        fault.status === 429
          ? 'Too many requests, please try again later.'
          : `emulated failure (${reason})`;
      const retry =
        fault.retryAfterSeconds !== undefined
          ? { retryAfterSeconds: fault.retryAfterSeconds }
          : {};
      throw new ApiError(
        fault.status,
        reason,
        message,
        Object.keys(retry).length ? retry : undefined,
        headers,
      );
    }

    if (['/healthz', '/livez', '/readyz'].includes(url.pathname)) {
      res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('ok');
      return;
    }
    const user = authenticate(req.headers.authorization, this.options.tokens);
    // Before content negotiation: what the proxied service answers is not a Kubernetes object.
    const proxied = parseServiceProxyPath(url.pathname);
    if (proxied) {
      const proxyVerb = PROXY_VERBS[method];
      if (!proxyVerb) throw methodNotAllowed();
      this.options.authorizer.check({
        user,
        verb: proxyVerb,
        group: '',
        resource: 'services',
        subresource: 'proxy',
        namespace: proxied.namespace,
        name: proxied.id,
      });
      serveServiceProxy(this.options.store, proxied, method, res);
      return;
    }
    // pods/log answers text/plain whatever the client accepts, as the API server does.
    const podLog = parsePodLogPath(url.pathname);
    if (podLog) {
      if (method !== 'GET') throw methodNotAllowed();
      this.options.authorizer.check({
        user,
        verb: 'get',
        group: '',
        resource: 'pods',
        subresource: 'log',
        namespace: podLog.namespace,
        name: podLog.name,
      });
      servePodLog(
        this.options.store,
        this.options.containerLogs ?? new ContainerLogs(),
        podLog,
        query,
        res,
      );
      return;
    }
    const negotiated = negotiate(req.headers.accept);
    if (!negotiated.ok) {
      throw new ApiError(
        406,
        'NotAcceptable',
        `only the following media types are accepted: application/json, application/yaml, application/vnd.kubernetes.protobuf`,
      );
    }
    if (method === 'GET' && this.serveDiscovery(url.pathname, res)) return;

    const path = url.pathname.replace('/watch/', '/');
    const resource = parseResourcePath(this.options.registry, path);
    if (!resource)
      throw new ApiError(
        404,
        'NotFound',
        'the server could not find the requested resource',
        {},
      );
    await this.serveResource(
      req,
      res,
      resource,
      method,
      query,
      user,
      isWatch,
      negotiated,
      fault?.dropWatchAfterMs,
    );
  }

  private serveDiscovery(pathname: string, res: ServerResponse): boolean {
    const registry = this.options.registry;
    const p = pathname.replace(/\/+$/, '') || '/';
    let body: unknown;
    if (p === '/version') body = versionInfo();
    else if (p === '/api') body = apiVersions(this.address);
    else if (p === '/apis') body = apiGroupList(registry);
    else if (/^\/api\/[^/]+$/.test(p))
      body = apiResourceList(registry, '', p.split('/')[2]);
    else if (/^\/apis\/[^/]+$/.test(p))
      body = apiGroupFor(registry, p.split('/')[2]);
    else if (/^\/apis\/[^/]+\/[^/]+$/.test(p)) {
      const [, , group, version] = p.split('/');
      body = apiResourceList(registry, group, version);
    } else if (p === '/openapi/v3') {
      body = openApiV3Root(registry);
    } else if (p.startsWith('/openapi/v3/')) {
      body = openApiV3Document(registry, p.slice('/openapi/v3/'.length));
    } else if (p.startsWith('/openapi/')) {
      // No v2 document: kubectl uses v3 when the server publishes it.
      throw new ApiError(
        404,
        'NotFound',
        'the server could not find the requested resource',
        {},
      );
    } else return false;
    if (body === undefined)
      throw new ApiError(
        404,
        'NotFound',
        'the server could not find the requested resource',
        {},
      );
    this.send(res, 200, body);
    return true;
  }

  private async serveResource(
    req: IncomingMessage,
    res: ServerResponse,
    resource: ResourceRequest,
    method: string,
    query: URLSearchParams,
    user: string,
    isWatch: boolean,
    negotiated: { table: boolean; protobuf: boolean; json: boolean },
    dropWatchAfterMs?: number,
  ) {
    const table = negotiated.table;
    const { type } = resource;
    if (
      !negotiated.json &&
      !protoTypeFor(type.group, resource.version, type.kind)
    ) {
      // Custom resources have no protobuf form (the API server serves them as JSON/YAML only).
      throw new ApiError(
        406,
        'NotAcceptable',
        'only the following media types are accepted: application/json, application/yaml',
      );
    }
    const verb = verbOf(method, isWatch, Boolean(resource.name));
    if (!verb) throw methodNotAllowed();
    this.options.authorizer.check({
      user,
      verb,
      group: type.group,
      resource: type.plural,
      subresource: resource.subresource,
      namespace: resource.namespace,
      name: resource.name,
    });

    const dryRun = query.getAll('dryRun').includes('All');
    const fieldValidation = parseFieldValidation(query.get('fieldValidation'));
    const includeObject = (query.get('includeObject') ??
      'Metadata') as IncludeObject;
    const respond = (status: number, body: unknown, warnings: string[] = []) =>
      this.send(
        res,
        status,
        body,
        warnings.length
          ? {
              Warning: warnings
                .map(w => `299 - ${JSON.stringify(w)}`)
                .join(', '),
            }
          : {},
        negotiated.protobuf,
      );

    if (resource.subresource === 'scale') {
      if (verb === 'get') {
        respond(200, this.handlers.getScale(resource));
        return;
      }
      if (verb !== 'update' && verb !== 'patch') throw methodNotAllowed();
      const raw = await readBody(req);
      const contentType = req.headers['content-type'];
      const body = raw.length
        ? decodeBody(raw, verb === 'patch' ? 'application/json' : contentType)
        : undefined;
      const result = this.handlers.writeScale(
        resource,
        verb === 'patch'
          ? contentType ?? 'application/merge-patch+json'
          : undefined,
        body,
        dryRun,
      );
      respond(result.status, result.body, result.warnings);
      return;
    }
    switch (verb) {
      case 'watch':
        serveWatch(this.options.store, this.handlers, resource, query, res, {
          bookmarkIntervalMs: this.options.bookmarkIntervalMs ?? 10_000,
          dropAfterMs: dropWatchAfterMs,
          onClose: close => {
            this.watchClosers.set(
              close,
              new URL(req.url ?? '/', 'https://emulator').pathname,
            );
            return () => this.watchClosers.delete(close);
          },
        });
        return;
      case 'get': {
        const obj = this.handlers.get(resource);
        respond(
          200,
          table
            ? toTable(
                type,
                resource.version,
                [obj],
                obj.metadata.resourceVersion,
                new Date(this.options.clock.now()),
                includeObject,
              )
            : obj,
        );
        return;
      }
      case 'list': {
        const list = this.handlers.list(resource, query);
        if (table) {
          respond(
            200,
            toTable(
              type,
              resource.version,
              list.items,
              list.resourceVersion,
              new Date(this.options.clock.now()),
              includeObject,
              list.continueToken,
            ),
          );
          return;
        }
        respond(200, {
          kind: type.listKind,
          apiVersion: apiVersionOf(type.group, resource.version),
          metadata: {
            resourceVersion: list.resourceVersion,
            ...(list.continueToken ? { continue: list.continueToken } : {}),
            ...(list.remaining !== undefined
              ? { remainingItemCount: list.remaining }
              : {}),
          },
          items: list.items,
        });
        return;
      }
      case 'deletecollection':
        respond(200, this.handlers.deleteCollection(resource, query));
        return;
      default:
        break;
    }
    const raw = await readBody(req);
    const contentType = req.headers['content-type'] ?? 'application/json';
    const body = raw.length ? decodeBody(raw, contentType) : undefined;
    let result;
    if (verb === 'create') {
      if (resource.name) throw methodNotAllowed();
      result = this.handlers.create(resource, body, fieldValidation, dryRun);
    } else if (verb === 'update') {
      result = this.handlers.update(resource, body, fieldValidation, dryRun);
    } else if (verb === 'patch') {
      if (body === undefined) throw badRequest('a patch body is required');
      result = this.handlers.patch(
        resource,
        contentType,
        body,
        query,
        fieldValidation,
        dryRun,
      );
    } else {
      result = this.handlers.delete(resource, body, dryRun);
    }
    respond(result.status, result.body, result.warnings);
  }
}

/** The authorization verb of a request (k8s.io/apiserver RequestInfo). */
function verbOf(
  method: string,
  isWatch: boolean,
  named: boolean,
): string | undefined {
  switch (method) {
    case 'GET':
      if (isWatch) return 'watch';
      return named ? 'get' : 'list';
    case 'POST':
      return 'create';
    case 'PUT':
      return 'update';
    case 'PATCH':
      return 'patch';
    case 'DELETE':
      return named ? 'delete' : 'deletecollection';
    default:
      return undefined;
  }
}

function parseFieldValidation(value: string | null): FieldValidation {
  if (!value) return 'Warn';
  const normalised =
    value.charAt(0).toUpperCase() + value.slice(1).toLowerCase();
  if (
    normalised === 'Strict' ||
    normalised === 'Warn' ||
    normalised === 'Ignore'
  )
    return normalised;
  throw badRequest(`fieldValidation parameter unsupported: ${value}`);
}
