import { Progress, WarningPanel } from '@backstage/core-components';
import Grid from '@material-ui/core/Grid';
import { isGpuClusterComponent } from '../../isGpuCluster';
import { ClusterAccessPanel } from '../ClusterAccessPanel';
import { ComponentClusterContent } from '../ComponentClusterContent';
import { ClusterHealthCard } from '../ClusterHealthCard';
import { ClusterHistoryCard } from '../ClusterHistoryCard';
import { DestroyClusterButton } from '../DestroyClusterButton';
import { FabricCard } from '../FabricCard';
import { FabricVerificationCard } from '../FabricVerificationCard';
import { VerifyFabricButton } from '../VerifyFabricButton';
import { KueueQueuesCard } from '../KueueQueuesCard';
import { NodePoolsTable } from '../NodePoolsTable';
import { NodesTable } from '../NodesTable';
import { ProvisioningRequestsTable } from '../ProvisioningRequestsTable';
import { RayClustersCard } from '../RayClustersCard';
import { UpdateClusterButton } from '../UpdateClusterButton';
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

/**
 * The "GPU cluster" entity tab: a cluster Resource's, or for a Component that depends on a
 * cluster, the same tab narrowed to its namespace and LocalQueue. @public
 */
export function GpuClusterContent() {
  const { entity } = useEntity();
  return isGpuClusterComponent(entity) ? (
    <ComponentClusterContent />
  ) : (
    <ClusterContent />
  );
}

function ClusterContent() {
  const { entity } = useEntity();
  const { value, loading, error, stale } = useClusterStatus();
  const cluster = {
    namespace: entity.metadata.namespace ?? 'default',
    name: entity.metadata.name,
  };
  // The owners' Update and Destroy actions stay available when the cluster cannot be shown.
  const actions = (
    <Grid item xs={12} container justifyContent="flex-end" spacing={1}>
      <Grid item>
        <VerifyFabricButton />
      </Grid>
      <Grid item>
        <UpdateClusterButton />
      </Grid>
      <Grid item>
        <DestroyClusterButton />
      </Grid>
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
        <ClusterHistoryCard cluster={cluster} />
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
        <FabricCard status={value} />
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
