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
    // Kueue's job webhook suspended the Job; the Workload waits for the scheduler (no condition
    // yet: Kueue's default gates only write QuotaReserved once the scheduler has decided).
    expect(lastSeen('jobs', n => n === 'train-ok').spec.suspend).toBe(true);
    expect(cond(lastSeen('workloads', isWl), 'QuotaReserved')?.status).not.toBe(
      'True',
    );
    expect(lastSeen('workloads', isWl).spec.podSets).toEqual([
      expect.objectContaining({ name: 'main', count: 1 }),
    ]);

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
    const admitted = lastSeen('workloads', isWl);
    expect(admitted.status.admissionChecks[0]).toMatchObject({
      state: 'Ready',
      message: 'Provisioning Request was successfully provisioned.',
    });
    expect(admitted.status.admission.podSetAssignments[0]).toMatchObject({
      flavors: { 'nvidia.com/gpu': 'a3-ultra' },
      resourceUsage: { 'nvidia.com/gpu': '8' },
    });

    // On admission Kueue injects the flavor's node labels and tolerations and the check's pod-set
    // update, then unsuspends the Job; its pod lands on the node provisioned for the request.
    await runFor(
      6000,
      () =>
        seen('pods', n => n.startsWith('train-ok-')).some(
          p => p.status.phase === 'Running',
        ),
      'pod running',
    );
    const pod = seen('pods', n => n.startsWith('train-ok-')).at(-1);
    expect(pod.spec.nodeSelector).toMatchObject({
      'cloud.google.com/gke-accelerator': 'nvidia-h200-141gb',
    });
    expect(pod.spec.tolerations).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ key: 'cloud.google.com/gke-queued' }),
        expect.objectContaining({ key: 'nvidia.com/gpu' }),
      ]),
    );
    const provreq = lastSeen('provreqs', isPr);
    expect(
      pod.metadata.annotations[
        'autoscaling.x-k8s.io/consume-provisioning-request'
      ],
    ).toBe(provreq.metadata.name);
    const node = added.find(n => n.metadata.name === pod.spec.nodeName);
    expect(
      node.metadata.labels['autoscaling.gke.io/provisioning-request'],
    ).toBe(provreq.status.provisioningClassDetails.ResizeRequestName);
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

  it('2: provisioned capacity the pods never reach: the booking expires, Kueue keeps the admission', async () => {
    await submitJob('train-late', 'booking-expired');
    const isWl = (n: string) => n.startsWith('job-train-late-');
    const isPr = (n: string) => isWl(n) && n.endsWith('-dws-prov-1');
    await runFor(
      70_000,
      () => cond(lastSeen('provreqs', isPr), 'Provisioned')?.status === 'True',
      'provisioned',
    );
    // The booked nodes never become Ready, so the pod cannot land on them.
    await runFor(
      6000,
      () =>
        seen('pods', n => n.startsWith('train-late-')).some(
          p => cond(p, 'PodScheduled')?.reason === 'Unschedulable',
        ),
      'pod unschedulable',
    );
    const pending = seen('pods', n => n.startsWith('train-late-')).at(-1);
    expect(cond(pending, 'PodScheduled').message).toMatch(
      /^0\/\d+ nodes are available: .*1 node\(s\) had untolerated taint \{node\.kubernetes\.io\/not-ready: \}.*\. preemption: /,
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
    // Kueue ignores BookingExpired once the workload is admitted (provisioning controller).
    emu.scenarios.engine.runFor(5000);
    await waitFor(
      () =>
        events.nodes.some(
          e =>
            e.type === 'DELETED' &&
            e.object.metadata.labels[
              'autoscaling.gke.io/provisioning-request'
            ] ===
              lastSeen('provreqs', isPr).status.provisioningClassDetails
                .ResizeRequestName,
        ),
      5000,
      'unused booked node removed',
    );
    const wl = lastSeen('workloads', isWl);
    expect(cond(wl, 'Admitted')?.status).toBe('True');
    expect(wl.status.admissionChecks[0].state).toBe('Ready');
  });

  it('3: Failed with ResourcePoolExhausted: the check retries, the workload is evicted and requeued', async () => {
    await submitJob('train-stockout', 'failed');
    const isWl = (n: string) => n.startsWith('job-train-stockout-');
    const isPr = (n: string) => isWl(n) && n.endsWith('-dws-prov-1');
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
      () => cond(lastSeen('workloads', isWl), 'Evicted')?.status === 'True',
      5000,
      'evicted',
    );
    const retry = seen('workloads', isWl).find(
      w => w.status?.admissionChecks?.[0]?.state === 'Retry',
    );
    expect(retry.status.admissionChecks[0].message).toMatch(
      /^Retrying after failure: /,
    );
    const evicted = lastSeen('workloads', isWl);
    expect(cond(evicted, 'Evicted')).toMatchObject({
      reason: 'AdmissionCheck',
      message: expect.stringMatching(
        /^Evicted due to AdmissionCheck in Retry state: "dws-prov" \(Retrying after failure: /,
      ),
    });
    expect(evicted.status.admissionChecks[0]).toMatchObject({
      state: 'Pending',
      message: 'Reset to Pending after eviction. Previously: Retry',
      retryCount: 1,
    });
    expect(cond(evicted, 'QuotaReserved')?.status).toBe('False');
    // After the retry backoff (60 s) the workload gets quota again and a second request.
    await runFor(
      65_000,
      () =>
        Boolean(
          lastSeen('provreqs', n => isWl(n) && n.endsWith('-dws-prov-2')),
        ),
      'second attempt',
    );
  });

  it('4: CapacityRevoked deactivates the workload and removes the nodes', async () => {
    await submitJob('train-revoked', 'capacity-revoked');
    const isWl = (n: string) => n.startsWith('job-train-revoked-');
    const isPr = (n: string) => isWl(n) && n.endsWith('-dws-prov-1');
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
      () => lastSeen('workloads', isWl)?.spec?.active === false,
      5000,
      'deactivated',
    );
    expect(
      seen('workloads', isWl).some(
        w => w.status?.admissionChecks?.[0]?.state === 'Rejected',
      ),
    ).toBe(true);
    expect(cond(lastSeen('workloads', isWl), 'Evicted')).toMatchObject({
      status: 'True',
      reason: 'Deactivated',
      message:
        'The workload is deactivated due to AdmissionCheck in Rejected state: "dws-prov" (Capacity provisioned for the Provisioning Request was reclaimed and is no longer available in the cluster.)',
    });
    expect(events.nodes.some(e => e.type === 'DELETED')).toBe(true);
    await waitFor(
      () =>
        lastSeen('jobs', n => n === 'train-revoked')?.spec?.suspend === true,
      5000,
      'job suspended again',
    );
  });

  it.each([
    [
      'quota-exceeded',
      'QuotaExceeded',
      /^Provisioning Request could not provision queued instances in the allocated time\. The remaining received errors: \[QUOTA_EXCEEDED: Quota 'NVIDIA_H200_GPUS' exceeded\. Limit: \d+\.0 in region us-central1\.\]$/,
    ],
    [
      'stockout-other-zones',
      'ResourcePoolExhausted',
      /The zone 'projects\/gpu-launchpad-demo\/zones\/us-central1-b' does not have enough resources available to fulfill the request\. Expected time is indefinite\. A a3-ultragpu-8g VM instance with 8 nvidia-h200-141gb accelerator\(s\) is currently unavailable in the us-central1-b zone\. Consider trying your request in the us-central1-a, us-central1-c zone\(s\), which currently has capacity to accommodate your request\.\]$/,
    ],
  ] as const)(
    '3b: the %s outcome fails the request with reason %s and its message',
    async (outcome, reason, message) => {
      const name = `train-${outcome}`;
      await submitJob(name, outcome);
      const isPr = (n: string) =>
        n.startsWith(`job-${name}-`) && n.endsWith('-dws-prov-1');
      await runFor(
        40_000,
        () => cond(lastSeen('provreqs', isPr), 'Failed')?.status === 'True',
        'failed',
      );
      expect(cond(lastSeen('provreqs', isPr), 'Failed')).toMatchObject({
        reason,
        message: expect.stringMatching(message),
      });
      // No nodes were created for a failed request.
      expect(cond(lastSeen('provreqs', isPr), 'Provisioned')?.status).toBe(
        'False',
      );
    },
  );

  it('4b: a node whose kubelet stops posting status turns Unknown and unreachable', async () => {
    const name = (await core.listNode()).items[0].metadata!.name!;
    emu.scenarios.controllers!.cluster.stopKubelet(name);
    await waitFor(
      () =>
        cond(
          lastSeen('nodes', n => n === name),
          'Ready',
        )?.status === 'Unknown',
      5000,
      'unknown',
    );
    const seenNode = lastSeen('nodes', n => n === name);
    expect(cond(seenNode, 'Ready')).toMatchObject({
      reason: 'NodeStatusUnknown',
      message: 'Kubelet stopped posting node status.',
    });
    expect(seenNode.spec.taints).toEqual(
      expect.arrayContaining([
        { key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule' },
        expect.objectContaining({
          key: 'node.kubernetes.io/unreachable',
          effect: 'NoExecute',
        }),
      ]),
    );
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
