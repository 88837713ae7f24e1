import {
  createApiRef,
  type DiscoveryApi,
  type FetchApi,
} from '@backstage/core-plugin-api';
import { ResponseError } from '@backstage/errors';
import type {
  ClusterStatus,
  StackPreviewResponse,
  WorkloadExplanation,
} from '@gpu-platform/backstage-plugin-gpu-cluster-common';

/** Reads cluster status from the gpu-cluster backend. @public */
export interface GpuClusterApi {
  getStatus(ref: { namespace: string; name: string }): Promise<ClusterStatus>;
  explain(
    ref: { namespace: string; name: string },
    workload: { namespace: string; name: string },
  ): Promise<WorkloadExplanation>;
  /** What the "Create GPU cluster" template would create for these form values. */
  previewStack(values: Record<string, unknown>): Promise<StackPreviewResponse>;
}

/** @public */
export const gpuClusterApiRef = createApiRef<GpuClusterApi>({
  id: 'plugin.gpu-cluster.service',
});

/** Client over discoveryApi + fetchApi (which attaches the user's Backstage token). @public */
export class GpuClusterClient implements GpuClusterApi {
  constructor(
    private readonly deps: { discoveryApi: DiscoveryApi; fetchApi: FetchApi },
  ) {}

  getStatus(ref: { namespace: string; name: string }) {
    return this.get<ClusterStatus>(
      `/clusters/${encodeURIComponent(ref.namespace)}/${encodeURIComponent(
        ref.name,
      )}/status`,
    );
  }

  explain(
    ref: { namespace: string; name: string },
    workload: { namespace: string; name: string },
  ) {
    return this.get<WorkloadExplanation>(
      `/clusters/${encodeURIComponent(ref.namespace)}/${encodeURIComponent(
        ref.name,
      )}/workloads/${encodeURIComponent(
        workload.namespace,
      )}/${encodeURIComponent(workload.name)}/explain`,
    );
  }

  previewStack(values: Record<string, unknown>) {
    return this.get<StackPreviewResponse>('/stack/preview', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ values }),
    });
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
