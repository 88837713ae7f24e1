import {
  StatusAborted,
  StatusError,
  StatusOK,
  StatusPending,
  StatusRunning,
  StatusWarning,
} from '@backstage/core-components';
import type {
  ProvisioningRequestStatus,
  RayClusterStatus,
  RayJobStatus,
  StatusSeverity,
  WorkloadPhase,
} from '@gpu-platform/backstage-plugin-gpu-cluster-common';
import { makeStyles } from '@material-ui/core/styles';
import type { ReactNode } from 'react';

/** How a state reads at a glance; one Backstage status component each. @public */
export type StateTone =
  | 'ok'
  | 'running'
  | 'pending'
  | 'warning'
  | 'error'
  | 'aborted';

const STATUS = {
  ok: StatusOK,
  running: StatusRunning,
  pending: StatusPending,
  warning: StatusWarning,
  error: StatusError,
  aborted: StatusAborted,
} as const;

const useStyles = makeStyles({
  // A state is one token: it never breaks inside ("R U N N I N G" in a narrow card).
  chip: { whiteSpace: 'nowrap', display: 'inline-block' },
});

/**
 * A state as a coloured status (Backstage core-components Status*), used for every state on the
 * tab so the same state reads the same everywhere.
 * @public
 */
export function StateChip(props: { tone: StateTone; children: ReactNode }) {
  const classes = useStyles();
  const Status = STATUS[props.tone];
  return (
    <span className={classes.chip} data-tone={props.tone}>
      <Status>{props.children}</Status>
    </span>
  );
}

/** A flag's or verdict's severity. */
export const toneOfSeverity = (s: StatusSeverity): StateTone =>
  (({ error: 'error', warning: 'warning', info: 'pending' } as const)[s]);

/** GKE cluster and node pool status (RUNNING, PROVISIONING, RECONCILING, STOPPING, ERROR, …). */
export function toneOfGkeStatus(status: string | undefined): StateTone {
  switch (status) {
    case 'RUNNING':
      return 'ok';
    case 'PROVISIONING':
    case 'RECONCILING':
      return 'running';
    case 'STOPPING':
      return 'aborted';
    case 'ERROR':
    case 'DEGRADED':
    case 'RUNNING_WITH_ERROR':
      return 'error';
    default:
      return 'warning';
  }
}

export const toneOfWorkloadPhase = (phase: WorkloadPhase): StateTone =>
  ((
    {
      Pending: 'pending',
      QuotaReserved: 'pending',
      Admitted: 'running',
      Running: 'running',
      Finished: 'ok',
      Failed: 'error',
      Evicted: 'warning',
      Inactive: 'aborted',
    } as const satisfies Record<WorkloadPhase, StateTone>
  )[phase]);

export const toneOfProvisioning = (
  state: ProvisioningRequestStatus['state'],
): StateTone =>
  ((
    {
      Pending: 'pending',
      Accepted: 'pending',
      Provisioned: 'ok',
      BookingExpired: 'warning',
      CapacityRevoked: 'error',
      Failed: 'error',
    } as const satisfies Record<ProvisioningRequestStatus['state'], StateTone>
  )[state]);

/** KubeRay's RayCluster state (`ready`, `suspended`, deprecated `failed`; absent while starting). */
export function toneOfRayCluster(rc: RayClusterStatus): StateTone {
  if (rc.state === 'ready') return 'ok';
  if (rc.state === 'suspended') return 'aborted';
  if (rc.state === 'failed') return 'error';
  return 'pending';
}

/** KubeRay's RayJob jobDeploymentStatus, else its jobStatus. */
export function toneOfRayJob(job: RayJobStatus): StateTone {
  switch (job.jobDeploymentStatus ?? job.jobStatus) {
    case 'Complete':
    case 'SUCCEEDED':
      return 'ok';
    case 'Running':
    case 'RUNNING':
      return 'running';
    case 'Failed':
    case 'ValidationFailed':
    case 'FAILED':
      return 'error';
    case 'Suspended':
    case 'Suspending':
    case 'STOPPED':
      return 'aborted';
    case 'Retrying':
      return 'warning';
    default:
      return 'pending';
  }
}
