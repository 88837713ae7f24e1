import {
  InfoCard,
  StatusError,
  StatusOK,
  StatusWarning,
  StructuredMetadataTable,
} from '@backstage/core-components';
import type { ClusterStatus } from '@gpu-platform/backstage-plugin-gpu-cluster-common';

const health = (s?: string) => {
  if (s === 'RUNNING') return <StatusOK>{s}</StatusOK>;
  if (s === 'ERROR' || s === 'DEGRADED') return <StatusError>{s}</StatusError>;
  return <StatusWarning>{s ?? 'unknown'}</StatusWarning>;
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
          Nodes: `${summary.readyNodes} ready of ${summary.nodes}`,
          'GPU usage': `${summary.gpusInUse} in use of ${summary.gpusAllocatable} allocatable (${summary.gpusCapacity} capacity)`,
          'Pending workloads': summary.pendingWorkloads,
          'Waiting provisioning requests': summary.waitingProvisioningRequests,
          Sources: (
            <>
              {status.sources.map(s =>
                s.ok ? (
                  <StatusOK key={s.name}>{s.name}</StatusOK>
                ) : (
                  <StatusError key={s.name}>
                    {s.name}: {s.error}
                  </StatusError>
                ),
              )}
            </>
          ),
        }}
      />
    </InfoCard>
  );
}
