import { ErrorPanel, WarningPanel } from '@backstage/core-components';
import { ResponseError } from '@backstage/errors';
import {
  CLUSTER_ACCESS_REASONS,
  type ClusterAccessErrorDetails,
  type ClusterAccessReason,
} from '@gpu-platform/backstage-plugin-gpu-cluster-common';
import Typography from '@material-ui/core/Typography';

/** The typed details of a status API error (reason and config key), when it carries them. */
export function clusterAccessDetails(
  error: Error,
): (ClusterAccessErrorDetails & { reason: ClusterAccessReason }) | undefined {
  if (!(error instanceof ResponseError) && error.name !== 'ResponseError')
    return undefined;
  const details = (error as ResponseError).body?.error as
    | ClusterAccessErrorDetails
    | undefined;
  if (!details?.reason || !(details.reason in CLUSTER_ACCESS_REASONS))
    return undefined;
  return details as ClusterAccessErrorDetails & {
    reason: ClusterAccessReason;
  };
}

/**
 * Why the cluster's status cannot be shown: which case it is, the backend's explanation, and
 * what a platform engineer configures to change it (the `configKey` of the error body).
 */
export function ClusterAccessPanel(props: { error: Error }) {
  const details = clusterAccessDetails(props.error);
  if (!details) {
    return (
      <ErrorPanel
        title="The GPU cluster status could not be loaded"
        error={props.error}
      />
    );
  }
  const reason = CLUSTER_ACCESS_REASONS[details.reason];
  return (
    <WarningPanel
      severity={reason.statusCode >= 500 ? 'error' : 'warning'}
      title={reason.title}
      message={details.message}
      defaultExpanded
    >
      <Typography variant="body2">{reason.fix}</Typography>
      {details.configKey && (
        <Typography variant="body2">
          Configuration: <code>{details.configKey}</code> (see docs/security.md)
        </Typography>
      )}
    </WarningPanel>
  );
}
