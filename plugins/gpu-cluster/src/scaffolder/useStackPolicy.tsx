import { useApi } from '@backstage/core-plugin-api';
import type { StackPolicyView } from '@gpu-platform/backstage-plugin-gpu-cluster-common';
import Typography from '@material-ui/core/Typography';
import Alert from '@material-ui/lab/Alert';
import useAsync from 'react-use/esm/useAsync';
import { gpuClusterApiRef } from '../api';

/** The signed-in user's view of gpuCluster.policy (`GET /api/gpu-cluster/stack/policy`). */
export function useStackPolicy(enabled: boolean) {
  const api = useApi(gpuClusterApiRef);
  return useAsync(
    async (): Promise<StackPolicyView | undefined> =>
      enabled ? api.getStackPolicy() : undefined,
    [api, enabled],
  );
}

/** What a user who may create no GPU cluster sees instead of the form. */
export function PolicyRefusal(props: { refusal: string }) {
  return (
    <Alert severity="error">
      <Typography variant="subtitle1" component="p">
        You cannot create GPU clusters yet
      </Typography>
      <Typography variant="body2">{props.refusal}</Typography>
    </Alert>
  );
}

/** Shown when the policy could not be loaded: the form still works, the actions still check. */
export function PolicyUnavailable(props: { error: Error }) {
  return (
    <Alert severity="warning">
      Could not load what gpuCluster.policy allows you ({props.error.message}
      ). Owner and project are not limited here; Create still checks them before
      it changes anything.
    </Alert>
  );
}
