import type {
  KubernetesObject,
  V1Condition,
  V1ObjectMeta,
} from '@kubernetes/client-node';
import { buildClusterStatus } from './buildStatus';
import {
  WATCHED_KINDS,
  type ClusterSnapshot,
  type WatchedKind,
} from './ClusterWatcher';

/**
 * The RetryWithoutRequeue flag (user-needs §1, findings 1 and 3): on GKE with DWS, the
 * ProvisioningRequest admission check is left in `Retry` on a Workload Kueue has evicted
 * (`Evicted=True`, reason AdmissionCheck). Eviction should reset the check to Pending
 * (`ResetChecksOnEviction`); while it stays in Retry the scheduler never re-admits the workload,
 * whether or not its backoff finished (kubernetes-sigs/kueue#5129, where the maintainers traced it
 * to a race between the provisioning and workload controllers; #3322, #5134). The workaround is to
 * delete the Workload. Kueue v0.19 — which the emulators follow — resets the check, so the stuck
 * state does not arise in the emulated cluster: the fixtures below are the states the issues
 * report.
 */

/** A Kueue v1beta2 Workload as the API server serves it (client-node's metadata and condition types). */
interface WorkloadObject extends KubernetesObject {
  metadata: V1ObjectMeta;
  spec: { queueName: string; podSets: unknown[] };
  status: {
    conditions: V1Condition[];
    admissionChecks: {
      name: string;
      state: 'Pending' | 'Ready' | 'Retry' | 'Rejected';
      message: string;
      lastTransitionTime: Date;
    }[];
    admission?: { clusterQueue: string };
    requeueState?: { count: number; requeueAt: Date };
  };
}

const NOW = Date.parse('2026-09-01T08:00:00Z');
const at = (time: string) => new Date(`2026-09-01T${time}Z`);

const condition = (
  type: string,
  status: 'True' | 'False',
  reason: string,
  message: string,
  time: string,
): V1Condition => ({
  type,
  status,
  reason,
  message,
  lastTransitionTime: at(time),
  observedGeneration: 1,
});

const QUOTA_RESERVED = condition(
  'QuotaReserved',
  'True',
  'QuotaReserved',
  'Quota reserved in ClusterQueue dws-cluster-queue',
  '07:31:00',
);
const QUOTA_RELEASED = condition(
  'QuotaReserved',
  'False',
  'Pending',
  'The workload has failed admission checks',
  '07:40:00',
);
const EVICTED_BY_CHECK = condition(
  'Evicted',
  'True',
  'AdmissionCheck',
  'At least one admission check is false',
  '07:40:00',
);
const REQUEUED = condition(
  'Requeued',
  'True',
  'BackoffFinished',
  'The workload backoff was finished',
  '07:41:00',
);

const RETRY = {
  name: 'dws-prov',
  state: 'Retry' as const,
  message:
    'Retrying after failure: Max nodepool size reached, affected nodepools: h200-dws',
  lastTransitionTime: at('07:39:30'),
};
const RESET_TO_PENDING = {
  name: 'dws-prov',
  state: 'Pending' as const,
  message: 'Reset to Pending after eviction. Previously: Retry',
  lastTransitionTime: at('07:40:00'),
};

function workload(
  status: Pick<WorkloadObject['status'], 'conditions' | 'admissionChecks'> &
    Partial<WorkloadObject['status']>,
): WorkloadObject {
  return {
    apiVersion: 'kueue.x-k8s.io/v1beta2',
    kind: 'Workload',
    metadata: {
      name: 'job-train-7f3c2',
      namespace: 'default',
      uid: '0d7b64b5-5c2a-4f3e-9d62-0c8f2d9e1a11',
      creationTimestamp: at('07:30:00'),
      ownerReferences: [
        {
          apiVersion: 'batch/v1',
          kind: 'Job',
          name: 'train',
          uid: '6f2d3b1e-7a0c-4d6e-8b9f-3e4a5c6d7e8f',
          controller: true,
        },
      ],
    },
    spec: { queueName: 'dws-local-queue', podSets: [] },
    status,
  };
}

/** What the informers hold: the API server's JSON (dates as RFC 3339 strings). */
function snapshotOf(workloads: WorkloadObject[]): ClusterSnapshot {
  const kinds = Object.fromEntries(
    WATCHED_KINDS.map(kind => [kind, { state: 'synced' }]),
  ) as ClusterSnapshot['kinds'];
  const lists = Object.fromEntries(
    WATCHED_KINDS.map(kind => [kind, [] as unknown[]]),
  ) as Record<WatchedKind, any[]>;
  lists.workloads = JSON.parse(JSON.stringify(workloads));
  return { ...lists, kinds };
}

const retryFlags = (...workloads: WorkloadObject[]) =>
  buildClusterStatus({
    entityRef: 'resource:default/c',
    clusterName: 'c',
    snapshot: snapshotOf(workloads),
    sources: [],
    now: NOW,
  }).flags.filter(f => f.code === 'RetryWithoutRequeue');

describe('the RetryWithoutRequeue flag', () => {
  it('flags the stuck state of kueue#3322: check in Retry, quota still reserved, evicted, never requeued', () => {
    const stuck = workload({
      conditions: [QUOTA_RESERVED, EVICTED_BY_CHECK],
      admissionChecks: [RETRY],
      admission: { clusterQueue: 'dws-cluster-queue' },
    });
    expect(retryFlags(stuck)).toEqual([
      {
        severity: 'warning',
        code: 'RetryWithoutRequeue',
        subject: 'Workload default/job-train-7f3c2',
        message: expect.stringContaining(
          'Admission check dws-prov is still in Retry on the evicted workload',
        ),
        fix: 'Delete the Workload to re-trigger the check.',
        reference: 'https://github.com/kubernetes-sigs/kueue/issues/5129',
      },
    ]);
  });

  it('flags the status kueue#5129 reports: quota released and backoff finished, but the check still in Retry', () => {
    expect(
      retryFlags(
        workload({
          conditions: [QUOTA_RELEASED, EVICTED_BY_CHECK, REQUEUED],
          admissionChecks: [RETRY],
          requeueState: { count: 1, requeueAt: at('07:41:00') },
        }),
      ).map(f => f.subject),
    ).toEqual(['Workload default/job-train-7f3c2']);
  });

  it('does not flag a check reset to Pending after the eviction (Kueue v0.19)', () => {
    expect(
      retryFlags(
        workload({
          conditions: [QUOTA_RELEASED, EVICTED_BY_CHECK, REQUEUED],
          admissionChecks: [RESET_TO_PENDING],
          requeueState: { count: 1, requeueAt: at('07:41:00') },
        }),
      ),
    ).toEqual([]);
  });

  it('does not flag a check in Retry before Kueue evicted the workload', () => {
    expect(
      retryFlags(
        workload({
          conditions: [QUOTA_RESERVED],
          admissionChecks: [RETRY],
          admission: { clusterQueue: 'dws-cluster-queue' },
        }),
      ),
    ).toEqual([]);
  });
});
