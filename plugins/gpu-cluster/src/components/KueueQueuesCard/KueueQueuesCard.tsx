import { InfoCard } from '@backstage/core-components';
import type { ClusterStatus } from '@gpu-platform/backstage-plugin-gpu-cluster-common';
import { SectionNotice, isMissing, isNotInstalled } from '../SectionNotice';
import { StateChip } from '../StateChip';

/** Queue depth per ClusterQueue and LocalQueue, with GPU quota use. @public */
export function KueueQueuesCard(props: { status: ClusterStatus }) {
  const { clusterQueues, localQueues } = props.status;
  return (
    <InfoCard title="Kueue queues">
      <SectionNotice status={props.status} section="queues" />
      {clusterQueues.length === 0 && !isMissing(props.status, 'queues') && (
        <p>
          {isNotInstalled(props.status, 'queues')
            ? 'Kueue is not installed in this cluster.'
            : 'No ClusterQueues.'}
        </p>
      )}
      <ul>
        {clusterQueues.map(q => (
          <li key={q.name}>
            <StateChip tone={q.active ? 'ok' : 'error'}>
              {q.active ? q.name : `${q.name} (${q.activeReason})`}
            </StateChip>{' '}
            — {q.pendingWorkloads} pending, {q.admittedWorkloads} admitted
            {q.resources
              .filter(r => r.resource === 'nvidia.com/gpu')
              .map(r => ` · ${r.flavor}: ${r.reserved ?? 0} GPUs reserved`)}
          </li>
        ))}
        {localQueues.map(q => (
          <li key={`${q.namespace}/${q.name}`}>
            <StateChip tone={q.active ? 'ok' : 'error'}>
              {`${q.namespace}/${q.name}${
                q.active ? '' : ` (${q.activeReason})`
              }`}
            </StateChip>{' '}
            → {q.clusterQueue} — {q.pendingWorkloads} pending,{' '}
            {q.admittedWorkloads} admitted
          </li>
        ))}
      </ul>
    </InfoCard>
  );
}
