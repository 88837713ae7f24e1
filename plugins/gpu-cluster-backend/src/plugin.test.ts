import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  DEMO,
  ManualClock,
  OUTCOME_ANNOTATION,
  QUEUE_LABEL,
  denyGoogleCredentialDiscovery,
  startGkeEmulator,
  startKubeEmulator,
  type GkeEmulator,
  type KubeEmulator,
} from '@gpu-platform/emulators';
import type {
  ClusterStatus,
  GpuFleet,
  NodeStatus,
  ProvisioningRequestStatus,
  WorkloadExplanation,
  WorkloadStatus,
} from '@gpu-platform/backstage-plugin-gpu-cluster-common';
import request from 'supertest';
import { gpuClusterPlugin } from './plugin';
import { validateResponse } from './__testUtils__/validateResponse';
import { SUMMARY_HEAD_LIMIT } from './services/summarize';

denyGoogleCredentialDiscovery();
// Starting two emulators and a backend takes a while on a loaded machine (setupTests says 60 s).
jest.setTimeout(60_000);

const entity = (name: string, clusterName: string) => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Resource',
  metadata: {
    name,
    namespace: 'default',
    annotations: { 'gpu-platform.dev/cluster-name': clusterName },
  },
  spec: { type: 'kubernetes-cluster', owner: 'group:default/platform-team' },
});

const entities = [
  entity(DEMO.cluster, DEMO.cluster),
  entity('offline-cluster', 'offline'),
  entity('unconfigured', 'nowhere'),
  // Registered by anyone, naming the demo cluster in its annotation.
  entity('look-alike', DEMO.cluster),
];
/** A cluster the signed-in (mock) user owns: first on the fleet page. */
const myCluster = {
  ...entity('my-cluster', 'mine'),
  spec: { type: 'kubernetes-cluster', owner: 'user:default/mock' },
};
/** Not a GPU cluster: no cluster-name annotation, so not on the fleet page. */
const plainCluster = {
  ...entity('plain-cluster', 'x'),
  metadata: { name: 'plain-cluster', namespace: 'default' },
};
const fleetEntities = [...entities, myCluster, plainCluster];

function configFor(kube: KubeEmulator, gke: GkeEmulator) {
  return {
    gpuCluster: {
      // Scenario tests read fresh state; the cache behaviour is measured by the bench.
      statusCacheTtlSeconds: 0.001,
      gkeCacheTtlSeconds: 0.001,
      clusters: [
        {
          name: DEMO.cluster,
          kubernetes: { url: kube.url, caData: kube.caPem, token: kube.token },
          gke: {
            projectId: DEMO.project,
            location: DEMO.region,
            endpoint: {
              host: gke.host,
              port: gke.port,
              caData: gke.caCertPem,
              token: gke.token,
            },
          },
        },
        {
          name: 'offline',
          entityRef: 'resource:default/offline-cluster',
          kubernetes: { url: 'https://127.0.0.1:1', token: 'x' },
          gke: {
            projectId: DEMO.project,
            location: DEMO.region,
            endpoint: { host: '127.0.0.1', port: 1 },
          },
        },
      ],
    },
  };
}

/** Polls the backend until `check` passes; bounded, and drives the emulator's scripted clock. */
async function eventually<T>(
  read: () => Promise<T>,
  check: (value: T) => boolean,
  timeoutMs = 8000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = await read();
  while (!check(last)) {
    if (Date.now() > deadline) {
      throw new Error(
        `condition not met; last value: ${JSON.stringify(last).slice(0, 2000)}`,
      );
    }
    await new Promise(r => setTimeout(r, 50));
    last = await read();
  }
  return last;
}

describe('gpu-cluster backend against the emulators', () => {
  let kube: KubeEmulator;
  let gke: GkeEmulator;
  let backend: Awaited<ReturnType<typeof startTestBackend>>;
  const clock = new ManualClock();

  beforeAll(async () => {
    kube = await startKubeEmulator({ fixtures: 'demo', clock });
    gke = await startGkeEmulator({ fixtures: 'demo', clock });
    backend = await startTestBackend({
      features: [
        gpuClusterPlugin,
        mockServices.rootConfig.factory({ data: configFor(kube, gke) }),
        catalogServiceMock.factory({ entities: fleetEntities }),
      ],
    });
  });

  afterAll(async () => {
    await backend?.stop();
    await kube?.stop();
    await gke?.stop();
  });

  const statusPath = `/api/gpu-cluster/clusters/default/${DEMO.cluster}/status`;
  const getStatus = async () => {
    const res = await request(backend.server).get(statusPath);
    expect(res.status).toBe(200);
    return res.body as ClusterStatus;
  };
  const clusterPath = `/api/gpu-cluster/clusters/default/${DEMO.cluster}`;
  /** A whole list of the demo cluster (small: one page of 500). */
  const listAll = async <T>(list: string, query = '') => {
    const res = await request(backend.server).get(
      `${clusterPath}/${list}?limit=500&${query}`,
    );
    expect(res.status).toBe(200);
    return res.body.items as T[];
  };
  /** Why a job's Workload is (not) running, asked of the explain endpoint as the tab does. */
  const whyOf = async (job: string) => {
    const [workload] = await listAll<WorkloadStatus>(
      'workloads',
      `owner=${job}`,
    );
    if (!workload) return undefined;
    const res = await request(backend.server).get(
      `${clusterPath}/workloads/${workload.namespace}/${workload.name}/explain`,
    );
    return res.status === 200 ? (res.body as WorkloadExplanation) : undefined;
  };

  it('answers the demo cluster status from Kubernetes and GKE', async () => {
    const res = await request(backend.server).get(statusPath);
    expect(res.status).toBe(200);
    validateResponse('/clusters/{namespace}/{name}/status', 200, res.body);
    const status = res.body as ClusterStatus;
    expect(status.entityRef).toBe(`resource:default/${DEMO.cluster}`);
    expect(status.sources).toEqual([
      expect.objectContaining({ name: 'kubernetes', ok: true }),
      expect.objectContaining({ name: 'gke', ok: true }),
    ]);
    expect(status.gke?.status).toBe('RUNNING');
    const pool = status.gke?.nodePools.find(p => p.name === DEMO.nodePool);
    expect(pool).toMatchObject({
      machineType: DEMO.machineType,
      acceleratorType: DEMO.accelerator,
      acceleratorCount: 8,
      flexStart: true,
      queuedProvisioning: true,
      nodeCount: 2,
    });
    expect(pool?.additionalNetworks).toHaveLength(9);
    expect(status.summary.gpusCapacity).toBe(16);
    expect(
      status.nodePools.find(p => p.nodePool === DEMO.nodePool),
    ).toMatchObject({ nodes: 2, readyNodes: 2, gpus: { capacity: 16 } });
    // The long lists are not in the summary: they are paged.
    for (const list of ['nodes', 'workloads', 'provisioningRequests']) {
      expect(status).not.toHaveProperty(list);
    }
    const nodes = await listAll<NodeStatus>('nodes');
    expect(nodes.filter(n => n.nodePool === DEMO.nodePool)).toHaveLength(2);
    expect(nodes.find(n => n.nodePool === DEMO.nodePool)?.networks).toContain(
      'rdma-0',
    );
    const cq = status.clusterQueues.find(q => q.name === DEMO.clusterQueue);
    expect(cq).toMatchObject({
      active: true,
      admissionChecks: [DEMO.admissionCheck],
    });
    expect(cq?.resources[0]).toMatchObject({
      flavor: DEMO.resourceFlavor,
      resource: 'nvidia.com/gpu',
      reserved: '16',
    });
    expect(
      status.localQueues.find(q => q.name === DEMO.localQueue)
        ?.pendingWorkloads,
    ).toBe(1);
    const provisioningRequests = await listAll<ProvisioningRequestStatus>(
      'provisioningrequests',
    );
    const waiting = provisioningRequests.find(p =>
      p.name.includes('llama-finetune-waiting'),
    );
    expect(waiting).toMatchObject({
      state: 'Accepted',
      reason: 'ResourcePoolExhausted',
      message: expect.stringContaining('Waiting for resources'),
    });
    const provisioned = provisioningRequests.find(p =>
      p.name.includes('nccl-allreduce-test'),
    );
    expect(provisioned).toMatchObject({
      state: 'Provisioned',
      details: { nodePool: DEMO.nodePool, selectedZone: DEMO.zone },
    });
    expect(status.rayClusters[0]).toMatchObject({
      name: DEMO.rayCluster,
      state: 'ready',
      headServiceName: `${DEMO.rayCluster}-head-svc`,
      dashboardUrl: `http://${DEMO.rayCluster}-head-svc.${DEMO.rayNamespace}.svc.cluster.local:8265`,
    });
    expect(status.rayJobs[0]).toMatchObject({
      name: DEMO.rayJob,
      jobStatus: 'RUNNING',
    });
    expect(status.explanations).toMatchObject({
      limit: SUMMARY_HEAD_LIMIT,
      total: 2,
    });
    const why = status.explanations.items.find(
      e => e.job === 'llama-finetune-waiting',
    );
    expect(why).toMatchObject({
      verdict: 'WaitingForCapacity',
      severity: 'info',
    });
    expect(why?.steps.map(s => s.kind)).toEqual([
      'Job',
      'Workload',
      'AdmissionCheck',
      'ProvisioningRequest',
    ]);
  });

  it('explains one workload through its own endpoint', async () => {
    const running = (await listAll<WorkloadStatus>('workloads')).find(w =>
      w.name.includes('nccl-allreduce-test'),
    )!;
    const res = await request(backend.server).get(
      `/api/gpu-cluster/clusters/default/${DEMO.cluster}/workloads/default/${running.name}/explain`,
    );
    expect(res.status).toBe(200);
    validateResponse(
      '/clusters/{namespace}/{name}/workloads/{workloadNamespace}/{workloadName}/explain',
      200,
      res.body,
    );
    expect(res.body.verdict).toMatch(/Running|Starting/);
    expect(res.body.clocks).toEqual([
      expect.objectContaining({ kind: 'maxRunDuration' }),
    ]);
    const missing = await request(backend.server).get(
      `/api/gpu-cluster/clusters/default/${DEMO.cluster}/workloads/default/nope/explain`,
    );
    expect(missing.status).toBe(404);
    validateResponse(
      '/clusters/{namespace}/{name}/workloads/{workloadNamespace}/{workloadName}/explain',
      404,
      missing.body,
    );
  });

  const submit = (
    name: string,
    options: { outcome?: string; queue?: string } = {},
  ) =>
    kube.client.upsert({
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: {
        name,
        namespace: DEMO.queueNamespace,
        labels: { [QUEUE_LABEL]: options.queue ?? DEMO.localQueue },
        annotations: options.outcome
          ? { [OUTCOME_ANNOTATION]: options.outcome }
          : {},
      },
      spec: {
        parallelism: 1,
        template: {
          spec: {
            restartPolicy: 'Never',
            containers: [
              {
                name: 'main',
                image: 'busybox',
                resources: { limits: { 'nvidia.com/gpu': '8' } },
              },
            ],
          },
        },
      },
    });

  /** What each outcome must show besides its verdict. */
  const expectedFacts: Record<string, Record<string, unknown>> = {
    Running: { severity: 'info', runningOnNode: true },
    BookingExpired: {
      severity: 'warning',
      provisioningState: 'BookingExpired',
    },
    ProvisioningFailed: {
      severity: 'error',
      zoneNamed: true,
      provisioningState: 'Failed',
      provisioningReason: 'ResourcePoolExhausted',
      // Kueue v0.19 resets the check to Pending after eviction, so the stuck-Retry state of
      // kueue#5129/#3322 (the RetryWithoutRequeue flag) does not arise here.
      retryFlag: false,
    },
    CapacityRevoked: {
      severity: 'error',
      provisioningState: 'CapacityRevoked',
    },
  };
  const factsOf = (why: WorkloadExplanation, status: ClusterStatus) => {
    const pr = why.steps.find(s => s.kind === 'ProvisioningRequest');
    return {
      severity: why.severity,
      runningOnNode: why.steps.some(s => s.kind === 'Node' && s.ok),
      zoneNamed: why.summary.includes(DEMO.zone),
      provisioningState: pr?.state,
      provisioningReason: pr?.reason,
      retryFlag: status.flags.items.some(
        f =>
          f.code === 'RetryWithoutRequeue' && f.subject.includes(why.workload),
      ),
    };
  };

  it.each([
    ['provisioned', 'Running', 75_000],
    ['booking-expired', 'BookingExpired', 15 * 60_000],
    ['failed', 'ProvisioningFailed', 60_000],
    ['capacity-revoked', 'CapacityRevoked', 3 * 60_000],
  ])('explains the %s outcome as %s', async (outcome, verdict, runMs) => {
    const job = `scenario-${outcome}`;
    submit(job, { outcome });
    kube.scenarios.engine.runFor(3000);
    const pending = await eventually(
      () => whyOf(job),
      w => w?.verdict === 'WaitingForCapacity',
    );
    expect(pending?.summary).toContain('Waiting for resources');
    kube.scenarios.engine.runFor(runMs, 5000);
    const why = (await eventually(
      () => whyOf(job),
      w => w?.verdict === verdict,
    ))!;
    expect(why.summary.length).toBeGreaterThan(20);
    expect(factsOf(why, await getStatus())).toMatchObject(
      expectedFacts[verdict],
    );
  });

  it('explains a job sent to a LocalQueue whose ClusterQueue does not exist', async () => {
    kube.client.upsert({
      apiVersion: 'kueue.x-k8s.io/v1beta2',
      kind: 'LocalQueue',
      metadata: { name: 'orphan-queue', namespace: DEMO.queueNamespace },
      spec: { clusterQueue: 'no-such-cluster-queue' },
    });
    submit('scenario-orphan', { queue: 'orphan-queue' });
    kube.scenarios.engine.runFor(3000);
    const why = await eventually(
      () => whyOf('scenario-orphan'),
      w => w?.verdict === 'QueueMissing',
    );
    expect(why?.summary).toContain('no-such-cluster-queue');
    const status = await getStatus();
    expect(status.flags.items.some(f => f.code === 'LocalQueueInactive')).toBe(
      true,
    );
  });

  it('keeps serving after a dropped watch and answers partially when GKE fails', async () => {
    kube.faults.add({ path: /workloads/, dropWatchAfterMs: 1, times: 1 });
    submit('scenario-after-drop');
    kube.scenarios.engine.runFor(3000);
    await eventually(() => whyOf('scenario-after-drop'), Boolean);
    const removeFault = gke.faults.add({ method: 'GetCluster', status: 503 });
    try {
      const res = await request(backend.server).get(statusPath);
      expect(res.status).toBe(200);
      validateResponse('/clusters/{namespace}/{name}/status', 200, res.body);
      expect(res.body.gke).toBeUndefined();
      expect(res.body.sources).toEqual([
        expect.objectContaining({ name: 'kubernetes', ok: true }),
        expect.objectContaining({
          name: 'gke',
          ok: false,
          error: expect.stringContaining('gke'),
        }),
      ]);
      expect(res.body.nodePools.length).toBeGreaterThan(0);
    } finally {
      removeFault();
    }
  });

  it('serves workloads, ProvisioningRequests and nodes one filtered, sorted page at a time', async () => {
    const base = `/api/gpu-cluster/clusters/default/${DEMO.cluster}`;
    const page = async (list: string, query: string) => {
      const res = await request(backend.server).get(`${base}/${list}?${query}`);
      expect(res.status).toBe(200);
      validateResponse(`/clusters/{namespace}/{name}/${list}`, 200, res.body);
      return res.body as {
        items: any[];
        total: number;
        offset: number;
        limit: number;
      };
    };
    const status = await getStatus();
    const all = await page('workloads', 'limit=500');
    expect(all.total).toBe(all.items.length);
    expect(all.total).toBeGreaterThanOrEqual(2);
    const keys = all.items.map(w => `${w.namespace}/${w.name}`);
    expect(keys).toEqual([...keys].sort((a, b) => a.localeCompare(b)));
    const first = await page('workloads', 'limit=1');
    const second = await page('workloads', 'limit=1&offset=1');
    expect([first.items.length, first.total, second.offset]).toEqual([
      1,
      all.total,
      1,
    ]);
    expect(second.items[0].name).toBe(all.items[1].name);
    const last = await page('workloads', 'limit=1&order=desc');
    expect(last.items[0].name).toBe(all.items.at(-1)!.name);
    // The unfinished ones are the workloads the summary's head of explanations counts.
    const unfinished = await page('workloads', 'unfinished=true&limit=500');
    expect(unfinished.items.every(w => w.phase !== 'Finished')).toBe(true);
    expect(unfinished.total).toBe(status.explanations.total);
    const finished = await page('workloads', 'unfinished=false&limit=500');
    expect(finished.total + unfinished.total).toBe(all.total);
    const waiting = await page(
      'workloads',
      `namespace=${DEMO.queueNamespace}&queue=${DEMO.localQueue}&state=QuotaReserved`,
    );
    expect(waiting.total).toBeGreaterThan(0);
    expect(
      waiting.items.every(
        w =>
          w.phase === 'QuotaReserved' &&
          w.namespace === DEMO.queueNamespace &&
          w.queueName === DEMO.localQueue,
      ),
    ).toBe(true);
    const byGpus = await page('workloads', 'sort=gpus&order=desc&limit=500');
    const gpus = byGpus.items.map(w => w.gpus);
    expect(gpus).toEqual([...gpus].sort((a, b) => b - a));
    const accepted = await page('provisioningrequests', 'state=Accepted');
    expect(accepted.items.map(p => p.state)).not.toContain('Provisioned');
    expect(accepted.items.some(p => p.name.includes('llama'))).toBe(true);
    const poolNodes = await page(
      'nodes',
      `nodePool=${DEMO.nodePool}&state=ready`,
    );
    expect(poolNodes.total).toBe(2);
  });

  it('refuses bad list queries with 400 naming the parameter', async () => {
    const base = `/api/gpu-cluster/clusters/default/${DEMO.cluster}`;
    for (const [query, named] of [
      ['limit=0', 'limit'],
      ['limit=501', 'limit'],
      ['offset=-1', 'offset'],
      ['state=Bogus', 'state'],
      ['sort=password', 'sort'],
      ['namespace=..%2Fetc', 'namespace'],
      ['queue[$ne]=x', 'queue'],
      ['selector=app', 'selector'],
      ['unfinished=yes', 'unfinished'],
      ['owner=Job%2Fx', 'owner'],
    ]) {
      const res = await request(backend.server).get(
        `${base}/workloads?${query}`,
      );
      expect({ query, status: res.status }).toEqual({ query, status: 400 });
      validateResponse('/clusters/{namespace}/{name}/workloads', 400, res.body);
      expect(res.body.error.message).toContain(named);
    }
  });

  it('answers 503 naming the sources when a cluster is unreachable', async () => {
    const res = await request(backend.server).get(
      '/api/gpu-cluster/clusters/default/offline-cluster/status',
    );
    expect(res.status).toBe(503);
    validateResponse('/clusters/{namespace}/{name}/status', 503, res.body);
    expect(res.body.error.message).toMatch(
      /kubernetes https:\/\/127\.0\.0\.1:1.*gke/,
    );
    expect(JSON.stringify(res.body)).not.toContain(kube.token);
  });

  it("refuses an entity that names the demo cluster in its annotations: not the demo cluster's status", async () => {
    const res = await request(backend.server).get(
      '/api/gpu-cluster/clusters/default/look-alike/status',
    );
    expect(res.status).toBe(403);
    validateResponse('/clusters/{namespace}/{name}/status', 403, res.body);
    expect(res.body.error).toEqual({
      name: 'ClusterAccessError',
      reason: 'BOUND_TO_OTHER_ENTITY',
      statusCode: 403,
      configKey: 'gpuCluster.clusters[].entityRef',
      message: `Cluster ${DEMO.cluster} is configured for resource:default/${DEMO.cluster}, not resource:default/look-alike: its status is served there only`,
    });
    expect(res.body.nodes).toBeUndefined();
    expect(res.body.clusterQueues).toBeUndefined();
  });

  it('lists the fleet: every GPU cluster, theirs first, an unreadable cluster a row with its reason', async () => {
    const res = await request(backend.server).get('/api/gpu-cluster/fleet');
    expect(res.status).toBe(200);
    validateResponse('/fleet', 200, res.body);
    const fleet = res.body as GpuFleet;
    expect(fleet.total).toBe(5);
    expect(fleet.clusters.map(c => [c.entityRef, c.mine])).toEqual([
      ['resource:default/my-cluster', true],
      [`resource:default/${DEMO.cluster}`, false],
      ['resource:default/look-alike', false],
      ['resource:default/offline-cluster', false],
      ['resource:default/unconfigured', false],
    ]);
    const byName = Object.fromEntries(
      fleet.clusters.map(c => [c.entityRef.split('/')[1], c]),
    );
    // The demo cluster's figures are the tab's.
    const status = await getStatus();
    expect(byName[DEMO.cluster]).toMatchObject({
      gkeStatus: 'RUNNING',
      projectId: DEMO.project,
      location: DEMO.region,
      summary: status.summary,
      flagCount: status.flags.total,
    });
    expect(byName[DEMO.cluster].error).toBeUndefined();
    expect(byName[DEMO.cluster].summary?.gpusCapacity).toBe(16);
    // The others say why, with the status API's reasons; nothing secret.
    expect(byName['look-alike'].error?.reason).toBe('BOUND_TO_OTHER_ENTITY');
    expect(byName['offline-cluster'].error?.reason).toBe('UNREACHABLE');
    expect(byName.unconfigured.error?.reason).toBe('NOT_CONFIGURED');
    expect(byName['my-cluster'].error?.reason).toBe('NOT_CONFIGURED');
    expect(byName.unconfigured.summary).toBeUndefined();
    expect(JSON.stringify(fleet)).not.toContain(kube.token);
    const anonymous = await request(backend.server)
      .get('/api/gpu-cluster/fleet')
      .set('Authorization', mockCredentials.none.header());
    expect(anonymous.status).toBe(401);
  });

  it("lists a Ray cluster's jobs from its dashboard, through the API server's service proxy", async () => {
    const jobsPath = `${clusterPath}/ray/${DEMO.rayNamespace}/${DEMO.rayCluster}/jobs`;
    const res = await request(backend.server).get(jobsPath);
    expect(res.status).toBe(200);
    validateResponse(
      '/clusters/{namespace}/{name}/ray/{rayNamespace}/{rayName}/jobs',
      200,
      res.body,
    );
    expect(res.body).toMatchObject({
      namespace: DEMO.rayNamespace,
      rayCluster: DEMO.rayCluster,
      total: 1,
      jobs: [
        {
          type: 'SUBMISSION',
          status: 'RUNNING',
          submissionId: expect.stringMatching(new RegExp(`^${DEMO.rayJob}-`)),
        },
      ],
    });
    // Only RayClusters the status saw; names checked before anything is read.
    const unknown = await request(backend.server).get(
      `${clusterPath}/ray/${DEMO.rayNamespace}/nope/jobs`,
    );
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.message).toBe(
      `No RayCluster ${DEMO.rayNamespace}/nope in resource:default/${DEMO.cluster}`,
    );
    for (const bad of ['..', 'UPPER', 'a%2Fb']) {
      const res400 = await request(backend.server).get(
        `${clusterPath}/ray/${bad}/${DEMO.rayCluster}/jobs`,
      );
      expect({ bad, status: res400.status }).toEqual({ bad, status: 400 });
    }
  });

  it('says why when the Ray dashboard cannot be read: the service proxy denied', async () => {
    const jobsPath = `${clusterPath}/ray/${DEMO.rayNamespace}/${DEMO.rayCluster}/jobs`;
    const unforbid = kube.authorizer.forbid({
      resource: 'services',
      namespace: DEMO.rayNamespace,
      verb: 'get',
      name: `${DEMO.rayCluster}-head-svc:8265`,
    });
    try {
      const denied = await request(backend.server).get(jobsPath);
      expect(denied.status).toBe(403);
      expect(denied.body.error.message).toContain(
        'The status identity may not read',
      );
      expect(JSON.stringify(denied.body)).not.toContain(kube.token);
    } finally {
      unforbid();
    }
  });

  it('answers 400 for malformed or oversized names, without a stack trace', async () => {
    for (const name of ['a%20b', 'x'.repeat(300), '..', '-lead', 'a;b']) {
      const res = await request(backend.server).get(
        `/api/gpu-cluster/clusters/default/${name}/status`,
      );
      expect({ name, status: res.status }).toEqual({ name, status: 400 });
      expect(res.body.error.reason).toBe('INVALID_REFERENCE');
      expect(JSON.stringify(res.body)).not.toMatch(/\\n\s+at |node_modules/);
    }
  });

  it('answers 404 for unknown or unconfigured entities and 401 without credentials', async () => {
    const unknown = await request(backend.server).get(
      '/api/gpu-cluster/clusters/default/nope/status',
    );
    expect(unknown.status).toBe(404);
    const unconfigured = await request(backend.server).get(
      '/api/gpu-cluster/clusters/default/unconfigured/status',
    );
    expect(unconfigured.status).toBe(404);
    expect(unconfigured.body.error).toMatchObject({
      reason: 'NOT_CONFIGURED',
      configKey: 'gpuCluster.clusters',
    });
    const anonymous = await request(backend.server)
      .get(statusPath)
      .set('Authorization', mockCredentials.none.header());
    expect(anonymous.status).toBe(401);
  });
});

describe('gpu-cluster backend when one kind fails', () => {
  let kube: KubeEmulator;
  let gke: GkeEmulator;

  beforeAll(async () => {
    kube = await startKubeEmulator({
      fixtures: 'demo',
      scenarios: { enabled: false },
    });
    gke = await startGkeEmulator({ fixtures: 'demo' });
  });

  afterEach(() => kube.faults.clear());

  afterAll(async () => {
    await kube?.stop();
    await gke?.stop();
  });

  /** A backend of its own, so its informers start while the fault is in place. */
  async function withBackend(
    use: (
      get: () => Promise<ClusterStatus>,
      total: (list: string) => Promise<number>,
    ) => Promise<void>,
  ) {
    const backend = await startTestBackend({
      features: [
        gpuClusterPlugin,
        mockServices.rootConfig.factory({ data: configFor(kube, gke) }),
        catalogServiceMock.factory({ entities }),
      ],
    });
    try {
      await use(
        async () => {
          const res = await request(backend.server).get(
            `/api/gpu-cluster/clusters/default/${DEMO.cluster}/status`,
          );
          expect(res.status).toBe(200);
          validateResponse(
            '/clusters/{namespace}/{name}/status',
            200,
            res.body,
          );
          expect(JSON.stringify(res.body)).not.toContain(kube.token);
          return res.body as ClusterStatus;
        },
        async list => {
          const res = await request(backend.server).get(
            `/api/gpu-cluster/clusters/default/${DEMO.cluster}/${list}?limit=1`,
          );
          expect(res.status).toBe(200);
          return res.body.total as number;
        },
      );
    } finally {
      await backend.stop();
    }
  }

  const kindOf = (status: ClusterStatus, kind: string) =>
    status.sources
      .find(s => s.name === 'kubernetes')
      ?.kinds?.find(k => k.kind === kind);

  it.each([
    {
      kind: 'pods',
      path: /^\/api\/v1\/pods$/,
      section: 'gpuUsage',
      absent: ['gpusInUse'],
      kept: ['gpusCapacity', 'pendingWorkloads'],
      partial: ['workloads'],
    },
    {
      kind: 'workloads',
      path: /\/workloads$/,
      section: 'workloads',
      absent: ['pendingWorkloads', 'admittedWorkloads'],
      kept: ['gpusInUse', 'waitingProvisioningRequests'],
      partial: [],
    },
    {
      kind: 'provisioningrequests',
      path: /\/provisioningrequests$/,
      section: 'provisioningRequests',
      absent: ['waitingProvisioningRequests'],
      kept: ['pendingWorkloads'],
      partial: ['workloads'],
    },
    {
      kind: 'clusterqueues',
      path: /\/clusterqueues$/,
      section: 'queues',
      absent: [],
      kept: ['pendingWorkloads'],
      partial: ['workloads'],
    },
  ] as const)(
    'says the $section section is missing when listing $kind is denied, and keeps the rest',
    async ({ kind, path, section, absent, kept, partial }) => {
      kube.faults.add({ path, status: 403 });
      await withBackend(async get => {
        const status = await get();
        expect(status.sources[0]).toMatchObject({
          name: 'kubernetes',
          ok: true,
        });
        expect(kindOf(status, kind)).toMatchObject({
          state: 'unavailable',
          error: expect.stringContaining('403'),
        });
        expect(kindOf(status, 'nodes')?.state).toBe('synced');
        expect(status.sections[section]).toMatchObject({
          state: 'missing',
          message: expect.stringContaining(kind),
        });
        for (const key of absent) expect(status.summary[key]).toBeUndefined();
        for (const key of kept)
          expect(status.summary[key]).toEqual(expect.any(Number));
        for (const other of partial)
          expect(status.sections[other].state).toBe('partial');
        expect(status.sections.nodes.state).toBe('ok');
      });
    },
  );

  it('keeps the last Workloads as stale while their watch fails, and recovers', async () => {
    // The watch ends every 200 ms, so the informer soon reconnects into the fault below.
    const dropping = kube.faults.add({
      path: /\/workloads$/,
      dropWatchAfterMs: 200,
    });
    await withBackend(async (get, total) => {
      const synced = await get();
      expect(synced.sections.workloads.state).toBe('ok');
      const count = await total('workloads');
      expect(count).toBeGreaterThan(0);
      dropping();
      const removeFailure = kube.faults.add({
        path: /\/workloads$/,
        status: 500,
      });
      const stale = await eventually(
        get,
        s => s.sections.workloads.state === 'stale',
      );
      expect(stale.sections.workloads).toMatchObject({
        message: expect.stringContaining('500'),
        staleSince: expect.any(String),
      });
      expect(kindOf(stale, 'workloads')).toMatchObject({
        state: 'stale',
        syncedAt: expect.any(String),
      });
      // The last known data, not an empty list.
      expect(await total('workloads')).toBe(count);
      expect(stale.summary.pendingWorkloads).toEqual(expect.any(Number));
      removeFailure();
      await eventually(get, s => s.sections.workloads.state === 'ok', 20_000);
    });
  });
});

/** A backend whose permission decisions come from `authorize`, over the same entities. */
const backendDeciding = (
  authorize: jest.Mock,
  config: object = { gpuCluster: { clusters: [] } },
) =>
  startTestBackend({
    features: [
      gpuClusterPlugin,
      mockServices.rootConfig.factory({ data: config as any }),
      catalogServiceMock.factory({ entities }),
      mockServices.permissions.mock({ authorize: authorize as any }).factory,
    ],
  });

describe('gpu-cluster backend permissions', () => {
  it("refuses a cluster's Ray jobs without gpuCluster.ray.jobs.read", async () => {
    const authorize = jest.fn(
      async (requests: { permission: { name: string } }[]) =>
        requests.map(r => ({
          result:
            r.permission.name === 'gpuCluster.ray.jobs.read'
              ? AuthorizeResult.DENY
              : AuthorizeResult.ALLOW,
        })),
    );
    const backend = await backendDeciding(authorize, {
      gpuCluster: {
        clusters: [
          {
            name: DEMO.cluster,
            kubernetes: { url: 'https://127.0.0.1:1', token: 'x' },
          },
        ],
      },
    });
    try {
      const res = await request(backend.server).get(
        `/api/gpu-cluster/clusters/default/${DEMO.cluster}/ray/${DEMO.rayNamespace}/${DEMO.rayCluster}/jobs`,
      );
      expect(res.status).toBe(403);
      expect(res.body.error.message).toContain('gpuCluster.ray.jobs.read');
    } finally {
      await backend.stop();
    }
  });

  it('lists clusters whose status the user may not read without their figures', async () => {
    const authorize = jest.fn(async (requests: unknown[]) =>
      requests.map(() => ({ result: AuthorizeResult.DENY })),
    );
    const backend = await backendDeciding(authorize);
    try {
      const res = await request(backend.server).get('/api/gpu-cluster/fleet');
      expect(res.status).toBe(200);
      const fleet = res.body as GpuFleet;
      expect(fleet.clusters).toHaveLength(entities.length);
      for (const row of fleet.clusters) {
        expect(row.error?.reason).toBe('PERMISSION_DENIED');
        expect(row.summary).toBeUndefined();
        expect(row.gkeStatus).toBeUndefined();
      }
      // One batched decision for every entity, as on the tab.
      expect(authorize).toHaveBeenCalledTimes(1);
      expect(authorize.mock.calls[0][0]).toHaveLength(entities.length);
    } finally {
      await backend.stop();
    }
  });

  it('answers 403 when gpuCluster.status.read is denied', async () => {
    const authorize = jest.fn(async (requests: unknown[]) =>
      requests.map(() => ({ result: AuthorizeResult.DENY })),
    );
    const backend = await backendDeciding(authorize);
    try {
      const res = await request(backend.server).get(
        `/api/gpu-cluster/clusters/default/${DEMO.cluster}/status`,
      );
      expect(res.status).toBe(403);
      expect(authorize).toHaveBeenCalledWith(
        [
          expect.objectContaining({
            permission: expect.objectContaining({
              name: 'gpuCluster.status.read',
            }),
            resourceRef: `resource:default/${DEMO.cluster}`,
          }),
        ],
        expect.anything(),
      );
    } finally {
      await backend.stop();
    }
  });
});
