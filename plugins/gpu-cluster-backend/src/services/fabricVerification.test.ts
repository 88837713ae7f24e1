import { BatchV1Api, KubeConfig } from '@kubernetes/client-node';
import { mockServices } from '@backstage/backend-test-utils';
import type { DatabaseService } from '@backstage/backend-plugin-api';
import {
  demoNodePools,
  ManualClock,
  startKubeEmulator,
  type KubeEmulator,
} from '@gpu-platform/emulators';
import { NCCL_TEST_JOB_NAME } from '@gpu-platform/backstage-plugin-gpu-cluster-node';
import knexFactory, { type Knex } from 'knex';
import { ClusterWatcher } from './ClusterWatcher';
import { DefaultClusterStatusService } from './ClusterStatusService';
import { validateResponse } from '../__testUtils__/validateResponse';
import { FabricVerificationStore } from './FabricVerificationStore';
import {
  fabricVerificationFlag,
  FabricVerificationRecorder,
  type VerificationSource,
} from './fabricVerification';

jest.setTimeout(60_000);

const NS = 'default';

/** The verification Job as the stack renders it, in the demo cluster's DWS queue. */
function verificationJob() {
  return {
    metadata: {
      name: NCCL_TEST_JOB_NAME,
      labels: { 'kueue.x-k8s.io/queue-name': 'dws-local-queue' },
    },
    spec: {
      completionMode: 'Indexed',
      completions: 2,
      parallelism: 2,
      backoffLimit: 0,
      template: {
        spec: {
          restartPolicy: 'Never',
          containers: [
            {
              name: 'nccl-test',
              image: 'nccl-plugin-gib-diagnostic',
              command: ['/bin/bash', '-c'],
              args: ['mpirun all_gather_perf -b 1K -e 8G -f 2 -g 1'],
              env: [
                { name: 'JOB_NAME', value: NCCL_TEST_JOB_NAME },
                { name: 'NODES', value: '2' },
                { name: 'GPUS_PER_NODE', value: '8' },
                { name: 'MIN_BUS_BW', value: '240' },
              ],
              resources: { limits: { 'nvidia.com/gpu': '8' } },
            },
          ],
        },
      },
    },
  };
}

async function waitFor(check: () => boolean, what: string, ms = 10_000) {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise(r => setTimeout(r, 50));
  }
}

describe('FabricVerificationRecorder (emulated cluster, SQLite)', () => {
  let kube: KubeEmulator;
  let clock: ManualClock;
  let batch: BatchV1Api;
  let db: Knex;
  let watcher: ClusterWatcher;
  let reads = 0;
  const podLists: [string, string, number][] = [];
  let source: VerificationSource;

  beforeAll(async () => {
    clock = new ManualClock();
    kube = await startKubeEmulator({ clock, fixtures: 'demo' });
    const kc = new KubeConfig();
    kc.loadFromString(kube.kubeconfig());
    batch = kc.makeApiClient(BatchV1Api);
    db = knexFactory({
      client: 'better-sqlite3',
      connection: ':memory:',
      useNullAsDefault: true,
    });
    watcher = new ClusterWatcher({
      clusterName: 'demo',
      connection: { url: kube.url, caData: kube.caPem, token: kube.token },
      logger: mockServices.logger.mock(),
    });
    await watcher.ready();
    source = {
      snapshot: () => watcher.snapshot(),
      listPods: (...args) => {
        podLists.push(args);
        return watcher.listPods(...args);
      },
      readPodLog: (...args) => {
        reads++;
        return watcher.readPodLog(...args);
      },
    };
  });
  afterAll(async () => {
    await watcher?.stop();
    await db?.destroy();
    await Promise.race([
      kube?.stop(),
      new Promise(resolve => setTimeout(resolve, 3000).unref()),
    ]);
  });

  const database = () =>
    ({ getClient: async () => db } as unknown as DatabaseService);

  async function runVerification(expected: 'Complete' | 'Failed') {
    await batch
      .deleteNamespacedJob({
        name: NCCL_TEST_JOB_NAME,
        namespace: NS,
        propagationPolicy: 'Background',
      })
      .catch(() => undefined);
    // The previous run's nodes scale down once unneeded (10 min), freeing the DWS pool.
    kube.scenarios.engine.runFor(11 * 60_000, 5000);
    const job = await batch.createNamespacedJob({
      namespace: NS,
      body: verificationJob(),
    });
    const uid = job.metadata!.uid!;
    kube.scenarios.engine.runFor(200_000);
    await waitFor(
      () =>
        watcher
          .snapshot()
          .jobs.some(
            j =>
              j.metadata.uid === uid &&
              (j.status?.conditions ?? []).some(
                (c: any) => c.type === expected && c.status === 'True',
              ),
          ),
      `job ${expected} in the informer`,
    );
    return uid;
  }

  it('reads the healthy run once across two replicas, then keeps a degraded run beside it', async () => {
    const store = await FabricVerificationStore.create(database());
    const replicaA = new FabricVerificationRecorder({
      store,
      logger: mockServices.logger.mock(),
    });
    const replicaB = new FabricVerificationRecorder({
      store: new FabricVerificationStore(db),
      logger: mockServices.logger.mock(),
    });

    const healthyUid = await runVerification('Complete');
    replicaA.observe('demo', source);
    replicaB.observe('demo', source);
    await Promise.all([replicaA.settled(), replicaB.settled()]);
    expect(reads).toBe(1);
    // The finished Job's pods are not in the live-pods informer: one bounded list by its uid.
    expect(
      watcher
        .snapshot()
        .pods.filter(
          p =>
            p.metadata.labels?.['batch.kubernetes.io/controller-uid'] ===
            healthyUid,
        ),
    ).toEqual([]);
    expect(podLists).toEqual([
      [NS, `batch.kubernetes.io/controller-uid=${healthyUid}`, 50],
    ]);
    // Seen again on later assemblies: no further read.
    replicaA.observe('demo', source);
    replicaB.observe('demo', source);
    await Promise.all([replicaA.settled(), replicaB.settled()]);
    expect(reads).toBe(1);

    const healthy = (await replicaB.summary('demo'))!;
    expect(healthy.latest).toMatchObject({
      jobUid: healthyUid,
      jobOutcome: 'Complete',
      verdict: 'pass',
      thresholdGBps: 240,
      transport: { name: 'NET/gIB', kind: 'rdma' },
      largestSizeBytes: 8589934592,
    });
    expect(healthy.latest!.sizes).toHaveLength(24);
    expect(healthy.latest!.busBandwidthGBps).toBeGreaterThan(300);
    expect(fabricVerificationFlag(healthy.latest)).toBeUndefined();

    // Degraded fabric: the gIB plugin is missing on the GPU pools' nodes, NCCL falls back to TCP.
    for (const pool of demoNodePools())
      kube.scenarios.controllers!.setRdmaFabric(pool.name, 'socket-fallback');
    const degradedUid = await runVerification('Failed');
    replicaA.observe('demo', source);
    await replicaA.settled();
    expect(reads).toBe(2);
    const degraded = (await replicaA.summary('demo'))!;
    expect(degraded.latest).toMatchObject({
      jobUid: degradedUid,
      jobOutcome: 'Failed',
      verdict: 'fail',
      transport: { name: 'NET/Socket', kind: 'socket' },
    });
    expect(degraded.latest!.busBandwidthGBps).toBeLessThan(20);
    expect(degraded.previous).toEqual([
      expect.objectContaining({ jobUid: healthyUid, verdict: 'pass' }),
    ]);
    expect(fabricVerificationFlag(degraded.latest)).toMatchObject({
      severity: 'error',
      code: 'FabricVerificationFailed',
      message: expect.stringMatching(
        /^NCCL ran over NET\/Socket \(TCP\), not RDMA/,
      ),
      fix: expect.stringContaining('NCCL RDMA installer'),
    });

    // The status service serves the runs and the flag, in the documented shape.
    const service = new DefaultClusterStatusService({
      config: {
        clusters: [],
        statusCacheTtlMs: 60_000,
        gkeCacheTtlMs: 60_000,
        discovery: 'none',
        discoveryAllowList: [],
        gke: {},
      },
      logger: mockServices.logger.mock(),
      cache: mockServices.cache.mock(),
      verifications: replicaA,
    });
    try {
      const status = await service.getStatus('resource:default/demo', {
        name: 'demo',
        entityRef: 'resource:default/demo',
        kubernetes: { url: kube.url, caData: kube.caPem, token: kube.token },
      });
      expect(status.fabricVerification?.latest?.jobUid).toBe(degradedUid);
      expect(status.flags.items).toContainEqual(
        expect.objectContaining({ code: 'FabricVerificationFailed' }),
      );
      expect(reads).toBe(2);
      validateResponse('/clusters/{namespace}/{name}/status', 200, status);
    } finally {
      await service.stop();
    }
  });

  it('takes over a claim a dead replica left reading, and only then', async () => {
    let now = Date.parse('2026-11-29T10:00:00Z');
    const store = new FabricVerificationStore(db, () => now);
    const job = { clusterKey: 'c2', uid: 'u-1', namespace: NS, name: 'x' };
    expect(await store.claim(job)).toBe(true);
    expect(await store.claim(job)).toBe(false);
    now += 3 * 60_000;
    expect(await store.claim(job)).toBe(true);
    await store.fail(job, 'pods "x" is forbidden');
    now += 3 * 60_000;
    expect(await store.claim(job)).toBe(false);
    expect(await store.runs('c2')).toEqual([]);
  });
});
