import {
  createApiRef,
  type DiscoveryApi,
  type FetchApi,
} from '@backstage/core-plugin-api';
import { ResponseError } from '@backstage/errors';
import type {
  ClusterHistory,
  FleetHistory,
} from '@gpu-platform/backstage-plugin-gpu-cluster-common';

/** The window of a history read: RFC 3339 times, and seconds per step (the backend's default when absent). */
export interface HistoryQuery {
  from: string;
  to: string;
  step?: number;
}

/** Reads the sampled history of GPU clusters from the gpu-cluster backend. @public */
export interface GpuClusterHistoryApi {
  getHistory(
    ref: { namespace: string; name: string },
    query: HistoryQuery,
  ): Promise<ClusterHistory>;
  /** The last 24 hours of every cluster of the fleet page the user may read. */
  getFleetHistory(): Promise<FleetHistory>;
}

/** @public */
export const gpuClusterHistoryApiRef = createApiRef<GpuClusterHistoryApi>({
  id: 'plugin.gpu-cluster.history',
});

/** Client over discoveryApi + fetchApi (which attaches the user's Backstage token). @public */
export class GpuClusterHistoryClient implements GpuClusterHistoryApi {
  constructor(
    private readonly deps: { discoveryApi: DiscoveryApi; fetchApi: FetchApi },
  ) {}

  getHistory(ref: { namespace: string; name: string }, query: HistoryQuery) {
    const params = new URLSearchParams({ from: query.from, to: query.to });
    if (query.step) params.set('step', String(query.step));
    return this.get<ClusterHistory>(
      `/clusters/${encodeURIComponent(ref.namespace)}/${encodeURIComponent(
        ref.name,
      )}/history?${params}`,
    );
  }

  getFleetHistory() {
    return this.get<FleetHistory>('/fleet/history');
  }

  private async get<T>(path: string): Promise<T> {
    const base = await this.deps.discoveryApi.getBaseUrl('gpu-cluster');
    const res = await this.deps.fetchApi.fetch(`${base}${path}`);
    if (!res.ok) {
      throw await ResponseError.fromResponse(res);
    }
    return (await res.json()) as T;
  }
}
