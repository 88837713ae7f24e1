import type {
  ApiHolder,
  DiscoveryApi,
  FetchApi,
} from '@backstage/core-plugin-api';
import { discoveryApiRef, fetchApiRef } from '@backstage/core-plugin-api';
import { parseEntityRef } from '@backstage/catalog-model';
import { ResponseError } from '@backstage/errors';
import type {
  StackUpdatePreviewResponse,
  StoredStackResponse,
} from '@gpu-platform/backstage-plugin-gpu-cluster-common';

/**
 * The "Update GPU cluster" form's calls to the gpu-cluster backend (owner-only routes): the spec
 * stored with a cluster, and the review of an edit. Over the app's discovery and fetch APIs
 * (which attach the user's token), so it needs no API of its own.
 */
export class StackUpdateClient {
  constructor(
    private readonly deps: { discoveryApi: DiscoveryApi; fetchApi: FetchApi },
  ) {}

  static from(apis: ApiHolder): StackUpdateClient | undefined {
    const discoveryApi = apis.get(discoveryApiRef);
    const fetchApi = apis.get(fetchApiRef);
    return discoveryApi && fetchApi
      ? new StackUpdateClient({ discoveryApi, fetchApi })
      : undefined;
  }

  getStoredSpec(entityRef: string): Promise<StoredStackResponse> {
    return this.call(`${clusterPath(entityRef)}/spec`);
  }

  previewUpdate(
    entityRef: string,
    values: unknown,
  ): Promise<StackUpdatePreviewResponse> {
    return this.call(`${clusterPath(entityRef)}/update-preview`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ values }),
    });
  }

  private async call<T>(path: string, init?: RequestInit): Promise<T> {
    const base = await this.deps.discoveryApi.getBaseUrl('gpu-cluster');
    const res = await this.deps.fetchApi.fetch(`${base}${path}`, init);
    if (!res.ok) throw await ResponseError.fromResponse(res);
    return (await res.json()) as T;
  }
}

/** `resource:default/x` → `/clusters/default/x`. */
function clusterPath(entityRef: string): string {
  const { namespace, name } = parseEntityRef(entityRef, {
    defaultKind: 'resource',
    defaultNamespace: 'default',
  });
  return `/clusters/${encodeURIComponent(namespace)}/${encodeURIComponent(
    name,
  )}`;
}
