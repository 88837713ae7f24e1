import { timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  EMULATED_REGIONS,
  EMULATED_ZONES,
  machineTypesInZone,
  regionOfZone,
  type MachineTypeShape,
} from './catalog';
import {
  CloudApiError,
  computeError,
  computeNotFound,
  rpcError,
  serviceDisabled,
  unauthenticated,
} from './errors';
import {
  CloudProjectStore,
  KNOWN_SERVICES,
  demoCloudProjects,
  type EmulatedProject,
  type EmulatedProjectInput,
} from './projects';

/**
 * One loopback HTTP server for three Google REST APIs that preflight asks before anything is
 * created, each at its real path so the official clients (in REST mode: `fallback: true`,
 * `apiEndpoint`/`port`/`protocol: 'http'`) work unchanged:
 *
 * - Compute Engine v1 (https://cloud.google.com/compute/docs/reference/rest/v1):
 *   `zones.get`, `machineTypes.get` / `list` (per zone, with built-in accelerators),
 *   `regions.get` (with `quotas[]`);
 * - Service Usage v1 (https://cloud.google.com/service-usage/docs/reference/rest):
 *   `services.get`, `services.list` (`filter=state:ENABLED|DISABLED`), `services.batchGet`;
 * - Cloud Resource Manager v3 (https://cloud.google.com/resource-manager/reference/rest/v3):
 *   `projects.testIamPermissions`.
 *
 * Requests need the emulators' bearer token (clients get it from the metadata emulator through
 * Application Default Credentials, or are given it).
 */
export interface CloudApisEmulatorOptions {
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  /** Bearer token every request must carry; unset: none is checked. */
  token?: string;
  /** `demo` (default): the demo projects; `empty`: none (tests add their own). */
  fixtures?: 'demo' | 'empty';
  /** Further projects. */
  projects?: EmulatedProjectInput[];
}

export interface CloudApisEmulator {
  /** `http://host:port`. */
  url: string;
  host: string;
  port: number;
  projects: CloudProjectStore;
  /** Requests served, as `METHOD path` (tests assert on what clients asked for). */
  requests: string[];
  stop(): Promise<void>;
}

const COMPUTE = '/compute/v1';

/** Compute's list pages: at most 500 items (the `maxResults` limit of every list method). */
const COMPUTE_MAX_RESULTS = 500;
/** Service Usage `services.list`: "pageSize … maximum 200" (ListServicesRequest). */
const SERVICES_MAX_PAGE = 200;
/** Service Usage `services.batchGet`: "A single request can get a maximum of 30 services at a time." */
const BATCH_GET_MAX = 30;

function machineTypeResource(
  base: string,
  project: EmulatedProject,
  zone: string,
  m: MachineTypeShape,
) {
  return {
    kind: 'compute#machineType',
    id: String(
      [...m.name].reduce((h, c) => (h * 31 + c.charCodeAt(0)) % 1e12, 7),
    ),
    creationTimestamp: '2015-01-01T00:00:00.000-08:00',
    name: m.name,
    description: `${m.guestCpus} vCPUs, ${Math.round(
      m.memoryMb / 1024,
    )} GB RAM${
      m.accelerators.length
        ? `, ${m.accelerators[0].guestAcceleratorCount} ${m.accelerators[0].guestAcceleratorType}`
        : ''
    }`,
    guestCpus: m.guestCpus,
    memoryMb: m.memoryMb,
    maximumPersistentDisks: 128,
    maximumPersistentDisksSizeGb: '263168',
    zone,
    isSharedCpu: false,
    ...(m.accelerators.length ? { accelerators: m.accelerators } : {}),
    selfLink: `${base}${COMPUTE}/projects/${project.projectId}/zones/${zone}/machineTypes/${m.name}`,
  };
}

/** `name = "x"`, `name="x"`, `name eq x` filters (Compute list filtering); others are refused. */
function machineTypeFilter(filter: string | null): (name: string) => boolean {
  if (!filter) return () => true;
  const eq = /^\s*name\s*(=|!=)\s*"?([a-z0-9-]+)"?\s*$/.exec(filter);
  if (eq) return name => (eq[1] === '=' ? name === eq[2] : name !== eq[2]);
  const legacy = /^\s*name\s+(eq|ne)\s+([a-z0-9-]+)\s*$/.exec(filter);
  if (legacy)
    return name =>
      legacy[1] === 'eq' ? name === legacy[2] : name !== legacy[2];
  throw computeError(
    400,
    'invalid',
    `Invalid value for field 'filter': '${filter}'. Invalid list filter expression.`,
  );
}

function page<T>(
  items: T[],
  pageToken: string | null,
  size: number,
): { items: T[]; next?: string } {
  const start = pageToken ? Number(Buffer.from(pageToken, 'base64url')) : 0;
  if (!Number.isInteger(start) || start < 0 || start > items.length)
    throw rpcError(400, 'Invalid page token.');
  const slice = items.slice(start, start + size);
  const end = start + slice.length;
  return {
    items: slice,
    next:
      end < items.length
        ? Buffer.from(String(end)).toString('base64url')
        : undefined,
  };
}

const PERMISSION = /^[a-z][a-zA-Z0-9]*(\.[a-zA-Z0-9]+){2}$/;

/** Starts the emulator. @public */
export async function startCloudApisEmulator(
  options: CloudApisEmulatorOptions = {},
): Promise<CloudApisEmulator> {
  const host = options.host ?? '127.0.0.1';
  const projects = new CloudProjectStore();
  for (const input of [
    ...((options.fixtures ?? 'demo') === 'demo' ? demoCloudProjects() : []),
    ...(options.projects ?? []),
  ])
    projects.add(input);
  const requests: string[] = [];
  const expectedAuth = options.token
    ? Buffer.from(`Bearer ${options.token}`)
    : undefined;
  let base = '';

  const computeProject = (projectId: string) => {
    const project = projects.get(projectId);
    if (!project) throw computeNotFound(`projects/${projectId}`);
    if (!project.enabledServices.has('compute.googleapis.com'))
      throw serviceDisabled('compute.googleapis.com', project.projectNumber);
    return project;
  };
  const knownZone = (projectId: string, zone: string) => {
    if (!EMULATED_ZONES.includes(zone))
      throw computeNotFound(`projects/${projectId}/zones/${zone}`);
  };

  const serviceResource = (project: EmulatedProject, service: string) => ({
    name: `projects/${project.projectNumber}/services/${service}`,
    parent: `projects/${project.projectNumber}`,
    config: { name: service },
    state: project.enabledServices.has(service) ? 'ENABLED' : 'DISABLED',
  });
  /** Service Usage's answer for a consumer the caller cannot see (or that does not exist). */
  const serviceUsageProject = (projectId: string, verb: string) => {
    const project = projects.get(projectId);
    if (!project)
      throw rpcError(
        403,
        `Permission denied to ${verb} for consumer container [projects/${projectId}]`,
        {
          reason: 'AUTH_PERMISSION_DENIED',
          domain: 'serviceusage.googleapis.com',
          metadata: {
            permission: `serviceusage.services.${verb.split(' ')[0]}`,
          },
        },
      );
    return project;
  };

  const routes: Array<{
    method: string;
    path: RegExp;
    handle: (m: RegExpExecArray, query: URLSearchParams, body: any) => unknown;
  }> = [
    {
      method: 'GET',
      path: /^\/compute\/v1\/projects\/([^/]+)\/zones\/([^/]+)$/,
      handle: ([, projectId, zone]) => {
        const project = computeProject(projectId);
        knownZone(projectId, zone);
        return {
          kind: 'compute#zone',
          name: zone,
          status: 'UP',
          region: `${base}${COMPUTE}/projects/${
            project.projectId
          }/regions/${regionOfZone(zone)}`,
          selfLink: `${base}${COMPUTE}/projects/${project.projectId}/zones/${zone}`,
        };
      },
    },
    {
      method: 'GET',
      path: /^\/compute\/v1\/projects\/([^/]+)\/zones\/([^/]+)\/machineTypes$/,
      handle: ([, projectId, zone], query) => {
        const project = computeProject(projectId);
        knownZone(projectId, zone);
        const maxResults = Number(
          query.get('maxResults') ?? COMPUTE_MAX_RESULTS,
        );
        if (!(maxResults >= 0 && maxResults <= COMPUTE_MAX_RESULTS))
          throw computeError(
            400,
            'invalid',
            `Invalid value for field 'maxResults': '${query.get(
              'maxResults',
            )}'. Must be less than or equal to 500`,
          );
        const keep = machineTypeFilter(query.get('filter'));
        const all = machineTypesInZone(zone).filter(m => keep(m.name));
        const { items, next } = page(
          all,
          query.get('pageToken'),
          maxResults || COMPUTE_MAX_RESULTS,
        );
        return {
          kind: 'compute#machineTypeList',
          id: `projects/${project.projectId}/zones/${zone}/machineTypes`,
          items: items.map(m => machineTypeResource(base, project, zone, m)),
          selfLink: `${base}${COMPUTE}/projects/${project.projectId}/zones/${zone}/machineTypes`,
          ...(next ? { nextPageToken: next } : {}),
        };
      },
    },
    {
      method: 'GET',
      path: /^\/compute\/v1\/projects\/([^/]+)\/zones\/([^/]+)\/machineTypes\/([^/]+)$/,
      handle: ([, projectId, zone, name]) => {
        const project = computeProject(projectId);
        knownZone(projectId, zone);
        const machineType = machineTypesInZone(zone).find(m => m.name === name);
        if (!machineType)
          throw computeNotFound(
            `projects/${projectId}/zones/${zone}/machineTypes/${name}`,
          );
        return machineTypeResource(base, project, zone, machineType);
      },
    },
    {
      method: 'GET',
      path: /^\/compute\/v1\/projects\/([^/]+)\/regions\/([^/]+)$/,
      handle: ([, projectId, region]) => {
        const project = computeProject(projectId);
        if (!EMULATED_REGIONS.includes(region))
          throw computeNotFound(`projects/${projectId}/regions/${region}`);
        return {
          kind: 'compute#region',
          name: region,
          description: region,
          status: 'UP',
          zones: EMULATED_ZONES.filter(z => regionOfZone(z) === region).map(
            z => `${base}${COMPUTE}/projects/${project.projectId}/zones/${z}`,
          ),
          quotas: projects.regionQuotas(project, region),
          selfLink: `${base}${COMPUTE}/projects/${project.projectId}/regions/${region}`,
        };
      },
    },
    {
      method: 'GET',
      path: /^\/v1\/projects\/([^/]+)\/services$/,
      handle: ([, projectId], query) => {
        const project = serviceUsageProject(projectId, 'list services');
        const filter = query.get('filter') ?? '';
        // ListServicesRequest.filter: "The allowed filter strings are state:ENABLED and state:DISABLED."
        if (filter && !/^state:(ENABLED|DISABLED)$/.test(filter))
          throw rpcError(400, `Invalid filter: ${filter}`);
        const pageSize = Number(query.get('pageSize') ?? 50);
        if (!(pageSize >= 0 && pageSize <= SERVICES_MAX_PAGE))
          throw rpcError(
            400,
            `Invalid page size ${pageSize}: the maximum is ${SERVICES_MAX_PAGE}.`,
          );
        const services = [...KNOWN_SERVICES]
          .sort()
          .map(s => serviceResource(project, s))
          .filter(s => !filter || `state:${s.state}` === filter);
        const { items, next } = page(
          services,
          query.get('pageToken'),
          pageSize || 50,
        );
        return { services: items, ...(next ? { nextPageToken: next } : {}) };
      },
    },
    {
      method: 'GET',
      path: /^\/v1\/projects\/([^/]+)\/services:batchGet$/,
      handle: ([, projectId], query) => {
        const project = serviceUsageProject(projectId, 'get services');
        const names = query.getAll('names');
        if (names.length > BATCH_GET_MAX)
          throw rpcError(
            400,
            `A single request can get a maximum of ${BATCH_GET_MAX} services at a time, got ${names.length}.`,
          );
        const services = names.map(name => {
          const match = /^projects\/([^/]+)\/services\/([^/]+)$/.exec(name);
          if (!match || projects.get(match[1]) !== project)
            throw rpcError(
              400,
              `Invalid service name ${name}: it must be projects/${projectId}/services/<service>.`,
            );
          if (!KNOWN_SERVICES.has(match[2]))
            throw rpcError(
              403,
              `Not found or permission denied for service(s): ${match[2]}.`,
              {
                reason: 'SERVICE_CONFIG_NOT_FOUND_OR_PERMISSION_DENIED',
                domain: 'serviceusage.googleapis.com',
                metadata: { services: match[2] },
              },
            );
          return serviceResource(project, match[2]);
        });
        return { services };
      },
    },
    {
      method: 'GET',
      path: /^\/v1\/projects\/([^/]+)\/services\/([^/:]+)$/,
      handle: ([, projectId, service]) => {
        const project = serviceUsageProject(projectId, 'get services');
        if (!KNOWN_SERVICES.has(service))
          throw rpcError(
            403,
            `Not found or permission denied for service(s): ${service}.`,
            {
              reason: 'SERVICE_CONFIG_NOT_FOUND_OR_PERMISSION_DENIED',
              domain: 'serviceusage.googleapis.com',
              metadata: { services: service },
            },
          );
        return serviceResource(project, service);
      },
    },
    {
      method: 'POST',
      path: /^\/v3\/projects\/([^/:]+):testIamPermissions$/,
      handle: ([, projectId], _query, body) => {
        const project = projects.get(projectId);
        // Resource Manager answers 403 alike for a project that does not exist and one the
        // caller may not see.
        if (!project)
          throw rpcError(403, 'The caller does not have permission');
        if (!project.enabledServices.has('cloudresourcemanager.googleapis.com'))
          throw serviceDisabled(
            'cloudresourcemanager.googleapis.com',
            project.projectNumber,
          );
        const permissions: unknown = body?.permissions ?? [];
        if (!Array.isArray(permissions))
          throw rpcError(
            400,
            'Invalid JSON payload: permissions must be a list.',
          );
        for (const permission of permissions) {
          // TestIamPermissionsRequest.permissions: "Permissions with wildcards (such as `*` or
          // `storage.*`) are not allowed."
          if (typeof permission === 'string' && permission.includes('*'))
            throw rpcError(
              400,
              `Permissions with wildcards (such as '*' or 'storage.*') are not allowed: ${permission}`,
            );
          if (typeof permission !== 'string' || !PERMISSION.test(permission))
            throw rpcError(
              400,
              `Permission ${String(permission)} is not valid.`,
            );
        }
        return {
          permissions: (permissions as string[]).filter(
            p => !project.deniedPermissions.has(p),
          ),
        };
      },
    },
  ];

  const send = (res: http.ServerResponse, status: number, body: unknown) => {
    const text = JSON.stringify(body);
    res
      .writeHead(status, {
        'content-type': 'application/json; charset=UTF-8',
        'content-length': Buffer.byteLength(text),
      })
      .end(text);
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      // A testIamPermissions body is small; refuse anything large without buffering it.
      if (size > 1_000_000) {
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      const url = new URL(req.url ?? '/', base);
      requests.push(`${req.method} ${url.pathname}`);
      try {
        if (expectedAuth) {
          const given = Buffer.from(req.headers.authorization ?? '');
          if (
            given.length !== expectedAuth.length ||
            !timingSafeEqual(given, expectedAuth)
          )
            throw unauthenticated();
        }
        const path = decodeURIComponent(url.pathname);
        for (const route of routes) {
          if (route.method !== req.method) continue;
          const match = route.path.exec(path);
          if (!match) continue;
          let body: unknown;
          if (req.method === 'POST') {
            try {
              body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
            } catch {
              throw rpcError(400, 'Invalid JSON payload received.');
            }
          }
          send(res, 200, route.handle(match, url.searchParams, body));
          return;
        }
        throw rpcError(
          404,
          `The requested URL ${url.pathname} was not found on this server.`,
        );
      } catch (error) {
        if (error instanceof CloudApiError) {
          send(res, error.httpCode, error.body);
          return;
        }
        send(res, 500, {
          error: { code: 500, message: 'Internal error', status: 'INTERNAL' },
        });
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  base = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  return {
    url: base,
    host,
    port,
    projects,
    requests,
    stop: () =>
      new Promise<void>(resolve => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
