import { useApi } from '@backstage/core-plugin-api';
import { useEntity } from '@backstage/plugin-catalog-react';
import type { ClusterStatus } from '@gpu-platform/backstage-plugin-gpu-cluster-common';
import { useEffect, useRef } from 'react';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { gpuClusterApiRef } from '../api';

/** Modest polling: the backend serves from watches, but the page need not refresh faster. */
export const POLL_INTERVAL_MS = 30_000;

export interface ClusterStatusState {
  /** The latest status, or the last good one while refreshing fails. */
  value?: ClusterStatus;
  loading: boolean;
  /** Why the latest poll failed; with `value` set, that value is stale. */
  error?: Error;
  /** True when `value` is the last good status and the latest poll failed. */
  stale: boolean;
  retry: () => void;
}

/**
 * Status of the current entity's cluster, refreshed every 30 s while mounted. A failed poll keeps
 * the last good status (marked stale, with the error) instead of replacing it.
 */
export function useClusterStatus(): ClusterStatusState {
  const { entity } = useEntity();
  const api = useApi(gpuClusterApiRef);
  const ref = {
    namespace: entity.metadata.namespace ?? 'default',
    name: entity.metadata.name,
  };
  const state = useAsyncRetry(
    () => api.getStatus(ref),
    [api, ref.namespace, ref.name],
  );
  const { retry } = state;
  useEffect(() => {
    const timer = setInterval(retry, POLL_INTERVAL_MS);
    return () => clearInterval(timer);
  }, [retry]);
  // The last good status of this entity; another entity's must never show here.
  const lastGood = useRef<{ key: string; value: ClusterStatus }>();
  const key = `${ref.namespace}/${ref.name}`;
  if (state.value) lastGood.current = { key, value: state.value };
  const fallback =
    lastGood.current?.key === key ? lastGood.current.value : undefined;
  const value = state.value ?? fallback;
  return {
    value,
    loading: state.loading,
    error: state.error,
    stale: Boolean(state.error && value),
    retry,
  };
}
