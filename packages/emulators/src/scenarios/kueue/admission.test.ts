import {
  KubeConfig,
  KubernetesObjectApi,
  type KubernetesObject,
} from '@kubernetes/client-node';
import { ManualClock } from '../../clock';
import { startKubeEmulator, type KubeEmulator } from '../../kube/KubeEmulator';
import { gkeNodePool } from '../cluster/nodePools';

type Obj = KubernetesObject & Record<string, any>;

const KUEUE = 'kueue.x-k8s.io/v1beta2';
const ZONE = 'us-central1-b';

/** A system pool of two e2-standard-8 and an autoscaled (non-queued) pool of a3-ultragpu-8g. */
const pools = () => [
  gkeNodePool({
    name: 'system',
    machineType: 'e2-standard-8',
    vcpus: 8,
    memoryGb: 32,
    nodeCount: 2,
    zone: ZONE,
  }),
  gkeNodePool({
    name: 'gpu',
    machineType: 'a3-ultragpu-8g',
    vcpus: 224,
    memoryGb: 2952,
    accelerator: { type: 'nvidia-h200-141gb', count: 8 },
    autoscaling: true,
    minNodes: 1,
    maxNodes: 4,
    zone: ZONE,
  }),
];

const flavor = (name: string, spec: Record<string, any>): Obj => ({
  apiVersion: KUEUE,
  kind: 'ResourceFlavor',
  metadata: { name },
  spec,
});

const gpuContainer = (gpus: number) => ({
  name: 'main',
  image: 'busybox',
  resources: {
    requests: { cpu: '8', memory: '32Gi', 'nvidia.com/gpu': String(gpus) },
    limits: { 'nvidia.com/gpu': String(gpus) },
  },
});

const job = (
  name: string,
  gpus: number,
  extra: { priorityClass?: string; namespace?: string } = {},
): Obj => ({
  apiVersion: 'batch/v1',
  kind: 'Job',
  metadata: {
    name,
    namespace: extra.namespace ?? 'default',
    labels: {
      'kueue.x-k8s.io/queue-name': 'lq',
      ...(extra.priorityClass
        ? { 'kueue.x-k8s.io/priority-class': extra.priorityClass }
        : {}),
    },
  },
  spec: {
    parallelism: 1,
    completions: 1,
    template: {
      spec: { restartPolicy: 'Never', containers: [gpuContainer(gpus)] },
    },
  },
});

const rayCluster = (workers: number): Obj => ({
  apiVersion: 'ray.io/v1',
  kind: 'RayCluster',
  metadata: {
    name: 'rc',
    namespace: 'default',
    labels: { 'kueue.x-k8s.io/queue-name': 'lq' },
  },
  spec: {
    headGroupSpec: {
      rayStartParams: {},
      template: {
        spec: {
          containers: [
            {
              name: 'ray-head',
              image: 'rayproject/ray:2.49.2',
              resources: {
                requests: { cpu: '4', memory: '16Gi' },
                limits: { cpu: '4', memory: '16Gi' },
              },
            },
          ],
        },
      },
    },
    workerGroupSpecs: [
      {
        groupName: 'gpu',
        replicas: workers,
        minReplicas: workers,
        maxReplicas: workers,
        rayStartParams: {},
        template: {
          spec: {
            nodeSelector: { 'cloud.google.com/gke-nodepool': 'gpu' },
            containers: [{ ...gpuContainer(8), name: 'ray-worker' }],
          },
        },
      },
    ],
  },
});

describe('Kueue admission in the emulator follows Kueue', () => {
  let emu: KubeEmulator;
  let objects: KubernetesObjectApi;

  const apply = (o: Obj) => objects.create(o);
  const read = (apiVersion: string, kind: string, name: string, ns?: string) =>
    emu.client.get(apiVersion, kind, name, ns);
  const workloadOf = (kind: string, name: string) =>
    emu.client
      .list(KUEUE, 'Workload', 'default')
      .find(w =>
        w.metadata.ownerReferences?.some(
          (r: any) => r.kind === kind && r.name === name,
        ),
      );
  const cond = (o: any, type: string) =>
    o?.status?.conditions?.find((c: any) => c.type === type);
  const podsOf = (label: string, value: string) =>
    emu.client
      .list('v1', 'Pod', 'default')
      .filter(p => p.metadata.labels?.[label] === value);

  beforeEach(async () => {
    emu = await startKubeEmulator({
      fixtures: 'empty',
      clock: new ManualClock(),
      scenarios: { nodePools: pools() },
    });
    const kc = new KubeConfig();
    kc.loadFromString(emu.kubeconfig());
    objects = KubernetesObjectApi.makeApiClient(kc);
  });
  afterEach(() => emu.stop());

  async function queues(
    resourceGroups: any[],
    strategy = 'BestEffortFIFO',
    namespaceSelector: any = {},
  ) {
    await apply({
      apiVersion: KUEUE,
      kind: 'ClusterQueue',
      metadata: { name: 'cq' },
      spec: { namespaceSelector, queueingStrategy: strategy, resourceGroups },
    });
    await apply({
      apiVersion: KUEUE,
      kind: 'LocalQueue',
      metadata: { name: 'lq', namespace: 'default' },
      spec: { clusterQueue: 'cq' },
    });
  }

  /** One resource group over cpu, memory and GPUs whose only flavor is the GPU pool. */
  const gpuOnlyGroup = (gpus: number) => [
    {
      coveredResources: ['cpu', 'memory', 'nvidia.com/gpu'],
      flavors: [
        {
          name: 'gpu',
          resources: [
            { name: 'cpu', nominalQuota: 896 },
            { name: 'memory', nominalQuota: '11808Gi' },
            { name: 'nvidia.com/gpu', nominalQuota: gpus },
          ],
        },
      ],
    },
  ];

  it('puts a CPU-only Ray head through a GPU-pool flavor onto the GPU pool, where it cannot run', async () => {
    await apply(
      flavor('gpu', { nodeLabels: { 'cloud.google.com/gke-nodepool': 'gpu' } }),
    );
    await queues(gpuOnlyGroup(16));
    await apply(rayCluster(1));
    emu.scenarios.engine.runFor(10_000);

    const wl = workloadOf('RayCluster', 'rc')!;
    expect(wl.spec.podSets.map((p: any) => [p.name, p.count])).toEqual([
      ['head', 1],
      ['gpu', 1],
    ]);
    expect(wl.status.admission.podSetAssignments[0]).toMatchObject({
      name: 'head',
      flavors: { cpu: 'gpu', memory: 'gpu' },
      resourceUsage: { cpu: '4', memory: '16Gi' },
    });
    const rc = read('ray.io/v1', 'RayCluster', 'rc', 'default')!;
    expect(rc.spec.suspend).toBe(false);
    expect(rc.spec.headGroupSpec.template.spec.nodeSelector).toEqual({
      'cloud.google.com/gke-nodepool': 'gpu',
    });
    const [head] = podsOf('ray.io/node-type', 'head');
    expect(cond(head, 'PodScheduled')).toMatchObject({
      status: 'False',
      reason: 'Unschedulable',
      message:
        "0/3 nodes are available: 1 node(s) had untolerated taint {nvidia.com/gpu: present}, 2 node(s) didn't match Pod's node affinity/selector. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.",
    });
    // The GPU worker tolerates the GPU taint (ExtendedResourceToleration) and runs.
    const [worker] = podsOf('ray.io/node-type', 'worker');
    expect(worker.status.phase).toBe('Running');
    expect(rc.status?.state).not.toBe('ready');
  });

  it('with an empty default flavor for CPU and memory, the head lands on the system pool', async () => {
    await apply(flavor('default-flavor', {}));
    await apply(
      flavor('gpu', { nodeLabels: { 'cloud.google.com/gke-nodepool': 'gpu' } }),
    );
    await queues([
      {
        coveredResources: ['cpu', 'memory'],
        flavors: [
          {
            name: 'default-flavor',
            resources: [
              { name: 'cpu', nominalQuota: 1000 },
              { name: 'memory', nominalQuota: '12000Gi' },
            ],
          },
        ],
      },
      {
        coveredResources: ['nvidia.com/gpu'],
        flavors: [
          {
            name: 'gpu',
            resources: [{ name: 'nvidia.com/gpu', nominalQuota: 16 }],
          },
        ],
      },
    ]);
    await apply(rayCluster(1));
    emu.scenarios.engine.runFor(10_000);
    const [head] = podsOf('ray.io/node-type', 'head');
    const node = read('v1', 'Node', head.spec.nodeName);
    expect(node?.metadata.labels['cloud.google.com/gke-nodepool']).toBe(
      'system',
    );
    expect(read('ray.io/v1', 'RayCluster', 'rc', 'default')!.status.state).toBe(
      'ready',
    );
  });

  it('counts every workload of the ClusterQueue: Ray workers holding all GPUs keep a Job waiting until they go', async () => {
    await apply(
      flavor('gpu', { nodeLabels: { 'cloud.google.com/gke-nodepool': 'gpu' } }),
    );
    await queues(gpuOnlyGroup(16));
    await apply(rayCluster(2));
    emu.scenarios.engine.runFor(5000);
    await apply(job('nccl', 16));
    emu.scenarios.engine.runFor(5000);
    const waiting = workloadOf('Job', 'nccl')!;
    expect(cond(waiting, 'QuotaReserved')).toMatchObject({
      status: 'False',
      reason: 'Pending',
      message:
        "couldn't assign flavors to pod set main: insufficient unused quota for nvidia.com/gpu in flavor gpu, 16 more needed",
    });
    expect(read('batch/v1', 'Job', 'nccl', 'default')!.spec.suspend).toBe(true);
    const cq = read(KUEUE, 'ClusterQueue', 'cq')!;
    expect(cq.status).toMatchObject({
      pendingWorkloads: 1,
      admittedWorkloads: 1,
    });
    expect(
      cq.status.flavorsReservation[0].resources.find(
        (r: any) => r.name === 'nvidia.com/gpu',
      ).total,
    ).toBe('16');

    // More than the flavor can ever hold is NoFit with the maximum-capacity message.
    await apply(job('huge', 24));
    emu.scenarios.engine.runFor(5000);
    expect(cond(workloadOf('Job', 'huge'), 'QuotaReserved').message).toBe(
      "couldn't assign flavors to pod set main: insufficient quota for nvidia.com/gpu in flavor gpu, previously considered podsets requests (0) + current podset request (24) > maximum capacity (16)",
    );

    await objects.delete({
      apiVersion: 'ray.io/v1',
      kind: 'RayCluster',
      metadata: { name: 'rc', namespace: 'default' },
    });
    emu.scenarios.engine.runFor(5000);
    expect(cond(workloadOf('Job', 'nccl'), 'Admitted')?.status).toBe('True');
    expect(podsOf('job-name', 'nccl')[0].spec.nodeSelector).toEqual({
      'cloud.google.com/gke-nodepool': 'gpu',
    });
  });

  it('orders by priority, then FIFO; StrictFIFO blocks behind the head, BestEffortFIFO does not', async () => {
    await apply(flavor('gpu', {}));
    await apply({
      apiVersion: KUEUE,
      kind: 'WorkloadPriorityClass',
      metadata: { name: 'urgent' },
      value: 1000,
    });
    await queues(gpuOnlyGroup(8), 'StrictFIFO');
    await apply(job('first', 8));
    await apply(job('big', 16));
    emu.scenarios.engine.runFor(3000);
    // first holds all 8; big can never fit; small waits behind big under StrictFIFO.
    await apply(job('small', 1));
    emu.scenarios.engine.runFor(3000);
    await objects.delete({
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'first', namespace: 'default' },
    });
    await apply(job('urgent', 2, { priorityClass: 'urgent' }));
    emu.scenarios.engine.runFor(3000);
    // The high-priority job jumps the queue; `big` still blocks `small`.
    expect(workloadOf('Job', 'urgent')!.spec.priority).toBe(1000);
    expect(cond(workloadOf('Job', 'urgent'), 'QuotaReserved')?.status).toBe(
      'True',
    );
    expect(cond(workloadOf('Job', 'small'), 'QuotaReserved')?.status).not.toBe(
      'True',
    );

    await objects.patch(
      {
        apiVersion: KUEUE,
        kind: 'ClusterQueue',
        metadata: { name: 'cq' },
        spec: { queueingStrategy: 'BestEffortFIFO' },
      },
      undefined,
      undefined,
      undefined,
      undefined,
      'application/merge-patch+json' as any,
    );
    emu.scenarios.engine.runFor(3000);
    expect(cond(workloadOf('Job', 'small'), 'QuotaReserved')?.status).toBe(
      'True',
    );
  });

  it('skips a flavor whose taints the pod set does not tolerate and reports why nothing fits', async () => {
    await apply(
      flavor('reserved', {
        nodeLabels: { 'cloud.google.com/gke-nodepool': 'gpu' },
        nodeTaints: [{ key: 'team', value: 'research', effect: 'NoSchedule' }],
      }),
    );
    await apply(
      flavor('spot', { nodeLabels: { 'cloud.google.com/gke-spot': 'true' } }),
    );
    await queues([
      {
        coveredResources: ['cpu', 'memory', 'nvidia.com/gpu'],
        flavors: ['reserved', 'spot'].map(name => ({
          name,
          resources: [
            { name: 'cpu', nominalQuota: 100 },
            { name: 'memory', nominalQuota: '1000Gi' },
            { name: 'nvidia.com/gpu', nominalQuota: name === 'spot' ? 0 : 8 },
          ],
        })),
      },
    ]);
    await apply(job('t', 8));
    emu.scenarios.engine.runFor(3000);
    expect(cond(workloadOf('Job', 't'), 'QuotaReserved').message).toBe(
      "couldn't assign flavors to pod set main: insufficient quota for nvidia.com/gpu in flavor spot, previously considered podsets requests (0) + current podset request (8) > maximum capacity (0), untolerated taint team=research:NoSchedule in flavor reserved",
    );
  });

  it('refuses namespaces outside the selector and reports inactive queues with Kueue’s reasons', async () => {
    await apply(flavor('gpu', {}));
    await queues(gpuOnlyGroup(8), 'BestEffortFIFO', {
      matchLabels: { team: 'ml' },
    });
    await apply(job('outsider', 1));
    emu.scenarios.engine.runFor(3000);
    expect(cond(workloadOf('Job', 'outsider'), 'QuotaReserved')).toMatchObject({
      reason: 'Pending',
      message: "workload namespace doesn't match ClusterQueue selector",
    });

    await apply({
      apiVersion: KUEUE,
      kind: 'ClusterQueue',
      metadata: { name: 'broken' },
      spec: {
        namespaceSelector: {},
        resourceGroups: [
          {
            coveredResources: ['cpu'],
            flavors: [
              { name: 'nope', resources: [{ name: 'cpu', nominalQuota: 1 }] },
            ],
          },
        ],
      },
    });
    emu.scenarios.engine.runFor(1000);
    expect(cond(read(KUEUE, 'ClusterQueue', 'broken'), 'Active')).toMatchObject(
      {
        status: 'False',
        reason: 'FlavorNotFound',
        message:
          "Can't admit new workloads: references missing ResourceFlavor(s): [nope].",
      },
    );
  });

  it("refuses a queue-labelled RayCluster with in-tree autoscaling, as Kueue's webhook does", async () => {
    const rc = rayCluster(1);
    rc.spec.enableInTreeAutoscaling = true;
    await expect(apply(rc)).rejects.toMatchObject({
      code: 403,
      body: expect.stringContaining(
        'admission webhook \\"vraycluster.kb.io\\" denied the request: spec.enableInTreeAutoscaling: Invalid value: true: a kueue managed job should only use autoscaling when workload slicing is enabled',
      ),
    });
    rc.metadata!.annotations = { 'kueue.x-k8s.io/elastic-job': 'true' };
    await expect(apply(rc)).resolves.toBeDefined();
  });
});
