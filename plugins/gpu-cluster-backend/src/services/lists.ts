import { InputError } from '@backstage/errors';
import type {
  ClusterStatusDetail,
  NodeStatus,
  PagedList,
  ProvisioningRequestStatus,
  WorkloadStatus,
} from '@gpu-platform/backstage-plugin-gpu-cluster-common';
import { z } from 'zod';

/** Kubernetes namespace / object names as filter values. */
const K8S_NAME = z
  .string()
  .max(253)
  .regex(/^[a-z0-9](?:[a-z0-9.-]{0,251}[a-z0-9])?$/);

const paging = {
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
  /** A page is at most 500 rows, so one response stays small whatever the cluster's size. */
  limit: z.coerce.number().int().min(1).max(500).default(50),
  order: z.enum(['asc', 'desc']).default('asc'),
};

const WORKLOAD_PHASES = [
  'Pending',
  'QuotaReserved',
  'Admitted',
  'Running',
  'Evicted',
  'Finished',
  'Failed',
  'Inactive',
] as const;
const PROVISIONING_STATES = [
  'Pending',
  'Accepted',
  'Provisioned',
  'BookingExpired',
  'CapacityRevoked',
  'Failed',
] as const;

interface ListSpec<T> {
  query: z.ZodType<any>;
  items: (status: ClusterStatusDetail) => T[];
  matches: (item: T, q: any) => boolean;
  sortKeys: Record<string, (item: T) => string | number>;
}

const byKey = (item: { namespace?: string; name: string }) =>
  `${item.namespace ?? ''}/${item.name}`;

export const LISTS = {
  workloads: {
    query: z.strictObject({
      namespace: K8S_NAME.optional(),
      /** The LocalQueue (spec.queueName) or the ClusterQueue it was admitted to. */
      queue: K8S_NAME.optional(),
      state: z.enum(WORKLOAD_PHASES).optional(),
      /** true: the unfinished ones (every phase but Finished), the ones with an explanation. */
      unfinished: z.enum(['true', 'false']).optional(),
      /** The name of the object that owns the Workload (its Job, RayJob, …). */
      owner: K8S_NAME.optional(),
      sort: z.enum(['name', 'createdAt', 'phase', 'gpus']).default('name'),
      ...paging,
    }),
    items: s => s.workloads,
    matches: (w, q) =>
      (!q.namespace || w.namespace === q.namespace) &&
      (!q.queue || w.queueName === q.queue || w.clusterQueue === q.queue) &&
      (!q.state || w.phase === q.state) &&
      (!q.owner || w.owner?.name === q.owner) &&
      (!q.unfinished || (w.phase !== 'Finished') === (q.unfinished === 'true')),
    sortKeys: {
      name: byKey,
      createdAt: w => w.createdAt ?? '',
      phase: w => w.phase,
      gpus: w => w.gpus,
    },
  } satisfies ListSpec<WorkloadStatus>,
  provisioningrequests: {
    query: z.strictObject({
      namespace: K8S_NAME.optional(),
      state: z.enum(PROVISIONING_STATES).optional(),
      sort: z.enum(['name', 'createdAt', 'state']).default('name'),
      ...paging,
    }),
    items: s => s.provisioningRequests,
    matches: (p, q) =>
      (!q.namespace || p.namespace === q.namespace) &&
      (!q.state || p.state === q.state),
    sortKeys: {
      name: byKey,
      createdAt: p => p.createdAt ?? '',
      state: p => p.state,
    },
  } satisfies ListSpec<ProvisioningRequestStatus>,
  nodes: {
    query: z.strictObject({
      nodePool: K8S_NAME.optional(),
      state: z.enum(['ready', 'notReady']).optional(),
      sort: z.enum(['name', 'nodePool', 'gpusInUse']).default('name'),
      ...paging,
    }),
    items: s => s.nodes,
    matches: (n, q) =>
      (!q.nodePool || n.nodePool === q.nodePool) &&
      (!q.state || n.ready === (q.state === 'ready')),
    sortKeys: {
      name: n => n.name,
      nodePool: n => n.nodePool ?? '',
      gpusInUse: n => n.gpus.inUse,
    },
  } satisfies ListSpec<NodeStatus>,
};

export type ListName = keyof typeof LISTS;

/** The item type of each list. */
export interface ListItems {
  workloads: WorkloadStatus;
  provisioningrequests: ProvisioningRequestStatus;
  nodes: NodeStatus;
}

/** The section whose state says whether a list can be trusted. */
const SECTION_OF = {
  workloads: 'workloads',
  provisioningrequests: 'provisioningRequests',
  nodes: 'nodes',
} as const;

/**
 * One page of a list of the status: filtered, sorted (ties by namespace/name, so pages are
 * stable), then sliced. Bad query parameters are a 400 naming the parameter.
 */
export function pageOf<L extends ListName>(
  list: L,
  status: ClusterStatusDetail,
  rawQuery: unknown,
): PagedList<ListItems[L]> {
  const spec = LISTS[list] as ListSpec<any>;
  const parsed = spec.query.safeParse(rawQuery);
  if (!parsed.success) {
    throw new InputError(
      `Invalid query: ${parsed.error.issues
        .map(i => `${i.path.join('.') || '(query)'}: ${i.message}`)
        .join('; ')}`,
    );
  }
  const q = parsed.data;
  const key = spec.sortKeys[q.sort];
  const direction = q.order === 'desc' ? -1 : 1;
  const compare = (a: any, b: any) => {
    const x = key(a);
    const y = key(b);
    const primary =
      typeof x === 'number' && typeof y === 'number'
        ? x - y
        : String(x).localeCompare(String(y));
    return primary !== 0
      ? direction * primary
      : byKey(a).localeCompare(byKey(b));
  };
  const matching = spec.items(status).filter(item => spec.matches(item, q));
  return {
    items: matching.sort(compare).slice(q.offset, q.offset + q.limit),
    total: matching.length,
    offset: q.offset,
    limit: q.limit,
    section: status.sections?.[SECTION_OF[list]],
  };
}
