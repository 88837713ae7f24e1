import {
  InfoCard,
  Progress,
  StructuredMetadataTable,
  WarningPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { useEntity } from '@backstage/plugin-catalog-react';
import type { ComponentClusterStatus } from '@gpu-platform/backstage-plugin-gpu-cluster-common';
import Grid from '@material-ui/core/Grid';
import { useEffect, useRef } from 'react';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { gpuComponentApiRef } from '../../api';
import { ClusterAccessPanel } from '../ClusterAccessPanel';
import { ProvisioningRequestsTable } from '../ProvisioningRequestsTable';
import { SectionNotice } from '../SectionNotice';
import { StateChip, toneOfRayCluster } from '../StateChip';
import { POLL_INTERVAL_MS } from '../useClusterStatus';
import { ExplanationView } from '../WhyNotRunning';
import { WorkloadsTable } from '../WorkloadsTable';

/** The Component's narrowed status, polled like the cluster tab; a failed poll keeps the last. */
function useComponentStatus() {
  const { entity } = useEntity();
  const api = useApi(gpuComponentApiRef);
  const namespace = entity.metadata.namespace ?? 'default';
  const name = entity.metadata.name;
  const state = useAsyncRetry(
    () => api.getComponentStatus({ namespace, name }),
    [api, namespace, name],
  );
  const { retry } = state;
  useEffect(() => {
    const timer = setInterval(retry, POLL_INTERVAL_MS);
    return () => clearInterval(timer);
  }, [retry]);
  const key = `${namespace}/${name}`;
  const lastGood = useRef<{ key: string; value: ComponentClusterStatus }>();
  if (state.value) lastGood.current = { key, value: state.value };
  const value =
    state.value ??
    (lastGood.current?.key === key ? lastGood.current.value : undefined);
  return {
    value,
    loading: state.loading,
    error: state.error,
    stale: Boolean(state.error && value),
    ref: { namespace, name, kind: 'component' as const },
  };
}

/** The Component's LocalQueue and the depth of the ClusterQueue it feeds. */
function QueueCard(props: { status: ComponentClusterStatus }) {
  const { localQueue, clusterQueue, summary } = props.status;
  return (
    <InfoCard title="Queue">
      <SectionNotice status={props.status} section="queues" />
      <StructuredMetadataTable
        metadata={{
          Cluster: props.status.clusterName,
          Namespace: props.status.namespace,
          LocalQueue: (
            <>
              {props.status.localQueueName}{' '}
              {localQueue && (
                <StateChip tone={localQueue.active ? 'ok' : 'error'}>
                  {localQueue.active ? 'active' : 'inactive'}
                </StateChip>
              )}
            </>
          ),
          'Pending workloads': localQueue?.pendingWorkloads ?? '—',
          'Admitted workloads': localQueue?.admittedWorkloads ?? '—',
          ClusterQueue: clusterQueue
            ? `${clusterQueue.name}: ${clusterQueue.pendingWorkloads} pending, ${clusterQueue.admittedWorkloads} admitted`
            : '—',
          'Waiting ProvisioningRequests':
            summary.waitingProvisioningRequests ?? '—',
        }}
      />
    </InfoCard>
  );
}

function RayCard(props: { status: ComponentClusterStatus }) {
  const { rayClusters, rayJobs, namespace } = props.status;
  return (
    <InfoCard title={`Ray in ${namespace}`}>
      <SectionNotice status={props.status} section="ray" />
      {rayClusters.length === 0 && <p>No RayClusters in this namespace.</p>}
      <ul>
        {rayClusters.map(rc => (
          <li key={rc.name}>
            {rc.name}{' '}
            <StateChip tone={toneOfRayCluster(rc)}>
              {rc.state ?? 'starting'}
            </StateChip>{' '}
            — {rc.readyWorkers}/{rc.desiredWorkers} workers ready;{' '}
            {rayJobs.filter(j => j.rayClusterName === rc.name).length} RayJobs
          </li>
        ))}
      </ul>
    </InfoCard>
  );
}

/**
 * The GPU cluster tab of a Component that depends on a cluster: only its namespace's workloads
 * (of its LocalQueue), its queue and the ClusterQueue's depth, its ProvisioningRequests and Ray.
 * @public
 */
export function ComponentClusterContent() {
  const { value, loading, error, stale, ref } = useComponentStatus();
  if (!value) {
    if (error) return <ClusterAccessPanel error={error} />;
    return loading ? <Progress /> : null;
  }
  return (
    <Grid container spacing={3}>
      {stale && (
        <Grid item xs={12}>
          <WarningPanel
            severity="warning"
            title={`Showing the status from ${value.generatedAt}: the last refresh failed`}
            message={error?.message}
          />
        </Grid>
      )}
      <Grid item xs={12} md={6}>
        <QueueCard status={value} />
      </Grid>
      <Grid item xs={12} md={6}>
        <RayCard status={value} />
      </Grid>
      <Grid item xs={12}>
        <InfoCard title="Why is it not running?">
          <SectionNotice status={value} section="workloads" />
          {value.explanations.items.length === 0 && (
            <p>No unfinished workloads in this queue.</p>
          )}
          {value.explanations.items.map(e => (
            <ExplanationView
              key={`${e.namespace}/${e.workload}`}
              explanation={e}
            />
          ))}
        </InfoCard>
      </Grid>
      <Grid item xs={12}>
        <WorkloadsTable status={value} cluster={ref} />
      </Grid>
      <Grid item xs={12}>
        <ProvisioningRequestsTable status={value} cluster={ref} />
      </Grid>
    </Grid>
  );
}
