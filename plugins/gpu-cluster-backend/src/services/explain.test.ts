import type {
  GkeClusterStatus,
  ProvisioningRequestStatus,
  WorkloadStatus,
} from '@gpu-platform/backstage-plugin-gpu-cluster-common';
import { decodeProvisioningFailure, explainWorkload } from './explain';

const waitingWorkload: WorkloadStatus = {
  namespace: 'default',
  name: 'job-train-abcde',
  queueName: 'dws-local-queue',
  clusterQueue: 'dws-cluster-queue',
  phase: 'QuotaReserved',
  active: true,
  gpus: 8,
  conditions: [
    { type: 'QuotaReserved', status: 'True', reason: 'QuotaReserved' },
    { type: 'Admitted', status: 'False', reason: 'UnsatisfiedAdmissionChecks' },
  ],
  admissionChecks: [{ name: 'dws-prov', state: 'Pending' }],
  provisioningRequest: 'job-train-abcde-dws-prov-1',
};

const acceptedRequest = (nodePool?: string): ProvisioningRequestStatus => ({
  namespace: 'default',
  name: 'job-train-abcde-dws-prov-1',
  state: 'Accepted',
  reason: 'ResourcePoolExhausted',
  message: 'Waiting for resources.',
  conditions: [
    { type: 'Accepted', status: 'True', reason: 'SuccessfullyQueued' },
  ],
  details: { nodePool },
});

const gkeWithPools = (
  ...pools: { name: string; queued: boolean }[]
): GkeClusterStatus => ({
  name: 'c',
  location: 'us-central1',
  projectId: 'p',
  status: 'RUNNING',
  conditions: [],
  nodePools: pools.map(p => ({
    name: p.name,
    status: 'RUNNING',
    flexStart: p.queued,
    queuedProvisioning: p.queued,
    spot: false,
    locations: [],
    additionalNetworks: [],
    nodeCount: 0,
  })),
});

const explain = (pr: ProvisioningRequestStatus, gke?: GkeClusterStatus) =>
  explainWorkload(waitingWorkload, {
    workloads: [waitingWorkload],
    provisioningRequests: [pr],
    localQueues: [],
    clusterQueues: [],
    gke,
    now: Date.parse('2026-09-01T08:00:00Z'),
  });

describe('explainWorkload', () => {
  it('waits for capacity while the DWS pool exists', () => {
    const why = explain(
      acceptedRequest('h200-dws'),
      gkeWithPools({ name: 'h200-dws', queued: true }),
    );
    expect(why.verdict).toBe('WaitingForCapacity');
  });

  it('flags a request Accepted against a node pool that no longer exists (autoscaler#9490)', () => {
    const why = explain(
      acceptedRequest('a100-dws'),
      gkeWithPools({ name: 'h200-dws', queued: true }),
    );
    expect(why).toMatchObject({ verdict: 'StuckAccepted', severity: 'error' });
    expect(why.summary).toContain('a100-dws');
    expect(why.nextStep).toContain('delete the Workload');
  });

  it('flags a request Accepted while no pool has queued provisioning', () => {
    const why = explain(
      acceptedRequest(),
      gkeWithPools({ name: 'default-pool', queued: false }),
    );
    expect(why.verdict).toBe('StuckAccepted');
  });
});

describe('decodeProvisioningFailure', () => {
  it.each([
    [
      'QuotaExceeded',
      "Quota 'NVIDIA_H200_GPUS' exceeded. Limit: 16.0 in region us-central1.",
      /NVIDIA_H200_GPUS/,
      /quota increase/,
    ],
    ['IPSpaceExhausted', 'no IPs', /no free addresses/, /Expand the subnet/],
    [
      'LimitExceeded',
      'MAX_INSTANCES_IN_INSTANCE_GROUP',
      /cannot grow/,
      /total max nodes/,
    ],
  ])('decodes %s', (reason, message, summary, nextStep) => {
    const decoded = decodeProvisioningFailure(reason, message);
    expect(decoded.summary).toMatch(summary);
    expect(decoded.nextStep).toMatch(nextStep);
  });
});
