import type { ServerResponse } from 'node:http';
import type { ObjectStore } from '../store/ObjectStore';
import { ApiError } from './status';

/**
 * The API server's service proxy, `/api/v1/namespaces/{ns}/services/{[scheme:]name[:port]}/proxy/{path}`
 * (core/v1 `services/proxy` subresource; kubectl proxy and client libraries reach in-cluster HTTP
 * services through it). Nothing listens behind the emulator's Services, so the proxy answers as
 * the real one does when it cannot reach a backend, except for the one service the product reads
 * through it: a KubeRay head Service's dashboard port, answered by an emulated Ray dashboard.
 *
 * Rules and error shapes (kubernetes/pkg/registry/core/service/storage/storage.go ResourceLocation,
 * k8s.io/apimachinery/pkg/util/proxy):
 * - unknown Service: 404 NotFound `services "<name>" not found`;
 * - a port the Service does not have, or no ready Pod behind its selector: 503 ServiceUnavailable
 *   `no endpoints available for service "<name>"`;
 * - a ready backend that does not answer: 503 ServiceUnavailable
 *   `error trying to reach service: dial tcp <ip>:<port>: connect: connection refused`.
 */
export const SERVICE_PROXY_PATH =
  /^\/api\/v1\/namespaces\/([^/]+)\/services\/([^/]+)\/proxy(\/.*)?$/;

interface ProxyTarget {
  namespace: string;
  /** `name`, `name:port` or `scheme:name:port`, as in the URL. */
  id: string;
  path: string;
}

export function parseServiceProxyPath(
  pathname: string,
): ProxyTarget | undefined {
  const m = SERVICE_PROXY_PATH.exec(pathname);
  if (!m) return undefined;
  return {
    namespace: decodeURIComponent(m[1]),
    id: decodeURIComponent(m[2]),
    // Decoded as Go's net/http decodes URL.Path (clients may send the path's slashes as %2F).
    path: decodeURIComponent(m[3] ?? '/'),
  };
}

const noEndpoints = (id: string) =>
  new ApiError(
    503,
    'ServiceUnavailable',
    `no endpoints available for service "${id}"`,
  );

const podReady = (pod: Record<string, any>) =>
  pod.status?.phase === 'Running' &&
  (pod.status?.conditions ?? []).some(
    (c: { type: string; status: string }) =>
      c.type === 'Ready' && c.status === 'True',
  );

const matches = (
  labels: Record<string, string> | undefined,
  selector: Record<string, string>,
) => Object.entries(selector).every(([k, v]) => labels?.[k] === v);

/**
 * The Ray Jobs REST API of the dashboard (docs.ray.io, "Ray Jobs REST API": `GET /api/version`,
 * `GET /api/jobs/`, `GET /api/jobs/{submission_id}`), answered from the RayJobs of the head's
 * RayCluster; the dashboard's web UI is a page that says it is emulated.
 */
function serveRayDashboard(
  store: ObjectStore,
  namespace: string,
  rayCluster: string,
  method: string,
  path: string,
  res: ServerResponse,
) {
  const json = (status: number, body: unknown) => {
    res.writeHead(status, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  if (method !== 'GET' && method !== 'HEAD') {
    // Submitting or stopping jobs is not modelled.
    json(405, { error: `${method} is not modelled by the emulated dashboard` });
    return;
  }
  const jobs = store
    .list('ray.io/rayjobs', namespace)
    .filter(j => j.status?.rayClusterName === rayCluster && j.status?.jobId)
    .map(j => ({
      type: 'SUBMISSION',
      job_id: null,
      submission_id: j.status.jobId,
      status: j.status.jobStatus ?? 'PENDING',
      entrypoint: j.spec?.entrypoint ?? '',
      message: j.status.message ?? null,
      error_type: null,
      start_time: j.status.startTime ? Date.parse(j.status.startTime) : null,
      end_time: j.status.endTime ? Date.parse(j.status.endTime) : null,
      metadata: { 'ray.io/rayjob': j.metadata.name },
      runtime_env: {},
      driver_info: null,
    }));
  if (path === '/api/version') {
    json(200, { version: '4', ray_version: '2.41.0', ray_commit: 'emulated' });
    return;
  }
  if (path === '/api/jobs/' || path === '/api/jobs') {
    json(200, jobs);
    return;
  }
  const one = /^\/api\/jobs\/([^/]+)$/.exec(path);
  if (one) {
    const job = jobs.find(j => j.submission_id === decodeURIComponent(one[1]));
    if (job) json(200, job);
    else json(404, { error: `Job ${one[1]} does not exist` });
    return;
  }
  if (path === '/' || path === '') {
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end(
      `<!doctype html><title>Ray Dashboard (emulated)</title><h1>Ray Dashboard (emulated)</h1><p>RayCluster ${rayCluster}: ${jobs.length} job(s)</p>`,
    );
    return;
  }
  res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
  res.end('404: Not Found');
}

/** Answers a `services/proxy` request (after authentication and authorization). */
export function serveServiceProxy(
  store: ObjectStore,
  target: ProxyTarget,
  method: string,
  res: ServerResponse,
) {
  const parts = target.id.split(':');
  const [name, port] =
    parts.length === 3 ? [parts[1], parts[2]] : [parts[0], parts[1]];
  const service = store.get('/services', target.namespace, name);
  if (!service) {
    throw new ApiError(404, 'NotFound', `services "${name}" not found`, {
      name,
      kind: 'services',
    });
  }
  const ports: { name?: string; port: number; targetPort?: number }[] =
    service.spec?.ports ?? [];
  const servicePort = port
    ? ports.find(p => p.name === port || String(p.port) === port)
    : ports[0];
  const selector: Record<string, string> | undefined = service.spec?.selector;
  const ready = selector
    ? store
        .list('/pods', target.namespace)
        .filter(p => matches(p.metadata?.labels, selector) && podReady(p))
    : [];
  if (!servicePort || ready.length === 0) throw noEndpoints(target.id);

  const labels = service.metadata?.labels ?? {};
  if (
    labels['ray.io/node-type'] === 'head' &&
    labels['ray.io/cluster'] &&
    servicePort.port === 8265
  ) {
    serveRayDashboard(
      store,
      target.namespace,
      labels['ray.io/cluster'],
      method,
      target.path,
      res,
    );
    return;
  }
  const ip = ready[0].status?.podIP ?? '10.0.0.1';
  throw new ApiError(
    503,
    'ServiceUnavailable',
    `error trying to reach service: dial tcp ${ip}:${
      servicePort.targetPort ?? servicePort.port
    }: connect: connection refused`,
  );
}
