import { Progress } from '@backstage/core-components';
import Grid from '@material-ui/core/Grid';
import { ClusterAccessPanel } from '../ClusterAccessPanel';
import { ClusterHealthCard } from '../ClusterHealthCard';
import { DestroyClusterButton } from '../DestroyClusterButton';
import { KueueQueuesCard } from '../KueueQueuesCard';
import { NodePoolsTable } from '../NodePoolsTable';
import { ProvisioningRequestsTable } from '../ProvisioningRequestsTable';
import { RayClustersCard } from '../RayClustersCard';
import { WhyNotRunning } from '../WhyNotRunning';
import { useClusterStatus } from '../useClusterStatus';

/** The "GPU cluster" entity tab. @public */
export function GpuClusterContent() {
  const { value, loading, error } = useClusterStatus();
  // The owners' Destroy action stays available when the cluster cannot be shown.
  const actions = (
    <Grid item xs={12} container justifyContent="flex-end">
      <DestroyClusterButton />
    </Grid>
  );
  if (error)
    return (
      <Grid container spacing={3}>
        {actions}
        <Grid item xs={12}>
          <ClusterAccessPanel error={error} />
        </Grid>
      </Grid>
    );
  if (!value) return loading ? <Progress /> : null;
  return (
    <Grid container spacing={3}>
      {actions}
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
        <NodePoolsTable status={value} />
      </Grid>
      <Grid item xs={12}>
        <ProvisioningRequestsTable status={value} />
      </Grid>
      <Grid item xs={12}>
        <RayClustersCard status={value} />
      </Grid>
    </Grid>
  );
}

/** Summary card for the entity overview. @public */
export function GpuClusterSummaryCard() {
  const { value, loading, error } = useClusterStatus();
  if (error) return <ClusterAccessPanel error={error} />;
  if (!value) return loading ? <Progress /> : null;
  return <ClusterHealthCard status={value} />;
}
