import type { ServerResponse } from 'node:http';
import type { ObjectStore } from '../store/ObjectStore';
import { ApiError } from './status';

/**
 * What the emulated kubelets hold of their containers' output, by pod uid and container name.
 * The cluster controller writes it as emulated containers run; bounded (oldest dropped first).
 */
export class ContainerLogs {
  private readonly logs = new Map<string, string>();

  constructor(private readonly maxEntries = 2000) {}

  set(podUid: string, container: string, text: string) {
    const key = `${podUid}/${container}`;
    this.logs.delete(key);
    this.logs.set(key, text);
    while (this.logs.size > this.maxEntries) {
      const oldest = this.logs.keys().next().value;
      if (oldest === undefined) break;
      this.logs.delete(oldest);
    }
  }

  get(podUid: string, container: string): string | undefined {
    return this.logs.get(`${podUid}/${container}`);
  }
}

/** `GET /api/v1/namespaces/{ns}/pods/{name}/log` (core/v1 `pods/log` subresource). */
export const POD_LOG_PATH =
  /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/log$/;

export interface PodLogTarget {
  namespace: string;
  name: string;
}

export function parsePodLogPath(pathname: string): PodLogTarget | undefined {
  const m = POD_LOG_PATH.exec(pathname);
  if (!m) return undefined;
  return {
    namespace: decodeURIComponent(m[1]),
    name: decodeURIComponent(m[2]),
  };
}

const invalid = (name: string, field: string, value: string, detail: string) =>
  new ApiError(
    422,
    'Invalid',
    `PodLogOptions "${name}" is invalid: ${field}: Invalid value: ${value}: ${detail}`,
    {
      name,
      kind: 'PodLogOptions',
      causes: [
        {
          reason: 'FieldValueInvalid',
          message: `Invalid value: ${value}: ${detail}`,
          field,
        },
      ],
    },
  );

/**
 * An integer query parameter. The API server converts query parameters with
 * `runtime.ParameterCodec`; a value that is not an integer is a 400.
 */
function integerParam(query: URLSearchParams, key: string): number | undefined {
  const raw = query.get(key);
  if (raw === null) return undefined;
  if (!/^-?\d{1,15}$/.test(raw)) {
    throw new ApiError(
      400,
      'BadRequest',
      `couldn't parse ${key}: strconv.ParseInt: parsing "${raw.slice(
        0,
        64,
      )}": invalid syntax`,
    );
  }
  return Number(raw);
}

/** Go's `%s` of a []string: `[a b c]`. */
const goList = (names: string[]) => `[${names.join(' ')}]`;

/**
 * Answers a `pods/log` request (after authentication and authorization), with the API server's
 * rules and error shapes (kubernetes `pkg/registry/core/pod/strategy.go` LogLocation and
 * validateContainer, `pkg/apis/core/validation` ValidatePodLogOptions, the kubelet's
 * "waiting to start" answer):
 * - unknown pod: 404 `pods "<name>" not found`;
 * - no `container` and several containers: 400 `a container name must be specified for pod
 *   <name>, choose one of: [a b]` (plus `or one of the init containers: [..]` when there are);
 * - a `container` the pod lacks: 400 `container <c> is not valid for pod <name>`;
 * - `tailLines` < 0 or `limitBytes` < 1: 422 Invalid PodLogOptions; not an integer: 400;
 * - a pod not bound to a node: 200 and an empty body (the API server has no location to read);
 * - bound but not started: 400 `container "<c>" in pod "<name>" is waiting to start:
 *   ContainerCreating`;
 * - otherwise `text/plain`: the last `tailLines` lines, then at most `limitBytes` bytes.
 */
export function servePodLog(
  store: ObjectStore,
  logs: ContainerLogs,
  target: PodLogTarget,
  query: URLSearchParams,
  res: ServerResponse,
) {
  const tailLines = integerParam(query, 'tailLines');
  const limitBytes = integerParam(query, 'limitBytes');
  if (tailLines !== undefined && tailLines < 0)
    throw invalid(
      target.name,
      'tailLines',
      String(tailLines),
      'must be greater than or equal to 0',
    );
  if (limitBytes !== undefined && limitBytes < 1)
    throw invalid(
      target.name,
      'limitBytes',
      String(limitBytes),
      'must be greater than 0',
    );

  const pod = store.get('/pods', target.namespace, target.name);
  if (!pod) {
    throw new ApiError(404, 'NotFound', `pods "${target.name}" not found`, {
      name: target.name,
      kind: 'pods',
    });
  }

  const containers: string[] = (pod.spec?.containers ?? []).map(
    (c: { name: string }) => c.name,
  );
  const initContainers: string[] = (pod.spec?.initContainers ?? []).map(
    (c: { name: string }) => c.name,
  );
  let container = query.get('container') ?? '';
  if (!container) {
    if (containers.length === 1) container = containers[0];
    else if (containers.length === 0)
      throw new ApiError(
        400,
        'BadRequest',
        `a container name must be specified for pod ${target.name}`,
      );
    else
      throw new ApiError(
        400,
        'BadRequest',
        `a container name must be specified for pod ${
          target.name
        }, choose one of: ${goList(containers)}${
          initContainers.length
            ? ` or one of the init containers: ${goList(initContainers)}`
            : ''
        }`,
      );
  } else if (
    !containers.includes(container) &&
    !initContainers.includes(container)
  ) {
    throw new ApiError(
      400,
      'BadRequest',
      `container ${container} is not valid for pod ${target.name}`,
    );
  }

  let text = '';
  if (pod.spec?.nodeName) {
    // The API server creates pods in phase Pending.
    if ((pod.status?.phase ?? 'Pending') === 'Pending') {
      throw new ApiError(
        400,
        'BadRequest',
        `container "${container}" in pod "${target.name}" is waiting to start: ContainerCreating`,
      );
    }
    text = logs.get(pod.metadata.uid, container) ?? '';
  }
  if (tailLines !== undefined) {
    const lines = text.split('\n');
    if (lines[lines.length - 1] === '') lines.pop();
    const kept = tailLines === 0 ? [] : lines.slice(-tailLines);
    text = kept.length ? `${kept.join('\n')}\n` : '';
  }
  let body = Buffer.from(text, 'utf8');
  if (limitBytes !== undefined && body.length > limitBytes)
    body = body.subarray(0, limitBytes);
  res.writeHead(200, {
    'Content-Type': 'text/plain',
    'Content-Length': body.length,
    'Cache-Control': 'no-cache, private',
  });
  res.end(body);
}
