import type {
  ClusterStatusDetail,
  NodeStatus,
  StatusFlag,
  WorkloadExplanation,
  WorkloadStatus,
} from '@gpu-platform/backstage-plugin-gpu-cluster-common';
import { validateResponse } from '../__testUtils__/validateResponse';
import {
  SUMMARY_FLAG_LIMIT,
  SUMMARY_HEAD_LIMIT,
  summarizeStatus,
} from './summarize';

const workload = (i: number): WorkloadStatus => ({
  namespace: 'team-a',
  name: `wl-${String(i).padStart(5, '0')}`,
  phase: 'Pending',
  active: true,
  // The higher the number, the older the workload.
  createdAt: new Date(Date.UTC(2026, 8, 1) - i * 60_000).toISOString(),
  gpus: 8,
  conditions: [],
  admissionChecks: [],
});

const explanation = (
  w: WorkloadStatus,
  verdict: WorkloadExplanation['verdict'],
  severity: WorkloadExplanation['severity'],
): WorkloadExplanation => ({
  namespace: w.namespace,
  workload: w.name,
  verdict,
  severity,
  summary: `${w.name} ${verdict}`,
  steps: [],
  clocks: [],
});

const node = (i: number, nodePool?: string, ready = true): NodeStatus => ({
  name: `node-${i}`,
  ...(nodePool && { nodePool }),
  ready,
  unschedulable: false,
  gpus: { capacity: 8, allocatable: 8, inUse: i % 2 ? 8 : 0 },
  networks: [],
});

/** A cluster of `n` unfinished Workloads, a few of them failing, and 500 nodes in two pools. */
function detailOf(n: number): ClusterStatusDetail {
  const workloads = Array.from({ length: n }, (_, i) => workload(i));
  const explanations = workloads.map((w, i) => {
    if (i % 1000 === 5) return explanation(w, 'ProvisioningFailed', 'error');
    if (i % 2 === 0) return explanation(w, 'Running', 'info');
    return explanation(w, 'WaitingForCapacity', 'info');
  });
  const flags: StatusFlag[] = workloads.slice(0, 100).map((w, i) => ({
    severity: i === 99 ? 'error' : 'warning',
    code: 'AcceptedForLong',
    subject: `ProvisioningRequest ${w.namespace}/${w.name}`,
    message: 'Waiting for capacity for 30 h.',
    fix: 'Allow more zones.',
  }));
  return {
    entityRef: 'resource:default/big',
    clusterName: 'big',
    generatedAt: '2026-09-01T00:00:00.000Z',
    sources: [{ name: 'kubernetes', ok: true }],
    sections: {
      nodes: { state: 'ok' },
      gpuUsage: { state: 'ok' },
      queues: { state: 'ok' },
      workloads: { state: 'ok' },
      provisioningRequests: { state: 'ok' },
      ray: { state: 'notInstalled' },
      fabric: { state: 'ok' },
    },
    summary: { nodes: 500, pendingWorkloads: n },
    nodes: Array.from({ length: 500 }, (_, i) =>
      node(i, i < 498 ? `pool-${i % 2}` : undefined, i !== 3),
    ),
    clusterQueues: [],
    localQueues: [],
    workloads,
    provisioningRequests: [],
    rayClusters: [],
    rayJobs: [],
    flags,
    explanations,
  };
}

describe('summarizeStatus', () => {
  const detail = detailOf(10_000);
  const summary = summarizeStatus(detail);

  it('carries a bounded head of the explanations and flags, stating the bound and the total', () => {
    expect(summary.explanations.items).toHaveLength(SUMMARY_HEAD_LIMIT);
    expect(summary.explanations).toMatchObject({
      limit: SUMMARY_HEAD_LIMIT,
      total: 10_000,
    });
    expect(summary.flags.items).toHaveLength(SUMMARY_FLAG_LIMIT);
    expect(summary.flags).toMatchObject({
      limit: SUMMARY_FLAG_LIMIT,
      total: 100,
    });
    expect(summary.flags.items[0].severity).toBe('error');
    for (const list of ['nodes', 'workloads', 'provisioningRequests']) {
      expect(summary).not.toHaveProperty(list);
    }
    validateResponse('/clusters/{namespace}/{name}/status', 200, summary);
  });

  it('puts errors first, then waiting workloads, running ones last, oldest first within each', () => {
    const head = summary.explanations.items;
    const errors = head.filter(e => e.severity === 'error');
    // Ten failing workloads (i = 5, 1005, ... 9005), the oldest first.
    expect(errors).toHaveLength(10);
    expect(errors[0].workload).toBe('wl-09005');
    expect(errors.at(-1)!.workload).toBe('wl-00005');
    const small = summarizeStatus(detailOf(12), {
      explanations: 12,
      flags: 1,
    }).explanations.items;
    expect(small.map(e => e.verdict)).toEqual([
      'ProvisioningFailed',
      ...Array(5).fill('WaitingForCapacity'),
      ...Array(6).fill('Running'),
    ]);
    expect(small[1].workload).toBe('wl-00011');
  });

  it('adds up the nodes per pool, nodes without a pool last', () => {
    expect(summary.nodePools).toEqual([
      {
        nodePool: 'pool-0',
        nodes: 249,
        readyNodes: 249,
        gpus: { capacity: 1992, allocatable: 1992, inUse: 0 },
      },
      {
        nodePool: 'pool-1',
        nodes: 249,
        readyNodes: 248,
        gpus: { capacity: 1992, allocatable: 1992, inUse: 1992 },
      },
      {
        nodes: 2,
        readyNodes: 2,
        gpus: { capacity: 16, allocatable: 16, inUse: 8 },
      },
    ]);
  });

  it('stays small at 10,000 Workloads', () => {
    // The target for the tab's summary response.
    expect(JSON.stringify(summary).length).toBeLessThan(50 * 1024);
  });
});
