import {
  InfoCard,
  StatusError,
  StatusOK,
  StatusWarning,
  StructuredMetadataTable,
} from '@backstage/core-components';
import type {
  ClusterStatus,
  StatusSource,
} from '@gpu-platform/backstage-plugin-gpu-cluster-common';

const health = (s?: string) => {
  if (s === 'RUNNING') return <StatusOK>{s}</StatusOK>;
  if (s === 'ERROR' || s === 'DEGRADED') return <StatusError>{s}</StatusError>;
  return <StatusWarning>{s ?? 'unknown'}</StatusWarning>;
};

/** A count the backend left out because its data is missing: say so rather than show 0. */
const count = (n: number | undefined) => (n === undefined ? 'unknown' : n);

const Source = ({ source }: { source: StatusSource }) => {
  if (!source.ok) {
    return (
      <StatusError>
        {source.name}: {source.error}
      </StatusError>
    );
  }
  const failing = (source.kinds ?? []).filter(
    k => k.state === 'stale' || k.state === 'unavailable',
  );
  if (failing.length === 0) return <StatusOK>{source.name}</StatusOK>;
  return (
    <StatusWarning>
      {source.name}:{' '}
      {failing
        .map(k => `${k.kind} ${k.state}${k.error ? ` (${k.error})` : ''}`)
        .join('; ')}
    </StatusWarning>
  );
};

/** GKE status, versions, GPUs and the state of each data source. @public */
export function ClusterHealthCard(props: { status: ClusterStatus }) {
  const { status } = props;
  const { summary, gke } = status;
  return (
    <InfoCard title={`Cluster ${status.clusterName}`}>
      <StructuredMetadataTable
        metadata={{
          'GKE status': health(gke?.status),
          Location: gke ? `${gke.projectId} / ${gke.location}` : '—',
          Version: gke?.currentMasterVersion ?? '—',
          Nodes:
            summary.nodes === undefined
              ? 'unknown (nodes could not be read)'
              : `${summary.readyNodes} ready of ${summary.nodes}`,
          'GPU usage': `${
            summary.gpusInUse === undefined
              ? 'unknown (pods could not be read)'
              : summary.gpusInUse
          } in use of ${count(summary.gpusAllocatable)} allocatable (${count(
            summary.gpusCapacity,
          )} capacity)`,
          'Pending workloads': count(summary.pendingWorkloads),
          'Waiting provisioning requests': count(
            summary.waitingProvisioningRequests,
          ),
          Sources: (
            <>
              {status.sources.map(s => (
                <Source key={s.name} source={s} />
              ))}
            </>
          ),
        }}
      />
    </InfoCard>
  );
}
