import type {
  ClusterStatus,
  NodeStatus,
  PagedList,
  ProvisioningRequestStatus,
  StatusListName,
  StatusListQuery,
  WorkloadExplanation,
  WorkloadStatus,
} from '@gpu-platform/backstage-plugin-gpu-cluster-common';

const accepted = {
  type: 'Accepted',
  status: 'True' as const,
  reason: 'SuccessfullyQueued',
  message: 'Provisioning Request was successfully queued.',
  lastTransitionTime: '2026-09-01T07:16:00Z',
};
const waitingMessage =
  'Waiting for resources. Currently there are not enough resources available to fulfill the request.';

export const demoNodes: NodeStatus[] = [
  {
    name: 'gke-h200-dws-demo-h200-dws-k7p2',
    nodePool: 'h200-dws',
    zone: 'us-central1-b',
    ready: true,
    unschedulable: false,
    gpus: { capacity: 8, allocatable: 8, inUse: 8 },
    networks: ['rdma-0'],
  },
];

export const demoProvisioningRequests: ProvisioningRequestStatus[] = [
  {
    namespace: 'default',
    name: 'job-llama-finetune-waiting-demo1-dws-prov-1',
    state: 'Accepted',
    reason: 'ResourcePoolExhausted',
    message: waitingMessage,
    conditions: [accepted],
    details: {},
  },
  {
    namespace: 'default',
    name: 'job-nccl-allreduce-test-demo1-dws-prov-1',
    state: 'Provisioned',
    reason: 'Provisioned',
    message: 'Provisioning Request was successfully provisioned.',
    conditions: [accepted],
    details: { nodePool: 'h200-dws', selectedZone: 'us-central1-b' },
  },
];

/** The demo's two Workloads: one waiting for DWS capacity, one running. */
export const demoWorkloads: WorkloadStatus[] = [
  {
    namespace: 'default',
    name: 'job-llama-finetune-waiting-demo1',
    queueName: 'dws-local-queue',
    clusterQueue: 'dws-cluster-queue',
    owner: { kind: 'Job', name: 'llama-finetune-waiting' },
    phase: 'QuotaReserved',
    active: true,
    createdAt: '2026-09-01T07:15:00Z',
    gpus: 8,
    conditions: [],
    admissionChecks: [{ name: 'dws-prov', state: 'Pending' }],
    provisioningRequest: 'job-llama-finetune-waiting-demo1-dws-prov-1',
  },
  {
    namespace: 'default',
    name: 'job-nccl-allreduce-test-demo1',
    queueName: 'dws-local-queue',
    clusterQueue: 'dws-cluster-queue',
    owner: { kind: 'Job', name: 'nccl-allreduce-test' },
    phase: 'Running',
    active: true,
    createdAt: '2026-09-01T07:40:00Z',
    gpus: 8,
    conditions: [],
    admissionChecks: [{ name: 'dws-prov', state: 'Ready' }],
    provisioningRequest: 'job-nccl-allreduce-test-demo1-dws-prov-1',
  },
];

export const demoExplanations: WorkloadExplanation[] = [
  {
    namespace: 'default',
    workload: 'job-llama-finetune-waiting-demo1',
    job: 'llama-finetune-waiting',
    verdict: 'WaitingForCapacity',
    severity: 'info',
    summary: `Quota is reserved; GKE is waiting for GPU capacity (ResourcePoolExhausted): ${waitingMessage}`,
    nextStep:
      'Nothing to do: DWS keeps the request queued (up to 7 days) and bills nothing while it waits.',
    steps: [
      {
        kind: 'Job',
        name: 'llama-finetune-waiting',
        state: 'Active',
        ok: true,
      },
      {
        kind: 'AdmissionCheck',
        name: 'dws-prov',
        state: 'Pending',
        ok: false,
        message: waitingMessage,
      },
      {
        kind: 'ProvisioningRequest',
        name: 'job-llama-finetune-waiting-demo1-dws-prov-1',
        state: 'Accepted',
        ok: false,
        reason: 'ResourcePoolExhausted',
      },
    ],
    clocks: [],
  },
  {
    namespace: 'default',
    workload: 'job-nccl-allreduce-test-demo1',
    job: 'nccl-allreduce-test',
    verdict: 'Running',
    severity: 'info',
    summary: 'The workload is admitted and its pods are running.',
    steps: [],
    clocks: [
      {
        kind: 'maxRunDuration',
        startedAt: '2026-09-01T07:45:00Z',
        endsAt: '2026-09-02T07:45:00.000Z',
        remainingSeconds: 85500,
      },
    ],
  },
];

/** The summary the backend answers for the demo cluster (one waiting, one running job). */
export const demoStatus: ClusterStatus = {
  entityRef: 'resource:default/h200-dws-demo',
  clusterName: 'h200-dws-demo',
  generatedAt: '2026-09-01T08:00:00.000Z',
  sources: [
    {
      name: 'kubernetes',
      ok: true,
      observedAt: '2026-09-01T08:00:00.000Z',
      kinds: (
        [
          'nodes',
          'pods',
          'jobs',
          'clusterqueues',
          'localqueues',
          'workloads',
          'provisioningrequests',
          'rayclusters',
          'rayjobs',
        ] as const
      ).map(kind => ({
        kind,
        state: 'synced' as const,
        syncedAt: '2026-09-01T07:00:00.000Z',
      })),
    },
    {
      name: 'gke',
      ok: false,
      error: 'gke gpu-launchpad-demo/us-central1/h200-dws-demo: 14 UNAVAILABLE',
    },
  ],
  sections: {
    nodes: { state: 'ok' },
    gpuUsage: { state: 'ok' },
    queues: { state: 'ok' },
    workloads: { state: 'ok' },
    provisioningRequests: { state: 'ok' },
    ray: { state: 'ok' },
    fabric: { state: 'ok' },
  },
  summary: {
    gpusCapacity: 16,
    gpusAllocatable: 16,
    gpusInUse: 8,
    nodes: 2,
    readyNodes: 2,
    pendingWorkloads: 1,
    admittedWorkloads: 1,
    waitingProvisioningRequests: 1,
  },
  gke: {
    name: 'h200-dws-demo',
    location: 'us-central1',
    projectId: 'gpu-launchpad-demo',
    status: 'RUNNING',
    conditions: [],
    currentMasterVersion: '1.33.5-gke.1000000',
    nodePools: [
      {
        name: 'h200-dws',
        status: 'RUNNING',
        machineType: 'a3-ultragpu-8g',
        acceleratorType: 'nvidia-h200-141gb',
        acceleratorCount: 8,
        flexStart: true,
        queuedProvisioning: true,
        spot: false,
        locations: ['us-central1-b'],
        additionalNetworks: ['gvnic-1', 'rdma-0'],
        nodeCount: 2,
      },
    ],
  },
  clusterQueues: [
    {
      name: 'dws-cluster-queue',
      active: true,
      activeReason: 'Ready',
      admissionChecks: ['dws-prov'],
      pendingWorkloads: 1,
      reservingWorkloads: 2,
      admittedWorkloads: 1,
      resources: [
        {
          flavor: 'a3-ultra',
          resource: 'nvidia.com/gpu',
          nominalQuota: '1000000000',
          reserved: '16',
          used: '8',
        },
      ],
    },
  ],
  localQueues: [
    {
      namespace: 'default',
      name: 'dws-local-queue',
      clusterQueue: 'dws-cluster-queue',
      active: true,
      pendingWorkloads: 1,
      reservingWorkloads: 2,
      admittedWorkloads: 1,
    },
  ],
  rayClusters: [
    {
      namespace: 'ray',
      name: 'ray-h200',
      state: 'ready',
      readyWorkers: 1,
      desiredWorkers: 1,
      headServiceName: 'ray-h200-head-svc',
      dashboardUrl: 'http://ray-h200-head-svc.ray.svc.cluster.local:8265',
      portForwardCommand:
        'kubectl -n ray port-forward service/ray-h200-head-svc 8265:8265',
      conditions: [],
    },
  ],
  rayJobs: [
    {
      namespace: 'ray',
      name: 'ray-h200-smoke',
      rayClusterName: 'ray-h200',
      jobStatus: 'RUNNING',
      jobDeploymentStatus: 'Running',
    },
  ],
  nodePools: [
    {
      nodePool: 'h200-dws',
      nodes: 1,
      readyNodes: 1,
      gpus: { capacity: 8, allocatable: 8, inUse: 8 },
    },
  ],
  flags: { items: [], limit: 25, total: 0 },
  explanations: { items: demoExplanations, limit: 10, total: 2 },
};

/** What the backend's paged lists answer over the demo's lists (no filters). */
export function demoPage<T>(
  list: StatusListName,
  q: StatusListQuery,
): PagedList<T> {
  const items = {
    workloads: demoWorkloads,
    provisioningrequests: demoProvisioningRequests,
    nodes: demoNodes,
  }[list] as unknown as T[];
  const offset = q.offset ?? 0;
  const limit = q.limit ?? 50;
  return {
    items: items.slice(offset, offset + limit),
    total: items.length,
    offset,
    limit,
  };
}
