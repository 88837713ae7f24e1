import { useApi } from '@backstage/core-plugin-api';
import { useEntity } from '@backstage/plugin-catalog-react';
import { useEffect } from 'react';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { gpuClusterApiRef } from '../api';

/** Modest polling: the backend serves from watches, but the page need not refresh faster. */
export const POLL_INTERVAL_MS = 30_000;

/** Status of the current entity's cluster, refreshed every 30 s while mounted. */
export function useClusterStatus() {
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
  return state;
}
