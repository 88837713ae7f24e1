import {
  createApiRef,
  type DiscoveryApi,
  type FetchApi,
} from '@backstage/core-plugin-api';
import { ResponseError } from '@backstage/errors';
import type {
  ClusterStatus,
  GpuFleet,
  PagedList,
  RayDashboardJobs,
  StatusListName,
  StatusListQuery,
  StackPolicyView,
  StackPreviewResponse,
  WorkloadExplanation,
  ComponentClusterStatus,
} from '@gpu-platform/backstage-plugin-gpu-cluster-common';

/** Reads cluster status from the gpu-cluster backend. @public */
export interface GpuClusterApi {
  getStatus(ref: { namespace: string; name: string }): Promise<ClusterStatus>;
  explain(
    ref: { namespace: string; name: string },
    workload: { namespace: string; name: string },
  ): Promise<WorkloadExplanation>;
  /** One filtered, sorted page of a long status list, served by the backend. */
  listStatus<T>(
    ref: { namespace: string; name: string },
    list: StatusListName,
    query: StatusListQuery,
  ): Promise<PagedList<T>>;
  /** What the "Create GPU cluster" template would create for these form values. */
  previewStack(values: Record<string, unknown>): Promise<StackPreviewResponse>;
  /** What gpuCluster.policy lets the signed-in user create (the groups, projects and budgets). */
  getStackPolicy(): Promise<StackPolicyView>;
  /** Every GPU cluster the signed-in user may see, theirs first, with its figures. */
  getFleet(): Promise<GpuFleet>;
  /** The jobs a RayCluster's dashboard lists (its owners only). */
  getRayJobs(
    ref: { namespace: string; name: string },
    rayCluster: { namespace: string; name: string },
  ): Promise<RayDashboardJobs>;
}

/**
 * How long one answer of `GET /stack/policy` serves further calls: every section of the form
 * checks against it on Next, and the remaining GPU budget changes only as clusters register.
 */
const POLICY_REUSE_MS = 10_000;

/**
 * A Component's lists and explanations are served under `/components/` (narrowed by the backend
 * to its namespace and LocalQueue); a cluster's under `/clusters/`.
 */
const baseOf = (ref: { kind?: 'component' }) =>
  ref.kind === 'component' ? 'components' : 'clusters';

/**
 * The GPU cluster tab of a Component that depends on a cluster (`GET /components/:ns/:name/status`);
 * its lists go through `GpuClusterApi.listStatus` with a `kind: 'component'` reference.
 * @public
 */
export interface GpuComponentApi {
  getComponentStatus(ref: {
    namespace: string;
    name: string;
  }): Promise<ComponentClusterStatus>;
}

/** @public */
export const gpuComponentApiRef = createApiRef<GpuComponentApi>({
  id: 'plugin.gpu-cluster.component',
});

/** @public */
export const gpuClusterApiRef = createApiRef<GpuClusterApi>({
  id: 'plugin.gpu-cluster.service',
});

/** Client over discoveryApi + fetchApi (which attaches the user's Backstage token). @public */
export class GpuClusterClient implements GpuClusterApi, GpuComponentApi {
  private policy?: { at: number; answer: Promise<StackPolicyView> };

  constructor(
    private readonly deps: {
      discoveryApi: DiscoveryApi;
      fetchApi: FetchApi;
      /** Milliseconds since the epoch (tests move it). */
      now?: () => number;
    },
  ) {}

  getStatus(ref: { namespace: string; name: string }) {
    return this.get<ClusterStatus>(
      `/clusters/${encodeURIComponent(ref.namespace)}/${encodeURIComponent(
        ref.name,
      )}/status`,
    );
  }

  explain(
    ref: { namespace: string; name: string; kind?: 'component' },
    workload: { namespace: string; name: string },
  ) {
    return this.get<WorkloadExplanation>(
      `/${baseOf(ref)}/${encodeURIComponent(
        ref.namespace,
      )}/${encodeURIComponent(ref.name)}/workloads/${encodeURIComponent(
        workload.namespace,
      )}/${encodeURIComponent(workload.name)}/explain`,
    );
  }

  listStatus<T>(
    ref: { namespace: string; name: string; kind?: 'component' },
    list: StatusListName,
    query: StatusListQuery,
  ) {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) {
      if (value !== undefined && value !== '') params.set(key, String(value));
    }
    return this.get<PagedList<T>>(
      `/${baseOf(ref)}/${encodeURIComponent(
        ref.namespace,
      )}/${encodeURIComponent(ref.name)}/${list}?${params}`,
    );
  }

  previewStack(values: Record<string, unknown>) {
    return this.get<StackPreviewResponse>('/stack/preview', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ values }),
    });
  }

  getFleet() {
    return this.get<GpuFleet>('/fleet');
  }

  getRayJobs(
    ref: { namespace: string; name: string },
    rayCluster: { namespace: string; name: string },
  ) {
    return this.get<RayDashboardJobs>(
      `/clusters/${encodeURIComponent(ref.namespace)}/${encodeURIComponent(
        ref.name,
      )}/ray/${encodeURIComponent(rayCluster.namespace)}/${encodeURIComponent(
        rayCluster.name,
      )}/jobs`,
    );
  }

  getStackPolicy(): Promise<StackPolicyView> {
    const now = (this.deps.now ?? Date.now)();
    if (this.policy && now - this.policy.at < POLICY_REUSE_MS) {
      return this.policy.answer;
    }
    const answer = this.get<StackPolicyView>('/stack/policy');
    const entry = { at: now, answer };
    this.policy = entry;
    // A failed answer is not reused.
    answer.catch(() => {
      if (this.policy === entry) this.policy = undefined;
    });
    return answer;
  }

  getComponentStatus(ref: { namespace: string; name: string }) {
    return this.get<ComponentClusterStatus>(
      `/components/${encodeURIComponent(ref.namespace)}/${encodeURIComponent(
        ref.name,
      )}/status`,
    );
  }

  private async get<T>(path: string, init?: RequestInit): Promise<T> {
    const base = await this.deps.discoveryApi.getBaseUrl('gpu-cluster');
    const res = await this.deps.fetchApi.fetch(`${base}${path}`, init);
    if (!res.ok) {
      throw await ResponseError.fromResponse(res);
    }
    return (await res.json()) as T;
  }
}
