import {
  BatchV1Api,
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  Watch,
} from '@kubernetes/client-node';
import { ManualClock } from '../clock';
import { startKubeEmulator, type KubeEmulator } from '../kube/KubeEmulator';
import { waitFor } from '../kube/waitFor';
import {
  OUTCOME_ANNOTATION,
  QUEUE_LABEL,
  type DwsOutcome,
} from './controllers';

/** A client-node KubeConfig loaded from the emulator's kubeconfig (CA trusted, bearer token). */
function kubeConfigFor(emulator: KubeEmulator): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromString(emulator.kubeconfig());
  return kc;
}

type Event = { type: string; object: any };

describe('scripted scenarios (observed through client-node watches)', () => {
  let emu: KubeEmulator;
  let clock: ManualClock;
  let batch: BatchV1Api;
  let core: CoreV1Api;
  let custom: CustomObjectsApi;
  const events: Record<string, Event[]> = {};
  const aborts: AbortController[] = [];

  const watchPaths = {
    workloads: '/apis/kueue.x-k8s.io/v1beta2/workloads',
    provreqs: '/apis/autoscaling.x-k8s.io/v1/provisioningrequests',
    localqueues: '/apis/kueue.x-k8s.io/v1beta2/localqueues',
    nodes: '/api/v1/nodes',
    jobs: '/apis/batch/v1/jobs',
    pods: '/api/v1/pods',
    rayclusters: '/apis/ray.io/v1/rayclusters',
    rayjobs: '/apis/ray.io/v1/rayjobs',
    services: '/api/v1/services',
  };

  beforeAll(async () => {
    clock = new ManualClock();
    emu = await startKubeEmulator({ clock, fixtures: 'demo' });
    const kc = kubeConfigFor(emu);
    batch = kc.makeApiClient(BatchV1Api);
    core = kc.makeApiClient(CoreV1Api);
    custom = kc.makeApiClient(CustomObjectsApi);
    const watch = new Watch(kc);
    const rv = String(emu.store.currentRevision);
    for (const [key, path] of Object.entries(watchPaths)) {
      events[key] = [];
      aborts.push(
        await watch.watch(
          path,
          { resourceVersion: rv },
          (type, object) => events[key].push({ type, object }),
          () => undefined,
        ),
      );
    }
  });
  afterAll(async () => {
    aborts.forEach(a => a.abort());
    await emu.stop();
  });

  const cond = (obj: any, type: string) =>
    obj?.status?.conditions?.find((c: any) => c.type === type);
  /** Objects as the watch saw them, in order, for one name prefix. */
  const seen = (key: string, name: (n: string) => boolean) =>
    events[key].filter(e => name(e.object.metadata.name)).map(e => e.object);
  const lastSeen = (key: string, name: (n: string) => boolean) =>
    seen(key, name).at(-1);

  async function submitJob(
    name: string,
    outcome: DwsOutcome,
    queue = 'dws-local-queue',
  ) {
    await batch.createNamespacedJob({
      namespace: 'default',
      body: {
        metadata: {
          name,
          labels: { [QUEUE_LABEL]: queue },
          annotations: { [OUTCOME_ANNOTATION]: outcome },
        },
        spec: {
          parallelism: 1,
          completions: 1,
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
      },
    });
    await waitFor(
      () => events.jobs.some(e => e.object.metadata.name === name),
      5000,
      `job ${name} watched`,
    );
  }

  /** Runs the scripted controllers for `ms` of emulated time, then waits for the watch to catch up. */
  async function runFor(ms: number, until: () => boolean, what: string) {
    emu.scenarios.engine.runFor(ms);
    await waitFor(until, 5000, what);
  }

  it('1: DWS job → Workload pending → ProvisioningRequest Accepted → Provisioned → nodes → admitted → running → complete', async () => {
    await submitJob('train-ok', 'provisioned');
    const isWl = (n: string) => n.startsWith('job-train-ok-');
    const isPr = (n: string) =>
      n.startsWith('job-train-ok-') && n.endsWith('-dws-prov-1');
    await runFor(0, () => Boolean(lastSeen('workloads', isWl)), 'workload');
    expect(cond(lastSeen('workloads', isWl), 'QuotaReserved')).toMatchObject({
      status: 'False',
    });

    await runFor(
      3000,
      () => cond(lastSeen('provreqs', isPr), 'Accepted')?.status === 'True',
      'accepted',
    );
    const waiting = lastSeen('provreqs', isPr);
    expect(cond(waiting, 'Provisioned')).toMatchObject({
      status: 'False',
      reason: 'ResourcePoolExhausted',
      message:
        'Waiting for resources. Currently there are not enough resources available to fulfill the request.',
    });
    expect(waiting.spec.provisioningClassName).toBe(
      'queued-provisioning.gke.io',
    );
    const wlPending = lastSeen('workloads', isWl);
    expect(wlPending.status.admissionChecks[0]).toMatchObject({
      name: 'dws-prov',
      state: 'Pending',
      message: expect.stringContaining('Waiting for resources'),
    });
    expect(cond(wlPending, 'QuotaReserved')).toMatchObject({
      status: 'True',
      reason: 'QuotaReserved',
    });

    await runFor(
      60_000,
      () => cond(lastSeen('provreqs', isPr), 'Provisioned')?.status === 'True',
      'provisioned',
    );
    expect(cond(lastSeen('provreqs', isPr), 'Provisioned').message).toBe(
      'Provisioning Request was successfully provisioned.',
    );
    const added = events.nodes
      .filter(e => e.type === 'ADDED')
      .map(e => e.object);
    expect(added.at(-1).metadata.labels).toMatchObject({
      'cloud.google.com/gke-nodepool': 'h200-dws',
      'cloud.google.com/gke-accelerator': 'nvidia-h200-141gb',
    });
    await waitFor(
      () => cond(lastSeen('workloads', isWl), 'Admitted')?.status === 'True',
      5000,
      'admitted',
    );
    expect(lastSeen('workloads', isWl).status.admissionChecks[0].state).toBe(
      'Ready',
    );

    await runFor(
      6000,
      () =>
        seen('pods', n => n.startsWith('train-ok-')).some(
          p => p.status.phase === 'Running',
        ),
      'pod running',
    );
    await runFor(
      31_000,
      () =>
        cond(
          lastSeen('jobs', n => n === 'train-ok'),
          'Complete',
        )?.status === 'True',
      'job complete',
    );
    expect(cond(lastSeen('workloads', isWl), 'Finished')).toMatchObject({
      status: 'True',
      reason: 'Succeeded',
    });
  });

  it('2: provisioned capacity whose booking expires', async () => {
    await submitJob('train-late', 'booking-expired');
    const isPr = (n: string) =>
      n.startsWith('job-train-late-') && n.endsWith('-dws-prov-1');
    await runFor(
      70_000,
      () => cond(lastSeen('provreqs', isPr), 'Provisioned')?.status === 'True',
      'provisioned',
    );
    await runFor(
      10 * 60_000,
      () =>
        cond(lastSeen('provreqs', isPr), 'BookingExpired')?.status === 'True',
      'booking expired',
    );
    expect(cond(lastSeen('provreqs', isPr), 'BookingExpired').message).toBe(
      'Capacity booking for the Provisioning Request has expired and the nodes are now candidates for scale down when underutilized.',
    );
    await waitFor(
      () =>
        lastSeen('workloads', n => n.startsWith('job-train-late-'))?.status
          ?.admissionChecks?.[0]?.state === 'Retry',
      5000,
      'retry',
    );
    expect(
      lastSeen('workloads', n => n.startsWith('job-train-late-')).status
        .admissionChecks[0].message,
    ).toMatch(/^Retrying after booking expired: /);
  });

  it('3: Failed with ResourcePoolExhausted', async () => {
    await submitJob('train-stockout', 'failed');
    const isPr = (n: string) =>
      n.startsWith('job-train-stockout-') && n.endsWith('-dws-prov-1');
    await runFor(
      40_000,
      () => cond(lastSeen('provreqs', isPr), 'Failed')?.status === 'True',
      'failed',
    );
    expect(cond(lastSeen('provreqs', isPr), 'Failed')).toMatchObject({
      reason: 'ResourcePoolExhausted',
      message: expect.stringContaining(
        'could not provision queued instances in the allocated time',
      ),
    });
    await waitFor(
      () =>
        cond(
          lastSeen('workloads', n => n.startsWith('job-train-stockout-')),
          'Evicted',
        )?.status === 'True',
      5000,
      'evicted',
    );
    expect(
      lastSeen('workloads', n => n.startsWith('job-train-stockout-')).status
        .admissionChecks[0].message,
    ).toMatch(/^Retrying after failure: /);
  });

  it('4: CapacityRevoked deactivates the workload and removes the nodes', async () => {
    await submitJob('train-revoked', 'capacity-revoked');
    const isPr = (n: string) =>
      n.startsWith('job-train-revoked-') && n.endsWith('-dws-prov-1');
    await runFor(
      90_000,
      () =>
        cond(lastSeen('provreqs', isPr), 'CapacityRevoked')?.status === 'True',
      'revoked',
    );
    expect(cond(lastSeen('provreqs', isPr), 'CapacityRevoked').message).toBe(
      'Capacity provisioned for the Provisioning Request was reclaimed and is no longer available in the cluster.',
    );
    await waitFor(
      () =>
        lastSeen('workloads', n => n.startsWith('job-train-revoked-'))?.spec
          ?.active === false,
      5000,
      'deactivated',
    );
    const wl = lastSeen('workloads', n => n.startsWith('job-train-revoked-'));
    expect(wl.status.admissionChecks[0].state).toBe('Rejected');
    expect(events.nodes.some(e => e.type === 'DELETED')).toBe(true);
  });

  it('5: a LocalQueue pointing at a missing ClusterQueue', async () => {
    await custom.createNamespacedCustomObject({
      group: 'kueue.x-k8s.io',
      version: 'v1beta2',
      namespace: 'default',
      plural: 'localqueues',
      body: {
        apiVersion: 'kueue.x-k8s.io/v1beta2',
        kind: 'LocalQueue',
        metadata: { name: 'orphan-queue' },
        spec: { clusterQueue: 'no-such-cq' },
      },
    });
    await submitJob('train-orphan', 'provisioned', 'orphan-queue');
    await runFor(
      5000,
      () =>
        cond(
          lastSeen('localqueues', n => n === 'orphan-queue'),
          'Active',
        )?.status === 'False',
      'lq inactive',
    );
    expect(
      cond(
        lastSeen('localqueues', n => n === 'orphan-queue'),
        'Active',
      ),
    ).toMatchObject({ reason: 'ClusterQueueDoesNotExist' });
    await waitFor(
      () => lastSeen('workloads', n => n.startsWith('job-train-orphan-')),
      5000,
      'workload',
    );
    expect(
      cond(
        lastSeen('workloads', n => n.startsWith('job-train-orphan-')),
        'QuotaReserved',
      ),
    ).toMatchObject({
      status: 'False',
      reason: 'Inadmissible',
      message: "ClusterQueue no-such-cq doesn't exist",
    });
  });

  it('6 and 7: a RayCluster becomes ready with its head service; a RayJob runs to completion', async () => {
    await custom.createNamespacedCustomObject({
      group: 'ray.io',
      version: 'v1',
      namespace: 'ray',
      plural: 'rayjobs',
      body: {
        apiVersion: 'ray.io/v1',
        kind: 'RayJob',
        metadata: { name: 'smoke' },
        spec: {
          entrypoint: 'python -c "print(1)"',
          rayClusterSpec: {
            headGroupSpec: {
              rayStartParams: {},
              template: {
                spec: {
                  containers: [
                    { name: 'ray-head', image: 'rayproject/ray:2.49.0' },
                  ],
                },
              },
            },
          },
        },
      },
    });
    await runFor(
      0,
      () =>
        lastSeen('rayjobs', n => n === 'smoke')?.status?.jobDeploymentStatus ===
        'Initializing',
      'initializing',
    );
    const clusterName = lastSeen('rayjobs', n => n === 'smoke').status
      .rayClusterName;
    await waitFor(
      () => lastSeen('rayclusters', n => n === clusterName),
      5000,
      'raycluster',
    );
    await runFor(
      6000,
      () =>
        lastSeen('rayclusters', n => n === clusterName)?.status?.state ===
        'ready',
      'ready',
    );
    const rc = lastSeen('rayclusters', n => n === clusterName);
    expect(
      seen('rayclusters', n => n === clusterName).some(
        o => cond(o, 'HeadPodReady')?.status === 'False',
      ),
    ).toBe(true);
    expect(cond(rc, 'HeadPodReady')).toMatchObject({
      status: 'True',
      reason: 'HeadPodRunningAndReady',
    });
    expect(rc.status.head.serviceName).toBe(`${clusterName}-head-svc`);
    expect(rc.status.endpoints.dashboard).toBe('8265');
    const svc = await core.readNamespacedService({
      name: `${clusterName}-head-svc`,
      namespace: 'ray',
    });
    expect(svc.spec?.ports).toContainEqual(
      expect.objectContaining({ name: 'dashboard', port: 8265 }),
    );

    await runFor(
      3000,
      () =>
        lastSeen('rayjobs', n => n === 'smoke')?.status?.jobStatus ===
        'RUNNING',
      'running',
    );
    expect(lastSeen('rayjobs', n => n === 'smoke').status).toMatchObject({
      jobDeploymentStatus: 'Running',
      dashboardURL: `${clusterName}-head-svc.ray.svc.cluster.local:8265`,
    });
    await runFor(
      31_000,
      () =>
        lastSeen('rayjobs', n => n === 'smoke')?.status?.jobDeploymentStatus ===
        'Complete',
      'complete',
    );
    expect(lastSeen('rayjobs', n => n === 'smoke').status.jobStatus).toBe(
      'SUCCEEDED',
    );
    expect(
      seen('rayjobs', n => n === 'smoke')
        .map(o => o.status?.jobStatus)
        .filter(Boolean),
    ).toEqual(expect.arrayContaining(['PENDING', 'RUNNING', 'SUCCEEDED']));
  });
});
