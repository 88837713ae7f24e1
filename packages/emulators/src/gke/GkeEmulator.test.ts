import * as grpc from '@grpc/grpc-js';
import type { ClusterManagerClient } from '@google-cloud/container';
import { ManualClock } from '../clock';
import { createEmulatorClusterManagerClient } from './client';
import {
  DEMO_CLUSTER,
  DEMO_GPU_POOL,
  DEMO_LOCATION,
  DEMO_PROJECT,
  DEMO_SYSTEM_POOL,
} from './demo';
import { GkeEmulator, startGkeEmulator } from './server';
import { denyGoogleCredentialDiscovery } from './testing';

denyGoogleCredentialDiscovery();

const parent = `projects/${DEMO_PROJECT}/locations/${DEMO_LOCATION}`;
const demoClusterName = `${parent}/clusters/${DEMO_CLUSTER}`;
const STEP_MS = 1000;

/** Expects the promise to fail with a gRPC status; returns the error for further checks. */
async function expectGrpcError(promise: Promise<unknown>, code: grpc.status) {
  const error = await promise.then(
    () => {
      throw new Error(
        `expected gRPC status ${grpc.status[code]}, got a response`,
      );
    },
    (e: grpc.ServiceError & { statusDetails?: unknown[] }) => e,
  );
  expect(grpc.status[error.code]).toBe(grpc.status[code]);
  return error;
}

describe('GKE ClusterManager emulator through the official client', () => {
  let emulator: GkeEmulator;
  let client: ClusterManagerClient;
  const clock = new ManualClock();

  /** Advances the manual clock one phase at a time until the operation is DONE (bounded). */
  async function waitForOperation(operationName: string) {
    for (let attempt = 0; attempt < 10; attempt++) {
      const [op] = await client.getOperation({
        name: `${parent}/operations/${operationName}`,
      });
      if (op.status === 'DONE') {
        return op;
      }
      clock.advance(STEP_MS);
    }
    throw new Error(`operation ${operationName} did not finish`);
  }

  beforeAll(async () => {
    emulator = await startGkeEmulator({
      clock,
      operationStepMs: STEP_MS,
      fixtures: 'demo',
    });
    client = createEmulatorClusterManagerClient(emulator);
  });

  afterAll(async () => {
    await client?.close();
    await emulator?.stop();
  });

  afterEach(() => emulator.faults.clear());

  it('lists the demo cluster in its region and across all locations', async () => {
    const [regional] = await client.listClusters({ parent });
    const [everywhere] = await client.listClusters({
      parent: `projects/${DEMO_PROJECT}/locations/-`,
    });
    const [otherProject] = await client.listClusters({
      parent: 'projects/another-project/locations/-',
    });
    expect(regional.clusters?.map(c => c.name)).toEqual([DEMO_CLUSTER]);
    expect(everywhere.clusters?.map(c => c.name)).toEqual([DEMO_CLUSTER]);
    expect(otherProject.clusters).toEqual([]);
  });

  it('returns the demo cluster with the fields the product reads', async () => {
    const [cluster] = await client.getCluster({ name: demoClusterName });
    expect(cluster).toMatchObject({
      name: DEMO_CLUSTER,
      status: 'RUNNING',
      location: DEMO_LOCATION,
      locations: ['us-central1-b'],
      selfLink: `https://container.googleapis.com/v1/${demoClusterName}`,
      endpoint: '172.16.0.34',
      currentMasterVersion: '1.33.1-gke.1107000',
      currentNodeVersion: '1.33.1-gke.1107000',
      releaseChannel: { channel: 'REGULAR' },
      workloadIdentityConfig: {
        workloadPool: 'gpu-launchpad-demo.svc.id.goog',
      },
      networkConfig: {
        datapathProvider: 'ADVANCED_DATAPATH',
        enableMultiNetworking: true,
        network: `projects/${DEMO_PROJECT}/global/networks/default`,
      },
      privateClusterConfig: {
        enablePrivateNodes: true,
        enablePrivateEndpoint: true,
        privateEndpoint: '172.16.0.34',
      },
      masterAuthorizedNetworksConfig: { enabled: true },
      loggingConfig: {
        componentConfig: {
          enableComponents: ['SYSTEM_COMPONENTS', 'WORKLOADS'],
        },
      },
    });
    expect(cluster.addonsConfig?.rayOperatorConfig?.enabled).toBe(true);
    expect(cluster.addonsConfig?.gcsFuseCsiDriverConfig?.enabled).toBe(true);
    expect(cluster.nodePools?.map(p => p.name)).toEqual([
      DEMO_SYSTEM_POOL,
      DEMO_GPU_POOL,
    ]);
  });

  it('returns the DWS flex-start GPU pool with its accelerators and RDMA networks', async () => {
    const [pool] = await client.getNodePool({
      name: `${demoClusterName}/nodePools/${DEMO_GPU_POOL}`,
    });
    expect(pool).toMatchObject({
      status: 'RUNNING',
      initialNodeCount: 0,
      locations: ['us-central1-b'],
      queuedProvisioning: { enabled: true },
      autoscaling: {
        enabled: true,
        totalMaxNodeCount: 4,
        locationPolicy: 'ANY',
      },
      management: { autoRepair: false, autoUpgrade: true },
      config: {
        machineType: 'a3-ultragpu-8g',
        flexStart: true,
        spot: false,
        reservationAffinity: { consumeReservationType: 'NO_RESERVATION' },
        maxRunDuration: { seconds: '604800' },
      },
    });
    expect(pool.config?.accelerators).toEqual([
      expect.objectContaining({
        acceleratorCount: '8',
        acceleratorType: 'nvidia-h200-141gb',
        gpuDriverInstallationConfig: expect.objectContaining({
          gpuDriverVersion: 'LATEST',
        }),
      }),
    ]);
    const networks = pool.networkConfig?.additionalNodeNetworkConfigs ?? [];
    expect(networks.map(n => n.subnetwork)).toEqual([
      'a3u-dws-primary-sub',
      ...[0, 1, 2, 3, 4, 5, 6, 7].map(n => `a3u-dws-rdma-sub-${n}`),
    ]);
    expect(new Set(networks.slice(1).map(n => n.network))).toEqual(
      new Set(['a3u-dws-rdma-net']),
    );
    const [list] = await client.listNodePools({ parent: demoClusterName });
    expect(list.nodePools?.map(p => p.name)).toEqual([
      DEMO_SYSTEM_POOL,
      DEMO_GPU_POOL,
    ]);
  });

  it('creates a cluster through PROVISIONING to RUNNING and deletes it through STOPPING', async () => {
    const name = `${parent}/clusters/train-a`;
    const [created] = await client.createCluster({
      parent,
      cluster: {
        name: 'train-a',
        initialNodeCount: 1,
        nodeConfig: { machineType: 'e2-standard-4' },
      },
    });
    expect(created).toMatchObject({
      operationType: 'CREATE_CLUSTER',
      status: 'PENDING',
      location: DEMO_LOCATION,
      targetLink: `https://container.googleapis.com/v1/${name}`,
      selfLink: `https://container.googleapis.com/v1/${parent}/operations/${created.name}`,
    });
    const [provisioning] = await client.getCluster({ name });
    expect(provisioning.status).toBe('PROVISIONING');
    expect(provisioning.nodePools?.[0]).toMatchObject({
      name: 'default-pool',
      status: 'PROVISIONING',
    });

    clock.advance(STEP_MS * 2);
    const [running] = await client.getOperation({
      name: `${parent}/operations/${created.name}`,
    });
    expect(running.status).toBe('RUNNING');
    const progress = Object.fromEntries(
      (running.progress?.metrics ?? []).map(m => [m.name, Number(m.intValue)]),
    );
    expect(progress.CLUSTER_CONFIGURING).toBe(
      progress.CLUSTER_CONFIGURING_TOTAL,
    );
    expect(progress.CLUSTER_HEALTHCHECKING).toBeLessThan(
      progress.CLUSTER_HEALTHCHECKING_TOTAL,
    );

    const done = await waitForOperation(created.name!);
    expect(done.endTime).not.toBe('');
    const [ready] = await client.getCluster({ name });
    expect(ready).toMatchObject({
      status: 'RUNNING',
      locations: ['us-central1-a', 'us-central1-b', 'us-central1-c'],
    });
    expect(ready.nodePools?.[0]).toMatchObject({
      status: 'RUNNING',
      config: { machineType: 'e2-standard-4' },
    });

    const [deleting] = await client.deleteCluster({ name });
    expect(deleting).toMatchObject({
      operationType: 'DELETE_CLUSTER',
      targetLink: `https://container.googleapis.com/v1/${name}`,
    });
    const [stopping] = await client.getCluster({ name });
    expect(stopping.status).toBe('STOPPING');
    await waitForOperation(deleting.name!);
    const gone = await expectGrpcError(
      client.getCluster({ name }),
      grpc.status.NOT_FOUND,
    );
    expect(gone.details).toBe(`Not found: ${name}.`);

    const [ops] = await client.listOperations({
      parent: `projects/${DEMO_PROJECT}/locations/-`,
    });
    expect(
      ops.operations?.map(o => [o.name, o.operationType, o.status]),
    ).toEqual(
      expect.arrayContaining([
        [created.name, 'CREATE_CLUSTER', 'DONE'],
        [deleting.name, 'DELETE_CLUSTER', 'DONE'],
      ]),
    );
  });

  it('creates and deletes a node pool, refusing a second change while one runs', async () => {
    const poolName = `${demoClusterName}/nodePools/h200-spot`;
    const [creating] = await client.createNodePool({
      parent: demoClusterName,
      nodePool: {
        name: 'h200-spot',
        initialNodeCount: 0,
        config: {
          machineType: 'a3-ultragpu-8g',
          spot: true,
          accelerators: [
            { acceleratorCount: 8, acceleratorType: 'nvidia-h200-141gb' },
          ],
        },
        autoscaling: {
          enabled: true,
          totalMaxNodeCount: 2,
          locationPolicy: 'ANY',
        },
      },
    });
    expect(creating).toMatchObject({
      operationType: 'CREATE_NODE_POOL',
      targetLink: `https://container.googleapis.com/v1/${poolName}`,
    });
    const [pool] = await client.getNodePool({ name: poolName });
    expect(pool).toMatchObject({
      status: 'PROVISIONING',
      version: '1.33.1-gke.1107000',
      locations: ['us-central1-b'],
    });
    const [reconciling] = await client.getCluster({ name: demoClusterName });
    expect(reconciling.status).toBe('RECONCILING');

    const busy = await expectGrpcError(
      client.deleteNodePool({
        name: `${demoClusterName}/nodePools/${DEMO_GPU_POOL}`,
      }),
      grpc.status.FAILED_PRECONDITION,
    );
    expect(busy.details).toBe(
      `Cluster is running incompatible operation ${creating.name}.`,
    );

    await waitForOperation(creating.name!);
    expect((await client.getNodePool({ name: poolName }))[0].status).toBe(
      'RUNNING',
    );

    const [deleting] = await client.deleteNodePool({ name: poolName });
    expect(deleting.operationType).toBe('DELETE_NODE_POOL');
    expect((await client.getNodePool({ name: poolName }))[0].status).toBe(
      'STOPPING',
    );
    await waitForOperation(deleting.name!);
    await expectGrpcError(
      client.getNodePool({ name: poolName }),
      grpc.status.NOT_FOUND,
    );
    const [cluster] = await client.getCluster({ name: demoClusterName });
    expect(cluster.status).toBe('RUNNING');
    expect(cluster.nodePools?.map(p => p.name)).toEqual([
      DEMO_SYSTEM_POOL,
      DEMO_GPU_POOL,
    ]);
  });

  it('answers with the errors GKE gives', async () => {
    const missing = await expectGrpcError(
      client.getCluster({ name: `${parent}/clusters/nope` }),
      grpc.status.NOT_FOUND,
    );
    expect(missing.details).toBe(`Not found: ${parent}/clusters/nope.`);
    const duplicate = await expectGrpcError(
      client.createCluster({ parent, cluster: { name: DEMO_CLUSTER } }),
      grpc.status.ALREADY_EXISTS,
    );
    expect(duplicate.details).toBe(`Already exists: ${demoClusterName}.`);
    await expectGrpcError(
      client.createNodePool({
        parent: demoClusterName,
        nodePool: { name: DEMO_GPU_POOL },
      }),
      grpc.status.ALREADY_EXISTS,
    );
    const badName = await expectGrpcError(
      client.createCluster({ parent, cluster: { name: 'Bad_Name' } }),
      grpc.status.INVALID_ARGUMENT,
    );
    expect(badName.details).toContain('cluster.name');
    await expectGrpcError(
      client.listClusters({ parent: 'projects/x' }),
      grpc.status.INVALID_ARGUMENT,
    );
    await expectGrpcError(
      client.getOperation({ name: `${parent}/operations/operation-0-missing` }),
      grpc.status.NOT_FOUND,
    );
    await expectGrpcError(
      client.setLegacyAbac({ name: demoClusterName, enabled: true }),
      grpc.status.UNIMPLEMENTED,
    );
  });

  describe('authentication', () => {
    it('sends the static token without ever asking google-auth-library for credentials', async () => {
      const isolated = createEmulatorClusterManagerClient(emulator);
      const getClient = jest.spyOn(isolated.auth, 'getClient');
      const getRequestHeaders = jest.spyOn(isolated.auth, 'getRequestHeaders');
      try {
        const [list] = await isolated.listClusters({ parent });
        expect(list.clusters?.map(c => c.name)).toEqual([DEMO_CLUSTER]);
        expect(getClient).not.toHaveBeenCalled();
        expect(getRequestHeaders).not.toHaveBeenCalled();
      } finally {
        await isolated.close();
      }
    });

    it('rejects a wrong token and a missing one', async () => {
      const wrong = createEmulatorClusterManagerClient({
        ...emulator,
        token: 'not-the-token',
      });
      const anonymous = createEmulatorClusterManagerClient({
        ...emulator,
        token: undefined,
      });
      try {
        const denied = await expectGrpcError(
          wrong.getCluster({ name: demoClusterName }),
          grpc.status.UNAUTHENTICATED,
        );
        expect(denied.details).toContain('invalid authentication credentials');
        await expectGrpcError(
          anonymous.listClusters({ parent }),
          grpc.status.UNAUTHENTICATED,
        );
      } finally {
        await wrong.close();
        await anonymous.close();
      }
    });

    it('serves plaintext with the token added per call, and can run without auth', async () => {
      const plain = await startGkeEmulator({
        tls: false,
        token: 'plain-token',
        fixtures: 'demo',
      });
      const open = await startGkeEmulator({
        tls: false,
        token: false,
        fixtures: 'empty',
      });
      const plainClient = createEmulatorClusterManagerClient(plain);
      const plainWrong = createEmulatorClusterManagerClient({
        ...plain,
        token: 'other',
      });
      const openClient = createEmulatorClusterManagerClient(open);
      try {
        const [cluster] = await plainClient.getCluster({
          name: demoClusterName,
        });
        expect(cluster.name).toBe(DEMO_CLUSTER);
        await expectGrpcError(
          plainWrong.getCluster({ name: demoClusterName }),
          grpc.status.UNAUTHENTICATED,
        );
        const [list] = await openClient.listClusters({ parent });
        expect(list.clusters).toEqual([]);
      } finally {
        await Promise.all([
          plainClient.close(),
          plainWrong.close(),
          openClient.close(),
        ]);
        await Promise.all([plain.stop(), open.stop()]);
      }
    });
  });

  describe('faults', () => {
    it('delays a call by the injected latency', async () => {
      emulator.faults.add({ method: 'GetCluster', latencyMs: 150, times: 1 });
      const started = process.hrtime.bigint();
      const [cluster] = await client.getCluster({ name: demoClusterName });
      const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;
      expect(cluster.name).toBe(DEMO_CLUSTER);
      expect(elapsedMs).toBeGreaterThanOrEqual(140);
    });

    it('lets the client retry past UNAVAILABLE on an idempotent call', async () => {
      emulator.faults.add({ method: 'ListClusters', status: 503, times: 2 });
      const [list] = await client.listClusters({ parent });
      expect(list.clusters?.map(c => c.name)).toContain(DEMO_CLUSTER);
      expect(emulator.faults.match('ListClusters', '')).toBeUndefined();
    });

    it('returns RESOURCE_EXHAUSTED with RetryInfo', async () => {
      emulator.faults.add({
        method: 'GetCluster',
        status: 429,
        retryAfterSeconds: 7,
        times: 1,
      });
      const error = await expectGrpcError(
        client.getCluster({ name: demoClusterName }),
        grpc.status.RESOURCE_EXHAUSTED,
      );
      expect(error.details).toContain('Quota exceeded');
      // google-gax decodes the grpc-status-details-bin trailer into protobuf message objects.
      const details = (error.statusDetails ?? []) as Array<{
        retryDelay?: { seconds?: unknown };
      }>;
      expect(details).toHaveLength(1);
      expect(String(details[0].retryDelay?.seconds)).toBe('7');
    });

    it('maps 500 to INTERNAL', async () => {
      emulator.faults.add({ method: 'GetNodePool', status: 500, times: 1 });
      const error = await expectGrpcError(
        client.getNodePool({
          name: `${demoClusterName}/nodePools/${DEMO_GPU_POOL}`,
        }),
        grpc.status.INTERNAL,
      );
      expect(error.details).toBe('Internal error encountered.');
    });

    it('drops the connection on reset; the next call reconnects', async () => {
      emulator.faults.add({ method: 'CreateCluster', reset: true, times: 1 });
      const dropped = await expectGrpcError(
        client.createCluster({ parent, cluster: { name: 'reset-victim' } }),
        grpc.status.UNAVAILABLE,
      );
      // grpc-js reports a connection that vanished mid-call this way.
      expect(dropped.details).toBe('Connection dropped');
      const [list] = await client.listClusters({ parent });
      expect(list.clusters?.map(c => c.name)).not.toContain('reset-victim');
    });

    it('hangs until the client deadline', async () => {
      emulator.faults.add({ method: 'GetCluster', hang: true, times: 1 });
      await expectGrpcError(
        client.getCluster(
          { name: demoClusterName },
          { timeout: 300, retry: { retryCodes: [] } },
        ),
        grpc.status.DEADLINE_EXCEEDED,
      );
      const [cluster] = await client.getCluster({ name: demoClusterName });
      expect(cluster.status).toBe('RUNNING');
    });
  });
});

describe('GKE emulator on the system clock', () => {
  it('finishes a create operation after three short steps', async () => {
    const emulator = await startGkeEmulator({
      fixtures: 'empty',
      operationStepMs: 5,
    });
    const client = createEmulatorClusterManagerClient(emulator);
    try {
      const [op] = await client.createCluster({
        parent,
        cluster: { name: 'quick' },
      });
      let status = op.status;
      for (let attempt = 0; attempt < 200 && status !== 'DONE'; attempt++) {
        await new Promise(resolve => setTimeout(resolve, 10));
        status = (
          await client.getOperation({ name: `${parent}/operations/${op.name}` })
        )[0].status;
      }
      expect(status).toBe('DONE');
      expect(
        (await client.getCluster({ name: `${parent}/clusters/quick` }))[0]
          .status,
      ).toBe('RUNNING');
    } finally {
      await client.close();
      await emulator.stop();
    }
  });
});
