import { buildClusterStatus, jobOf, podGpuRequest } from './buildStatus';
import { WATCHED_KINDS, type ClusterSnapshot } from './ClusterWatcher';
import { JobIndex, ProvisioningRequestIndex } from './snapshotIndex';

const CONSUME = 'cluster-autoscaler.kubernetes.io/consume-provisioning-request';

/** The linear search the index replaced (buildStatus.ts before issue 12), as the reference. */
function provisioningRequestByScan(wl: any, provreqs: any[]) {
  const int = (v: unknown) => {
    const n = Number.parseInt(String(v ?? '0'), 10);
    return Number.isFinite(n) ? n : 0;
  };
  const ns = wl.metadata.namespace;
  const sameNs = provreqs.filter(p => p.metadata.namespace === ns);
  const byOwner = sameNs.filter(p =>
    (p.metadata.ownerReferences ?? []).some(
      (o: any) => o.kind === 'Workload' && o.name === wl.metadata.name,
    ),
  );
  const consumed = (wl.status?.admissionChecks ?? [])
    .flatMap((a: any) => a.podSetUpdates ?? [])
    .map((u: any) => u.annotations?.[CONSUME])
    .find(Boolean);
  const byName = sameNs.filter(p =>
    p.metadata.name.startsWith(`${wl.metadata.name}-`),
  );
  return [
    ...sameNs.filter(p => p.metadata.name === consumed),
    ...byOwner,
    ...byName,
  ].sort(
    (a, b) =>
      int(b.metadata.name.split('-').pop()) -
      int(a.metadata.name.split('-').pop()),
  )[0];
}

/** A small deterministic generator (no Math.random: the case is reproducible). */
function lcg(seed: number) {
  let x = seed;
  return (n: number) => {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    return (x >>> 16) % n; // the low bits of an LCG cycle quickly
  };
}

describe('ProvisioningRequestIndex', () => {
  it('finds the same request as the linear search for every workload', () => {
    const pick = lcg(7);
    const namespaces = ['team-a', 'team-b'];
    const workloads = Array.from({ length: 60 }, (_, i) => ({
      metadata: {
        namespace: namespaces[pick(2)],
        // Names that prefix each other (job-a-1 / job-a-12) are the hard case for prefix lookups.
        name: `job-a-${i}`,
      },
      status:
        pick(3) === 0
          ? {
              admissionChecks: [
                {
                  podSetUpdates: [
                    { annotations: { [CONSUME]: `job-a-${pick(60)}-x-1` } },
                  ],
                },
              ],
            }
          : {},
    }));
    const provreqs = Array.from({ length: 120 }, () => {
      const owner = pick(60);
      return {
        metadata: {
          namespace: namespaces[pick(2)],
          name: `job-a-${owner}-${pick(2) ? 'x' : 'dws-prov'}-${pick(4)}`,
          ownerReferences: pick(2)
            ? [{ kind: 'Workload', name: `job-a-${pick(60)}` }]
            : [],
        },
      };
    });
    const index = new ProvisioningRequestIndex(provreqs);
    const found = workloads.map(w => index.of(w));
    expect(found).toEqual(
      workloads.map(w => provisioningRequestByScan(w, provreqs)),
    );
    // The case exercises every path, not only misses.
    expect(found.filter(Boolean).length).toBeGreaterThan(30);
  });

  it('does not take job-a-1 for the workload job-a, nor another namespace', () => {
    const index = new ProvisioningRequestIndex([
      { metadata: { namespace: 'x', name: 'job-ab-dws-prov-1' } },
      { metadata: { namespace: 'y', name: 'job-a-dws-prov-1' } },
    ]);
    expect(index.of({ metadata: { namespace: 'x', name: 'job-a' } })).toBe(
      undefined,
    );
  });
});

describe('JobIndex', () => {
  it("finds a workload's Job by owner reference, else by Kueue's name, in its namespace only", () => {
    const jobs = [
      { metadata: { namespace: 'a', name: 'train' } },
      { metadata: { namespace: 'b', name: 'train' } },
    ];
    const index = new JobIndex(jobs);
    expect(
      index.of({
        metadata: {
          namespace: 'b',
          name: 'whatever',
          ownerReferences: [{ kind: 'Job', name: 'train' }],
        },
      }),
    ).toBe(jobs[1]);
    expect(
      index.of({ metadata: { namespace: 'a', name: 'job-train-7f3c2' } }),
    ).toBe(jobs[0]);
    expect(
      jobOf({ metadata: { namespace: 'c', name: 'job-train-7f3c2' } }, jobs),
    ).toBeUndefined();
  });
});

const gpuNode = (name: string) => ({
  metadata: {
    name,
    labels: { 'cloud.google.com/gke-nodepool': 'h200-dws' },
  },
  status: {
    capacity: { 'nvidia.com/gpu': '8' },
    allocatable: { 'nvidia.com/gpu': '8' },
    conditions: [{ type: 'Ready', status: 'True' }],
  },
});

/** A pod of the NCCL verification Job as gpu-cluster-node renders it (Indexed, 8 GPUs). */
const ncclPod = (index: number, node: string, phase = 'Running') => ({
  metadata: {
    namespace: 'gpu-jobs',
    name: `nccl-verify-${index}-abcde`,
    labels: {
      'batch.kubernetes.io/job-name': 'nccl-verify',
      'batch.kubernetes.io/job-completion-index': String(index),
    },
  },
  spec: {
    nodeName: node,
    containers: [
      {
        name: 'nccl-test',
        securityContext: { privileged: true },
        resources: {
          limits: { 'nvidia.com/gpu': '8' },
          requests: { 'nvidia.com/gpu': '8' },
        },
      },
    ],
  },
  status: { phase },
});

function snapshotWith(nodes: any[], pods: any[]): ClusterSnapshot {
  const snap: any = { kinds: {} };
  for (const kind of WATCHED_KINDS) {
    snap[kind] = [];
    snap.kinds[kind] = { state: 'synced' };
  }
  return { ...snap, nodes, pods };
}

describe('GPUs in use', () => {
  it('counts the NCCL verification Job running on both GPU nodes', () => {
    const status = buildClusterStatus({
      entityRef: 'resource:default/c',
      clusterName: 'c',
      snapshot: snapshotWith(
        [gpuNode('gpu-a'), gpuNode('gpu-b')],
        [
          ncclPod(0, 'gpu-a'),
          ncclPod(1, 'gpu-b'),
          // Finished pods hold nothing.
          ncclPod(0, 'gpu-b', 'Succeeded'),
        ],
      ),
      sources: [],
      now: 0,
    });
    expect(status.summary.gpusInUse).toBe(16);
    expect(status.nodes.map(n => n.gpus.inUse)).toEqual([8, 8]);
  });

  it("counts a pod's effective request: limits alone, sidecars, the largest init container", () => {
    const gpus = (n: number, limitsOnly = false) => ({
      resources: limitsOnly
        ? { limits: { 'nvidia.com/gpu': String(n) } }
        : { requests: { 'nvidia.com/gpu': String(n) } },
    });
    expect(podGpuRequest({ spec: { containers: [gpus(4, true)] } })).toBe(4);
    expect(
      podGpuRequest({
        spec: {
          initContainers: [{ ...gpus(1), restartPolicy: 'Always' }],
          containers: [gpus(2), gpus(2)],
        },
      }),
    ).toBe(5);
    expect(
      podGpuRequest({
        spec: { initContainers: [gpus(8)], containers: [gpus(2)] },
      }),
    ).toBe(8);
    expect(podGpuRequest({ spec: { containers: [{}] } })).toBe(0);
  });
});
