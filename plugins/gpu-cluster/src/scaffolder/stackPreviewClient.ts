import type { DiscoveryApi, FetchApi } from '@backstage/core-plugin-api';
import { ResponseError } from '@backstage/errors';
import type { StackPreviewResponse } from '@gpu-platform/backstage-plugin-gpu-cluster-common';

/** `POST /api/gpu-cluster/stack/preview` with the form's values (fetchApi adds the user's token). */
export async function fetchStackPreview(
  deps: { discoveryApi: DiscoveryApi; fetchApi: FetchApi },
  values: Record<string, unknown>,
): Promise<StackPreviewResponse> {
  const base = await deps.discoveryApi.getBaseUrl('gpu-cluster');
  const res = await deps.fetchApi.fetch(`${base}/stack/preview`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ values }),
  });
  if (!res.ok) throw await ResponseError.fromResponse(res);
  return (await res.json()) as StackPreviewResponse;
}
