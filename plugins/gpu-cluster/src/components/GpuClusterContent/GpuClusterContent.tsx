import { Progress, WarningPanel } from '@backstage/core-components';
import Grid from '@material-ui/core/Grid';
import { ClusterAccessPanel } from '../ClusterAccessPanel';
import { ClusterHealthCard } from '../ClusterHealthCard';
import { DestroyClusterButton } from '../DestroyClusterButton';
import { FabricVerificationCard } from '../FabricVerificationCard';
import { VerifyFabricButton } from '../VerifyFabricButton';
import { KueueQueuesCard } from '../KueueQueuesCard';
import { NodePoolsTable } from '../NodePoolsTable';
import { NodesTable } from '../NodesTable';
import { ProvisioningRequestsTable } from '../ProvisioningRequestsTable';
import { RayClustersCard } from '../RayClustersCard';
import { WhyNotRunning } from '../WhyNotRunning';
import { WorkloadsTable } from '../WorkloadsTable';
import { useClusterStatus } from '../useClusterStatus';
import { useEntity } from '@backstage/plugin-catalog-react';

/** The last refresh failed: say so above the last good status instead of replacing it. */
function StaleNotice(props: { generatedAt: string; error?: Error }) {
  return (
    <WarningPanel
      severity="warning"
      title={`Showing the status from ${props.generatedAt}: the last refresh failed`}
      message={props.error?.message}
    />
  );
}

/** The "GPU cluster" entity tab. @public */
export function GpuClusterContent() {
  const { entity } = useEntity();
  const { value, loading, error, stale } = useClusterStatus();
  const cluster = {
    namespace: entity.metadata.namespace ?? 'default',
    name: entity.metadata.name,
  };
  // The owners' Destroy action stays available when the cluster cannot be shown.
  const actions = (
    <Grid item xs={12} container justifyContent="flex-end">
      <VerifyFabricButton />
      <DestroyClusterButton />
    </Grid>
  );
  if (!value) {
    if (error)
      return (
        <Grid container spacing={3}>
          {actions}
          <Grid item xs={12}>
            <ClusterAccessPanel error={error} />
          </Grid>
        </Grid>
      );
    return loading ? <Progress /> : null;
  }
  return (
    <Grid container spacing={3}>
      {actions}
      {stale && (
        <Grid item xs={12}>
          <StaleNotice generatedAt={value.generatedAt} error={error} />
        </Grid>
      )}
      <Grid item xs={12} md={6}>
        <ClusterHealthCard status={value} />
      </Grid>
      <Grid item xs={12} md={6}>
        <KueueQueuesCard status={value} />
      </Grid>
      <Grid item xs={12}>
        <WhyNotRunning status={value} />
      </Grid>
      <Grid item xs={12}>
        <WorkloadsTable status={value} cluster={cluster} />
      </Grid>
      <Grid item xs={12}>
        <NodePoolsTable status={value} />
      </Grid>
      <Grid item xs={12}>
        <NodesTable status={value} cluster={cluster} />
      </Grid>
      <Grid item xs={12}>
        <ProvisioningRequestsTable status={value} cluster={cluster} />
      </Grid>
      <Grid item xs={12}>
        <RayClustersCard status={value} />
      </Grid>
      <Grid item xs={12}>
        <FabricVerificationCard status={value} />
      </Grid>
    </Grid>
  );
}

/** Summary card for the entity overview. @public */
export function GpuClusterSummaryCard() {
  const { value, loading, error, stale } = useClusterStatus();
  if (!value) {
    if (error) return <ClusterAccessPanel error={error} />;
    return loading ? <Progress /> : null;
  }
  return (
    <>
      {stale && <StaleNotice generatedAt={value.generatedAt} error={error} />}
      <ClusterHealthCard status={value} />
    </>
  );
}
