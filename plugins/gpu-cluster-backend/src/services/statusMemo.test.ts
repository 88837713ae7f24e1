import { buildClusterStatus, StatusBuilder } from './buildStatus';
import {
  WATCHED_KINDS,
  type ClusterSnapshot,
  type WatchedKind,
} from './ClusterWatcher';
import { summarizeStatus } from './summarize';

/**
 * A rebuild re-derives only what changed (statusMemo.ts) and must still give exactly what a build
 * from scratch gives. The snapshots below behave as the informers' do: a changed object is a new
 * object in the same place of its list, an unchanged one is the same object.
 */

const T0 = Date.parse('2026-09-01T08:00:00Z');
const iso = (ms: number) =>
  new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const NS = 'team-a';

/** A small deterministic PRNG (mulberry32), so a failing sequence can be replayed. */
function random(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const cond = (type: string, status: string, reason: string, at: number) => ({
  type,
  status,
  reason,
  message: `${type} ${reason}`,
  lastTransitionTime: iso(at),
});

/** The conditions of a workload in one of Kueue's phases (with a DWS check). */
function workloadStatus(phase: number, at: number) {
  const quota = cond('QuotaReserved', 'True', 'QuotaReserved', at);
  switch (phase % 6) {
    case 0:
      return { conditions: [cond('QuotaReserved', 'False', 'Pending', at)] };
    case 1:
      return {
        conditions: [quota],
        admission: { clusterQueue: 'dws-cluster-queue' },
        admissionChecks: [
          { name: 'dws-prov', state: 'Pending', lastTransitionTime: iso(at) },
        ],
      };
    case 2:
      return {
        conditions: [quota, cond('Admitted', 'True', 'Admitted', at)],
        admission: { clusterQueue: 'dws-cluster-queue' },
        admissionChecks: [
          { name: 'dws-prov', state: 'Ready', lastTransitionTime: iso(at) },
        ],
      };
    case 3:
      return {
        conditions: [quota, cond('Evicted', 'True', 'AdmissionCheck', at)],
        admissionChecks: [
          { name: 'dws-prov', state: 'Retry', lastTransitionTime: iso(at) },
        ],
      };
    case 4:
      return { conditions: [cond('Finished', 'True', 'Succeeded', at)] };
    default:
      return {
        conditions: [quota],
        admission: { clusterQueue: 'missing-queue' },
      };
  }
}

const workload = (name: string, phase: number, at: number) => ({
  apiVersion: 'kueue.x-k8s.io/v1beta2',
  kind: 'Workload',
  metadata: {
    namespace: NS,
    name: `job-${name}-abcde`,
    uid: `wl-${name}-${phase}`,
    resourceVersion: String(at),
    creationTimestamp: iso(at - 60_000),
    ownerReferences: [{ kind: 'Job', name, controller: true }],
  },
  spec: {
    queueName: phase % 7 === 6 ? 'no-such-queue' : 'dws-local-queue',
    podSets: [
      {
        count: 2,
        template: {
          spec: {
            containers: [{ resources: { limits: { 'nvidia.com/gpu': '8' } } }],
          },
        },
      },
    ],
  },
  status: workloadStatus(phase, at),
});

const PR_STATES = [
  [cond('Accepted', 'True', 'Accepted', T0)],
  [
    cond('Accepted', 'True', 'Accepted', T0),
    cond('Provisioned', 'True', 'Provisioned', T0),
  ],
  [cond('Failed', 'True', 'ResourcePoolExhausted', T0)],
  [cond('BookingExpired', 'True', 'BookingExpired', T0)],
];

const provisioningRequest = (name: string, state: number, attempt = 1) => ({
  apiVersion: 'autoscaling.x-k8s.io/v1',
  kind: 'ProvisioningRequest',
  metadata: {
    namespace: NS,
    name: `job-${name}-abcde-dws-prov-${attempt}`,
    uid: `pr-${name}-${attempt}-${state}`,
    creationTimestamp: iso(T0 - 120_000),
    ownerReferences: [{ kind: 'Workload', name: `job-${name}-abcde` }],
  },
  spec: {
    provisioningClassName: 'queued-provisioning.gke.io',
    parameters: { maxRunDurationSeconds: '3600' },
  },
  status: {
    conditions: PR_STATES[state % PR_STATES.length],
    provisioningClassDetails: { NodePoolName: 'h200-dws' },
  },
});

const job = (name: string, ready: number) => ({
  apiVersion: 'batch/v1',
  kind: 'Job',
  metadata: {
    namespace: NS,
    name,
    labels: { 'kueue.x-k8s.io/queue-name': 'dws-local-queue' },
  },
  status: { ready },
});

const node = (i: number, ready: boolean) => ({
  apiVersion: 'v1',
  kind: 'Node',
  metadata: {
    name: `gke-gpu-${i}`,
    labels: {
      'cloud.google.com/gke-nodepool': i % 3 ? 'h200-dws' : 'h100-spot',
      'cloud.google.com/gke-accelerator': 'nvidia-h200-141gb',
    },
  },
  status: {
    capacity: { 'nvidia.com/gpu': '8' },
    allocatable: { 'nvidia.com/gpu': '8' },
    conditions: [
      ready
        ? cond('Ready', 'True', 'KubeletReady', T0)
        : cond('Ready', 'False', 'KubeletNotReady', T0),
    ],
  },
});

const pod = (jobName: string, i: number, nodeName: string, phase: string) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: {
    namespace: NS,
    name: `${jobName}-${i}-xyz12`,
    labels: { 'batch.kubernetes.io/job-name': jobName },
  },
  spec: {
    nodeName,
    containers: [{ resources: { requests: { 'nvidia.com/gpu': '4' } } }],
  },
  status: { phase },
});

const queues = (active: boolean) => ({
  clusterqueues: [
    {
      metadata: { name: 'dws-cluster-queue' },
      spec: { admissionChecks: ['dws-prov'] },
      status: {
        pendingWorkloads: 3,
        conditions: [cond('Active', 'True', 'Ready', T0)],
      },
    },
  ],
  localqueues: [
    {
      metadata: { namespace: NS, name: 'dws-local-queue' },
      spec: { clusterQueue: 'dws-cluster-queue' },
      status: {
        conditions: [
          active
            ? cond('Active', 'True', 'Ready', T0)
            : cond('Active', 'False', 'ClusterQueueDoesNotExist', T0),
        ],
      },
    },
  ],
});

/** A cluster of `n` workloads with their Jobs, ProvisioningRequests, pods and nodes. */
function cluster(n: number): ClusterSnapshot {
  const lists = Object.fromEntries(
    WATCHED_KINDS.map(kind => [kind, [] as any[]]),
  ) as Record<WatchedKind, any[]>;
  for (let i = 0; i < n; i++) {
    const name = `train-${i}`;
    lists.workloads.push(workload(name, i, T0 - i * 1000));
    lists.jobs.push(job(name, i % 2));
    if (i % 2 === 0)
      lists.provisioningrequests.push(provisioningRequest(name, i));
    if (i % 3 === 0) {
      lists.pods.push(pod(name, 0, `gke-gpu-${i % 8}`, 'Running'));
    }
  }
  for (let i = 0; i < 8; i++) lists.nodes.push(node(i, i !== 5));
  Object.assign(lists, queues(true));
  const kinds = Object.fromEntries(
    WATCHED_KINDS.map(kind => [kind, { state: 'synced' }]),
  ) as ClusterSnapshot['kinds'];
  return { ...lists, kinds };
}

/** A copy of the snapshot's lists (the informers hand out new arrays of the same objects). */
const snapshotOf = (s: ClusterSnapshot): ClusterSnapshot =>
  Object.fromEntries(
    Object.entries(s).map(([k, v]) => [k, Array.isArray(v) ? [...v] : v]),
  ) as ClusterSnapshot;

const GKE = {
  projectId: 'gpu-demo',
  location: 'us-central1',
  name: 'c',
  status: 'RUNNING',
  nodePools: [
    { name: 'h200-dws', queuedProvisioning: true },
    { name: 'h100-spot' },
  ],
} as any;

const inputAt = (snapshot: ClusterSnapshot, now: number) => ({
  entityRef: 'resource:default/c',
  clusterName: 'c',
  snapshot: snapshotOf(snapshot),
  gke: GKE,
  sources: [{ name: 'kubernetes' as const, ok: true }],
  projectId: 'gpu-demo',
  now,
});

/** One change as the informer would hold it: a new object in place, a new one, or one gone. */
function mutate(s: ClusterSnapshot, rnd: () => number, step: number): string {
  const pick = <T>(xs: T[]) => Math.floor(rnd() * xs.length);
  const at = T0 + step * 1000;
  switch (Math.floor(rnd() * 9)) {
    case 0: {
      const i = pick(s.workloads);
      const old = s.workloads[i];
      const name = old.metadata.ownerReferences[0].name;
      s.workloads[i] = workload(name, Math.floor(rnd() * 6), at);
      return `workload ${name} changed phase`;
    }
    case 1: {
      const i = pick(s.workloads);
      s.workloads[i] = {
        ...s.workloads[i],
        metadata: { ...s.workloads[i].metadata, resourceVersion: String(at) },
      };
      return 'workload touched (new version, same content)';
    }
    case 2: {
      const [gone] = s.workloads.splice(pick(s.workloads), 1);
      return `workload ${gone.metadata.name} deleted`;
    }
    case 3: {
      const name = `new-${step}`;
      s.workloads.push(workload(name, step, at));
      s.jobs.push(job(name, 0));
      return `workload ${name} added`;
    }
    case 4: {
      if (s.provisioningrequests.length === 0) return 'no request';
      const i = pick(s.provisioningrequests);
      const owner = s.provisioningrequests[i].metadata.ownerReferences[0].name;
      const name = owner.replace(/^job-/, '').replace(/-abcde$/, '');
      // A retry: a newer attempt, the old one stays.
      if (rnd() < 0.5) {
        s.provisioningrequests.push(
          provisioningRequest(name, Math.floor(rnd() * 4), 2 + step),
        );
        return `request of ${name} retried`;
      }
      s.provisioningrequests[i] = provisioningRequest(
        name,
        Math.floor(rnd() * 4),
        Number(s.provisioningrequests[i].metadata.name.split('-').pop()),
      );
      return `request of ${name} changed state`;
    }
    case 5: {
      const w = s.workloads[pick(s.workloads)];
      const name = w.metadata.ownerReferences[0].name;
      s.pods.push(pod(name, step, `gke-gpu-${step % 8}`, 'Pending'));
      return `pod of ${name} added`;
    }
    case 6: {
      if (s.pods.length === 0) return 'no pod';
      const i = pick(s.pods);
      if (rnd() < 0.5) {
        const [gone] = s.pods.splice(i, 1);
        return `pod ${gone.metadata.name} deleted`;
      }
      s.pods[i] = {
        ...s.pods[i],
        status: { phase: rnd() < 0.5 ? 'Succeeded' : 'Running' },
      };
      return `pod ${s.pods[i].metadata.name} changed phase`;
    }
    case 7: {
      const i = pick(s.nodes);
      s.nodes[i] = node(i, rnd() < 0.5);
      return `node ${i} readiness`;
    }
    default: {
      if (rnd() < 0.5) {
        const i = pick(s.jobs);
        s.jobs[i] = job(s.jobs[i].metadata.name, Math.floor(rnd() * 3));
        return `job ${s.jobs[i].metadata.name} ready count`;
      }
      Object.assign(s, queues(rnd() < 0.5));
      return 'queues replaced';
    }
  }
}

describe('StatusBuilder (incremental rebuilds)', () => {
  it.each([1, 2, 3, 4, 5])(
    'equals a build from scratch after every one of 60 random changes (seed %i)',
    seed => {
      const rnd = random(seed);
      const s = cluster(40);
      const builder = new StatusBuilder();
      expect(builder.build(inputAt(s, T0))).toEqual(
        buildClusterStatus(inputAt(s, T0)),
      );
      for (let step = 1; step <= 60; step++) {
        const what = mutate(s, rnd, step);
        // Time moves too: clocks and age-based flags depend on it.
        const now = T0 + step * 61_000;
        const incremental = builder.build(inputAt(s, now));
        const scratch = buildClusterStatus(inputAt(s, now));
        expect({ what, status: incremental }).toEqual({
          what,
          status: scratch,
        });
        expect(summarizeStatus(incremental)).toEqual(summarizeStatus(scratch));
      }
    },
  );

  it('re-derives only the changed Workload and its explanation', () => {
    const s = cluster(200);
    const builder = new StatusBuilder();
    builder.build(inputAt(s, T0));
    expect(builder.derived()).toMatchObject({
      workloads: 200,
      nodes: 8,
      provisioningRequests: 100,
    });

    // Nothing changed: nothing derived, the same lists.
    const before = builder.build(inputAt(s, T0));
    const again = builder.build(inputAt(s, T0));
    expect(Object.values(builder.derived()).every(n => n === 0)).toBe(true);
    expect(again.workloads).toBe(before.workloads);

    // One Workload changed (waiting for its check → admitted; its Job has a ready pod).
    const i = s.workloads.findIndex(
      w => w.metadata.name === 'job-train-7-abcde',
    );
    s.workloads[i] = workload('train-7', 2, T0 + 5000);
    const after = builder.build(inputAt(s, T0));
    expect(builder.derived()).toEqual({
      nodes: 0,
      workloads: 1,
      provisioningRequests: 0,
      explanations: 1,
      clusterQueues: 0,
      localQueues: 0,
      rayClusters: 0,
      rayJobs: 0,
    });
    expect(
      after.workloads.find(w => w.name === 'job-train-7-abcde')?.phase,
    ).toBe('Running');
  });

  it("re-derives a pod's node and the explanation of the workload whose Job owns it, nothing else", () => {
    const s = cluster(200);
    const builder = new StatusBuilder();
    builder.build(inputAt(s, T0));
    s.pods.push(pod('train-9', 1, 'gke-gpu-2', 'Running'));
    builder.build(inputAt(s, T0));
    expect(builder.derived()).toMatchObject({
      nodes: 1,
      workloads: 0,
      provisioningRequests: 0,
      explanations: 1,
    });
  });

  it('re-derives the workloads a changed ProvisioningRequest belongs to', () => {
    const s = cluster(200);
    const builder = new StatusBuilder();
    builder.build(inputAt(s, T0));
    s.provisioningrequests.push(provisioningRequest('train-12', 2, 2));
    builder.build(inputAt(s, T0));
    expect(builder.derived()).toMatchObject({
      workloads: 1,
      provisioningRequests: 1,
      explanations: 1,
      nodes: 0,
    });
  });
});
