import type {
  ClusterStatus,
  ClusterStatusDetail,
  NodePoolUsage,
  StatusHead,
  StatusSeverity,
  WorkloadExplanation,
} from '@gpu-platform/backstage-plugin-gpu-cluster-common';
import { subjectOf } from './explain';
import { compareFlags } from './flags';

/**
 * How many unfinished workloads' explanations, and how many flags, the summary carries. Small on
 * purpose: the summary's size must not grow with the cluster (the tab pages the rest).
 */
export const SUMMARY_HEAD_LIMIT = 10;
export const SUMMARY_FLAG_LIMIT = 25;

const SEVERITY_RANK: Record<StatusSeverity, number> = {
  error: 0,
  warning: 1,
  info: 2,
};

function headOf<T>(items: T[], limit: number): StatusHead<T> {
  return { items: items.slice(0, limit), limit, total: items.length };
}

const compareStrings = (a: string, b: string) => {
  if (a === b) return 0;
  return a < b ? -1 : 1;
};

interface Ranked {
  e: WorkloadExplanation;
  rank: number;
  at: string;
}

const keyOf = (e: WorkloadExplanation) => `${e.namespace}/${e.workload}`;

const compareRanked = (a: Ranked, b: Ranked) =>
  a.rank - b.rank ||
  compareStrings(a.at, b.at) ||
  compareStrings(keyOf(a.e), keyOf(b.e));

/**
 * The `limit` most pressing explanations: errors first, then warnings, then waiting workloads,
 * running ones last; oldest first within (then by namespace/name). The same as sorting them all
 * and taking the first `limit`, but one pass that keeps only the head, so a summary of 10,000
 * explanations costs about one comparison each. Keys are plain strings (RFC 3339 times sort as
 * text).
 */
function mostPressingFirst(
  detail: ClusterStatusDetail,
  limit: number,
): WorkloadExplanation[] {
  let createdAt: Map<string, string> | undefined;
  const createdAtOf = (e: WorkloadExplanation) => {
    // The workload an explanation was derived from, else looked up (built once, when needed).
    const subject = subjectOf(e);
    if (subject?.namespace === e.namespace && subject.name === e.workload) {
      return subject.createdAt ?? '';
    }
    createdAt ??= new Map(
      detail.workloads.map(w => [
        `${w.namespace}/${w.name}`,
        w.createdAt ?? '',
      ]),
    );
    return createdAt.get(keyOf(e)) ?? '';
  };
  const head: Ranked[] = [];
  if (limit <= 0) return [];
  for (const e of detail.explanations) {
    const ranked = {
      e,
      rank: SEVERITY_RANK[e.severity] * 2 + (e.verdict === 'Running' ? 1 : 0),
      at: createdAtOf(e),
    };
    if (head.length === limit && compareRanked(ranked, head[limit - 1]) >= 0) {
      continue;
    }
    let lo = 0;
    let hi = head.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (compareRanked(head[mid], ranked) <= 0) lo = mid + 1;
      else hi = mid;
    }
    head.splice(lo, 0, ranked);
    if (head.length > limit) head.pop();
  }
  return head.map(x => x.e);
}

/** The nodes of each node pool added up, pools by name (nodes without a pool last). */
function nodePoolsOf(detail: ClusterStatusDetail): NodePoolUsage[] {
  const pools = new Map<string | undefined, NodePoolUsage>();
  for (const n of detail.nodes) {
    let pool = pools.get(n.nodePool);
    if (!pool) {
      pool = {
        ...(n.nodePool !== undefined && { nodePool: n.nodePool }),
        nodes: 0,
        readyNodes: 0,
        gpus: { capacity: 0, allocatable: 0, inUse: 0 },
      };
      pools.set(n.nodePool, pool);
    }
    pool.nodes += 1;
    pool.readyNodes += n.ready ? 1 : 0;
    pool.gpus.capacity += n.gpus.capacity;
    pool.gpus.allocatable += n.gpus.allocatable;
    pool.gpus.inUse += n.gpus.inUse;
  }
  // '\uffff' sorts the nodes without a pool last.
  const name = (p: NodePoolUsage) => p.nodePool ?? '\uffff';
  return [...pools.values()].sort((a, b) => name(a).localeCompare(name(b)));
}

/**
 * The bounded status the tab loads first, from everything assembled: counts and queues in full,
 * the long lists (nodes, Workloads, ProvisioningRequests) only as aggregates and a short head.
 */
export function summarizeStatus(
  detail: ClusterStatusDetail,
  limits: { explanations: number; flags: number } = {
    explanations: SUMMARY_HEAD_LIMIT,
    flags: SUMMARY_FLAG_LIMIT,
  },
): ClusterStatus {
  const flags = [...detail.flags].sort(compareFlags);
  return {
    entityRef: detail.entityRef,
    clusterName: detail.clusterName,
    generatedAt: detail.generatedAt,
    sources: detail.sources,
    sections: detail.sections,
    summary: detail.summary,
    ...(detail.gke && { gke: detail.gke }),
    nodePools: nodePoolsOf(detail),
    clusterQueues: detail.clusterQueues,
    localQueues: detail.localQueues,
    rayClusters: detail.rayClusters,
    rayJobs: detail.rayJobs,
    flags: headOf(flags, limits.flags),
    ...(detail.fabric && { fabric: detail.fabric }),
    ...(detail.fabricVerification && {
      fabricVerification: detail.fabricVerification,
    }),
    explanations: {
      items: mostPressingFirst(detail, limits.explanations),
      limit: limits.explanations,
      total: detail.explanations.length,
    },
  };
}
