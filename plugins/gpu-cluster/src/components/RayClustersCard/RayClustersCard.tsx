import { InfoCard } from '@backstage/core-components';
import type { ClusterStatus } from '@gpu-platform/backstage-plugin-gpu-cluster-common';
import { RayDashboardJobs } from '../RayDashboardJobs';
import { SectionNotice, isMissing, isNotInstalled } from '../SectionNotice';
import { StateChip, toneOfRayCluster, toneOfRayJob } from '../StateChip';

/** Ray clusters (state, workers, dashboard access) and the state of their jobs. @public */
export function RayClustersCard(props: { status: ClusterStatus }) {
  const { rayClusters, rayJobs } = props.status;
  return (
    <InfoCard title="Ray">
      <SectionNotice status={props.status} section="ray" />
      {rayClusters.length === 0 && !isMissing(props.status, 'ray') && (
        <p>
          {isNotInstalled(props.status, 'ray')
            ? 'KubeRay is not installed in this cluster.'
            : 'No RayClusters.'}
        </p>
      )}
      {rayClusters.map(rc => (
        <div key={`${rc.namespace}/${rc.name}`}>
          <p>
            <b>{`${rc.namespace}/${rc.name}`}</b>{' '}
            <StateChip tone={toneOfRayCluster(rc)}>
              {rc.state ?? 'starting'}
            </StateChip>{' '}
            — {rc.readyWorkers}/{rc.desiredWorkers} workers ready
          </p>
          {/* The dashboard has no auth of its own: a port-forward, never a public link. */}
          <RayDashboardJobs
            entityRef={props.status.entityRef}
            rayCluster={rc}
          />
          <ul>
            {rayJobs
              .filter(
                j =>
                  j.namespace === rc.namespace && j.rayClusterName === rc.name,
              )
              .map(j => (
                <li key={j.name}>
                  RayJob {j.name}{' '}
                  <StateChip tone={toneOfRayJob(j)}>
                    {j.jobStatus ?? '—'} / {j.jobDeploymentStatus ?? '—'}
                  </StateChip>
                  {j.message ? ` — ${j.message}` : ''}
                </li>
              ))}
          </ul>
        </div>
      ))}
    </InfoCard>
  );
}
