import { randomBytes } from 'node:crypto';
import * as net from 'node:net';
import * as grpc from '@grpc/grpc-js';
import {
  Fault,
  FaultInjector,
  FaultRule,
  sleep,
} from '../faults/FaultInjector';
import { ClusterStore } from './ClusterStore';
import { Clock, systemClock } from '../clock';
import { seedDemo } from './demo';
import { encodeStatusWithRetryInfo, loadClusterManagerService } from './protos';
import {
  GkeApiError,
  clusterPath,
  invalidArgument,
  parseClusterName,
  parseLocation,
  parseNodePoolName,
  parseOperationName,
} from './resources';
import { LoopbackTls, sharedLoopbackTls } from '../tls';
import { serverConfig } from './versions';

const SERVICE_PATH = '/google.container.v1.ClusterManager';

export interface GkeEmulatorOptions {
  /** Interface to listen on; loopback by default. */
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  /**
   * Bearer token every call must carry in `authorization`; random when unset.
   * `false` turns authentication off.
   */
  token?: string | false;
  /** `demo` seeds the demo GPU cluster (see demo.ts); `empty` starts with nothing. */
  fixtures?: 'demo' | 'empty';
  /** Length of one operation phase (PENDING lasts one step, RUNNING two). Default 1000 ms. */
  operationStepMs?: number;
  /** Time source for operations; pass a ManualClock for deterministic tests. */
  clock?: Clock;
  /** Shared fault rules; a new injector when unset. Rules may also be given as a list. */
  faults?: FaultInjector | FaultRule[];
  /**
   * TLS with a throw-away CA (default). TLS is what lets the real client attach per-call
   * bearer credentials; `false` serves plaintext HTTP/2.
   */
  tls?: boolean;
  /** Certificate to serve instead of the per-process throw-away one. */
  tlsMaterial?: LoopbackTls;
  /**
   * What serves the Kubernetes API of clusters created through the API (e.g. a fresh Kubernetes
   * emulator per cluster). Without it a created cluster reports a made-up endpoint that nothing
   * listens on.
   */
  controlPlanes?: ControlPlaneProvider;
  /** PEM GKE reports as a new cluster's CA when no control plane provider gives one. */
  clusterCaPem?: string;
}

/** Starts and stops what serves a created cluster's control plane. */
export interface ControlPlaneProvider {
  /** Resolves with the endpoint GKE reports (`host:port`) and the CA that signed it. */
  start(cluster: {
    path: string;
    project: string;
    location: string;
    name: string;
  }): Promise<{ endpoint: string; caPem: string }>;
  /** Called once the cluster's deletion finished. */
  stop(path: string): Promise<void>;
}

export interface GkeEmulator {
  /** `host:port`, e.g. `127.0.0.1:43121`. */
  address: string;
  host: string;
  port: number;
  /** The accepted bearer token, or undefined when authentication is off. */
  token: string | undefined;
  /** PEM of the CA to trust, or undefined when serving plaintext. */
  caCertPem: string | undefined;
  faults: FaultInjector;
  /** Direct access to state, for seeding scenarios in tests. */
  store: ClusterStore;
  clock: Clock;
  stop(): Promise<void>;
}

/** How an HTTP-style fault status reads in gRPC, with the wording Google front ends use. */
const FAULT_STATUS: Record<number, { code: grpc.status; message: string }> = {
  400: {
    code: grpc.status.INVALID_ARGUMENT,
    message: 'Request contains an invalid argument.',
  },
  401: {
    code: grpc.status.UNAUTHENTICATED,
    message: 'Request had invalid authentication credentials.',
  },
  403: {
    code: grpc.status.PERMISSION_DENIED,
    message: 'The caller does not have permission.',
  },
  404: {
    code: grpc.status.NOT_FOUND,
    message: 'Requested entity was not found.',
  },
  409: { code: grpc.status.ABORTED, message: 'The operation was aborted.' },
  412: {
    code: grpc.status.FAILED_PRECONDITION,
    message: 'Precondition check failed.',
  },
  429: {
    code: grpc.status.RESOURCE_EXHAUSTED,
    message:
      "Quota exceeded for quota metric 'Read requests' and limit 'Read requests per minute' of service 'container.googleapis.com'.",
  },
  499: { code: grpc.status.CANCELLED, message: 'The operation was cancelled.' },
  500: { code: grpc.status.INTERNAL, message: 'Internal error encountered.' },
  501: {
    code: grpc.status.UNIMPLEMENTED,
    message: 'Operation is not implemented, or supported, or enabled.',
  },
  503: {
    code: grpc.status.UNAVAILABLE,
    message: 'The service is currently unavailable.',
  },
  504: { code: grpc.status.DEADLINE_EXCEEDED, message: 'Deadline exceeded.' },
};

export function faultToServiceError(fault: Fault): Partial<grpc.ServiceError> {
  const status = fault.status ?? 500;
  const mapped = FAULT_STATUS[status] ?? {
    code: grpc.status.UNKNOWN,
    message: `HTTP status ${status}.`,
  };
  const metadata = new grpc.Metadata();
  const retryable =
    mapped.code === grpc.status.RESOURCE_EXHAUSTED ||
    mapped.code === grpc.status.UNAVAILABLE;
  if (
    retryable &&
    (fault.retryAfterSeconds !== undefined ||
      mapped.code === grpc.status.RESOURCE_EXHAUSTED)
  ) {
    metadata.set(
      'grpc-status-details-bin',
      encodeStatusWithRetryInfo(
        mapped.code,
        mapped.message,
        fault.retryAfterSeconds ?? 1,
      ),
    );
  }
  return { code: mapped.code, details: mapped.message, metadata };
}

const UNAUTHENTICATED_MESSAGE =
  'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.';

/** Starts the ClusterManager emulator; resolves once it accepts connections. */
export async function startGkeEmulator(
  options: GkeEmulatorOptions = {},
): Promise<GkeEmulator> {
  const host = options.host ?? '127.0.0.1';
  const token =
    options.token === false
      ? undefined
      : options.token ?? `gke-emulator-${randomBytes(16).toString('hex')}`;
  const clock = options.clock ?? systemClock;
  const faults =
    options.faults instanceof FaultInjector
      ? options.faults
      : new FaultInjector();
  if (Array.isArray(options.faults)) {
    options.faults.forEach(rule => faults.add(rule));
  }
  const tls: LoopbackTls | undefined =
    options.tls === false
      ? undefined
      : options.tlsMaterial ?? sharedLoopbackTls();
  const controlPlanes = options.controlPlanes;
  const store = new ClusterStore({
    clock,
    operationStepMs: options.operationStepMs ?? 1000,
    clusterCaPem: options.clusterCaPem ?? (tls ?? sharedLoopbackTls()).caPem,
    onClusterDeleted: path => {
      controlPlanes?.stop(path).catch(() => {});
    },
  });
  if ((options.fixtures ?? 'demo') === 'demo') {
    seedDemo(store);
  }
  const credentials = tls
    ? grpc.ServerCredentials.createSsl(
        null,
        [
          {
            private_key: Buffer.from(tls.keyPem),
            cert_chain: Buffer.from(tls.certPem),
          },
        ],
        false,
      )
    : grpc.ServerCredentials.createInsecure();

  // Owning the TCP sockets (and handing them to grpc-js) is what lets a `reset` fault
  // drop the very connection a call arrived on.
  const sockets = new Map<string, net.Socket>();
  let stopped = false;

  const server = new grpc.Server();
  const handle =
    <RequestType, ResponseType>(
      method: string,
      run: (request: RequestType) => ResponseType | Promise<ResponseType>,
    ): grpc.handleUnaryCall<RequestType, ResponseType> =>
    (call, callback) => {
      void (async () => {
        const fault = faults.match(method, `${SERVICE_PATH}/${method}`);
        if (fault?.latencyMs) {
          await sleep(fault.latencyMs);
        }
        if (stopped || call.cancelled) {
          return;
        }
        if (fault?.reset) {
          sockets.get(call.getPeer())?.destroy();
          return;
        }
        if (fault?.hang) {
          // Left unanswered on purpose: the client's deadline ends it, or stop() does.
          return;
        }
        if (fault?.status) {
          callback(faultToServiceError(fault));
          return;
        }
        if (token !== undefined) {
          const [authorization] = call.metadata.get('authorization');
          if (authorization !== `Bearer ${token}`) {
            callback({
              code: grpc.status.UNAUTHENTICATED,
              details: UNAUTHENTICATED_MESSAGE,
            });
            return;
          }
        }
        try {
          callback(null, await run(call.request));
        } catch (error) {
          if (error instanceof GkeApiError) {
            callback({ code: error.code, details: error.message });
          } else {
            callback({
              code: grpc.status.INTERNAL,
              details: 'Internal error encountered.',
            });
          }
        }
      })();
    };

  type Req = Record<string, any>;
  const required = <T>(value: T | null | undefined, field: string): T => {
    if (value === undefined || value === null) {
      throw invalidArgument(`Required field "${field}" is missing.`);
    }
    return value;
  };

  server.addService(loadClusterManagerService(), {
    ListClusters: handle('ListClusters', (req: Req) => ({
      clusters: store.listClusters(parseLocation(req, 'parent')),
      missingZones: [],
    })),
    GetCluster: handle('GetCluster', (req: Req) =>
      store.getCluster(parseClusterName(req, 'name')),
    ),
    CreateCluster: handle('CreateCluster', async (req: Req) => {
      const location = parseLocation(req, 'parent');
      const op = store.createCluster(
        location,
        required(req.cluster, 'cluster'),
      );
      if (controlPlanes) {
        const ref = { ...location, cluster: String(req.cluster.name) };
        const path = clusterPath(ref);
        try {
          store.setControlPlane(
            ref,
            await controlPlanes.start({
              path,
              project: ref.project,
              location: ref.location,
              name: ref.cluster,
            }),
          );
        } catch (error) {
          // The cluster exists but nothing serves its API: GKE's ERROR state says so.
          try {
            store.patchStatus(path, {
              status: 'ERROR',
              statusMessage: `control plane failed to start: ${
                (error as Error).message
              }`,
            });
          } catch {
            await controlPlanes.stop(path).catch(() => {});
          }
        }
      }
      return op;
    }),
    UpdateCluster: handle('UpdateCluster', (req: Req) =>
      store.updateCluster(
        parseClusterName(req, 'name'),
        required(req.update, 'update'),
      ),
    ),
    SetLabels: handle('SetLabels', (req: Req) =>
      store.setLabels(
        parseClusterName(req, 'name'),
        req.resourceLabels ?? {},
        req.labelFingerprint,
      ),
    ),
    GetServerConfig: handle('GetServerConfig', (req: Req) => {
      parseLocation(req, 'name');
      return serverConfig();
    }),
    DeleteCluster: handle('DeleteCluster', (req: Req) =>
      store.deleteCluster(parseClusterName(req, 'name')),
    ),
    ListNodePools: handle('ListNodePools', (req: Req) => ({
      nodePools: store.listNodePools(parseClusterName(req, 'parent')),
    })),
    GetNodePool: handle('GetNodePool', (req: Req) =>
      store.getNodePool(parseNodePoolName(req)),
    ),
    CreateNodePool: handle('CreateNodePool', (req: Req) =>
      store.createNodePool(
        parseClusterName(req, 'parent'),
        required(req.nodePool, 'node_pool'),
      ),
    ),
    DeleteNodePool: handle('DeleteNodePool', (req: Req) =>
      store.deleteNodePool(parseNodePoolName(req)),
    ),
    UpdateNodePool: handle('UpdateNodePool', (req: Req) =>
      store.updateNodePool(parseNodePoolName(req), req),
    ),
    SetNodePoolManagement: handle('SetNodePoolManagement', (req: Req) =>
      store.setNodePoolManagement(
        parseNodePoolName(req),
        required(req.management, 'management'),
      ),
    ),
    SetNodePoolAutoscaling: handle('SetNodePoolAutoscaling', (req: Req) =>
      store.setNodePoolAutoscaling(
        parseNodePoolName(req),
        required(req.autoscaling, 'autoscaling'),
      ),
    ),
    SetNodePoolSize: handle('SetNodePoolSize', (req: Req) =>
      store.setNodePoolSize(parseNodePoolName(req), Number(req.nodeCount ?? 0)),
    ),
    ListOperations: handle('ListOperations', (req: Req) => ({
      operations: store.listOperations(parseLocation(req, 'parent')),
      missingZones: [],
    })),
    GetOperation: handle('GetOperation', (req: Req) =>
      store.getOperation(parseOperationName(req)),
    ),
  });

  const injector = server.createConnectionInjector(credentials);
  const listener = net.createServer(socket => {
    const peer = `${socket.remoteAddress}:${socket.remotePort}`;
    sockets.set(peer, socket);
    socket.on('close', () => sockets.delete(peer));
    injector.injectConnection(socket);
  });
  await new Promise<void>((resolve, reject) => {
    listener.once('error', reject);
    listener.listen(options.port ?? 0, host, () => {
      listener.off('error', reject);
      resolve();
    });
  });
  const port = (listener.address() as net.AddressInfo).port;

  return {
    address: `${host.includes(':') ? `[${host}]` : host}:${port}`,
    host,
    port,
    token,
    caCertPem: tls?.caPem,
    faults,
    store,
    clock,
    async stop() {
      if (stopped) {
        return;
      }
      stopped = true;
      server.forceShutdown();
      injector.destroy();
      for (const socket of sockets.values()) {
        socket.destroy();
      }
      await new Promise<void>(resolve => listener.close(() => resolve()));
    },
  };
}
