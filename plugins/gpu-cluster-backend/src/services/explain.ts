import type {
  ClusterQueueStatus,
  ExplanationClock,
  ExplanationStep,
  GkeClusterStatus,
  LocalQueueStatus,
  ProvisioningRequestStatus,
  StatusCondition,
  WorkloadExplanation,
  WorkloadStatus,
} from '@gpu-platform/backstage-plugin-gpu-cluster-common';
import type { ClusterSnapshot } from './ClusterWatcher';
import { PodIndex, firstBy, nsKey } from './snapshotIndex';

/** GKE books provisioned DWS capacity for 10 minutes; pods must land before it lapses. */
export const BOOKING_MS = 10 * 60_000;

const cond = (c: StatusCondition[], type: string) =>
  c.find(x => x.type === type);

/** One sentence and one next step per DWS failure reason (reason strings as GKE writes them). */
export function decodeProvisioningFailure(
  reason: string | undefined,
  message: string | undefined,
): { summary: string; nextStep: string } {
  const zone = /zones\/([a-z0-9-]+)/.exec(message ?? '')?.[1];
  const where = zone ? ` in ${zone}` : '';
  switch (reason) {
    case 'ResourcePoolExhausted':
      return {
        summary: `GKE could not find the requested GPUs${where} within the allowed time (ResourcePoolExhausted${
          /indefinite/.test(message ?? '')
            ? ', no estimate when capacity returns'
            : ''
        }).`,
        nextStep:
          'Wait for Kueue to retry, or submit to a node pool in another zone or region where the accelerator is available.',
      };
    case 'QuotaExceeded':
      return {
        summary: `A Compute Engine quota blocks the request: ${
          message ?? 'quota exceeded'
        }.`,
        nextStep: 'Request a quota increase for the named quota and region.',
      };
    case 'IPSpaceExhausted':
      return {
        summary:
          'The node subnet or Pod range has no free addresses for the new nodes.',
        nextStep: 'Expand the subnet (or add a Pod range) of the node pool.',
      };
    case 'PermissionsError':
      return {
        summary: `GKE lacks a permission to create the nodes: ${
          message ?? ''
        }`.trim(),
        nextStep:
          'Grant the named permission to the node or GKE service account.',
      };
    case 'WaitTimeExceeded':
    case 'LimitExceeded':
    case 'OutOfResources':
      return {
        summary: `The node pool cannot grow enough (${reason}).`,
        nextStep:
          "Raise the node pool's total max nodes (autoscaling) or request fewer nodes.",
      };
    default:
      return {
        summary: `Provisioning failed (${reason ?? 'no reason'}): ${
          message ?? ''
        }`.trim(),
        nextStep:
          'Read the message above; Kueue retries or rejects according to its retry strategy.',
      };
  }
}

const clock = (
  kind: ExplanationClock['kind'],
  startedAt: string,
  durationMs: number,
  now: number,
): ExplanationClock => {
  const end = Date.parse(startedAt) + durationMs;
  return {
    kind,
    startedAt,
    endsAt: new Date(end).toISOString(),
    remainingSeconds: Math.max(0, Math.round((end - now) / 1000)),
  };
};

export interface ExplainInput {
  snapshot?: ClusterSnapshot;
  workloads: WorkloadStatus[];
  provisioningRequests: ProvisioningRequestStatus[];
  localQueues: LocalQueueStatus[];
  clusterQueues: ClusterQueueStatus[];
  gke?: GkeClusterStatus;
  now: number;
  /** Lookups by key; built from the fields above when absent (explainWorkloads builds it once). */
  index?: ExplainIndex;
}

/** The lookups one explanation needs, by key, so explaining every workload stays linear. */
export interface ExplainIndex {
  localQueues: Map<string, LocalQueueStatus>;
  clusterQueues: Map<string, ClusterQueueStatus>;
  provisioningRequests: Map<string, ProvisioningRequestStatus>;
  pods: PodIndex;
}

export function buildExplainIndex(
  input: Omit<ExplainInput, 'index'>,
  pods?: PodIndex,
): ExplainIndex {
  return {
    localQueues: firstBy(input.localQueues, q => nsKey(q.namespace, q.name)),
    clusterQueues: firstBy(input.clusterQueues, q => q.name),
    provisioningRequests: firstBy(input.provisioningRequests, p =>
      nsKey(p.namespace, p.name),
    ),
    pods: pods ?? new PodIndex(input.snapshot?.pods ?? []),
  };
}

/** The chain and verdict of one workload. Pure: derived only from condition types and reasons. */
export function explainWorkload(
  w: WorkloadStatus,
  input: ExplainInput,
): WorkloadExplanation {
  const steps: ExplanationStep[] = [];
  const clocks: ExplanationClock[] = [];
  const job = w.owner?.kind === 'Job' ? w.owner.name : undefined;
  if (w.owner) {
    steps.push({
      kind: w.owner.kind as ExplanationStep['kind'],
      name: w.owner.name,
      state: w.active ? 'Active' : 'Suspended',
      ok: w.active,
    });
  }
  const quota = cond(w.conditions, 'QuotaReserved');
  const admitted = cond(w.conditions, 'Admitted');
  const evicted = cond(w.conditions, 'Evicted');
  steps.push({
    kind: 'Workload',
    name: w.name,
    state: w.phase,
    ok: ['Admitted', 'Running', 'Finished'].includes(w.phase),
    reason: (w.phase === 'Evicted' || w.phase === 'Inactive'
      ? evicted
      : admitted ?? quota
    )?.reason,
    message: (w.phase === 'Evicted' || w.phase === 'Inactive'
      ? evicted
      : admitted ?? quota
    )?.message,
    at: (admitted ?? quota)?.lastTransitionTime,
  });
  const index = input.index ?? buildExplainIndex(input);
  const lq =
    w.queueName !== undefined
      ? index.localQueues.get(nsKey(w.namespace, w.queueName))
      : undefined;
  const cqName = w.clusterQueue ?? lq?.clusterQueue;
  const cq = cqName !== undefined ? index.clusterQueues.get(cqName) : undefined;
  const pr =
    w.provisioningRequest !== undefined
      ? index.provisioningRequests.get(
          nsKey(w.namespace, w.provisioningRequest),
        )
      : undefined;
  for (const check of w.admissionChecks) {
    steps.push({
      kind: 'AdmissionCheck',
      name: check.name,
      state: check.state,
      ok: check.state === 'Ready',
      message: check.message,
      at: check.lastTransitionTime,
    });
  }
  if (pr) {
    steps.push({
      kind: 'ProvisioningRequest',
      name: pr.name,
      state: pr.state,
      ok: pr.state === 'Provisioned',
      reason: pr.reason,
      message: pr.message,
      at: cond(
        pr.conditions,
        pr.state === 'Accepted' ? 'Provisioned' : pr.state,
      )?.lastTransitionTime,
      details: Object.fromEntries(
        Object.entries(pr.details).filter(([, v]) => v),
      ) as Record<string, string>,
    });
  }
  const pods = job ? index.pods.ofJob(w.namespace, job) : [];
  for (const pod of pods) {
    const nodeName = pod.spec?.nodeName;
    steps.push({
      kind: 'Node',
      name: nodeName ?? pod.metadata.name,
      state: nodeName
        ? `Pod ${pod.status?.phase ?? 'Unknown'}`
        : 'Pod not scheduled',
      ok: Boolean(nodeName) && pod.status?.phase === 'Running',
    });
  }
  const base = { namespace: w.namespace, workload: w.name, job, steps, clocks };
  const provisionedAt =
    pr && cond(pr.conditions, 'Provisioned')?.status === 'True'
      ? cond(pr.conditions, 'Provisioned')?.lastTransitionTime
      : undefined;
  if (
    admitted?.status === 'True' &&
    w.maxRunDurationSeconds &&
    admitted.lastTransitionTime
  ) {
    clocks.push(
      clock(
        'maxRunDuration',
        admitted.lastTransitionTime,
        w.maxRunDurationSeconds * 1000,
        input.now,
      ),
    );
  }

  if (w.phase === 'Finished' || w.phase === 'Failed') {
    const f = cond(w.conditions, 'Finished');
    return {
      ...base,
      verdict: 'Finished',
      severity: w.phase === 'Failed' ? 'error' : 'info',
      summary: `The workload finished (${f?.reason ?? 'done'}): ${
        f?.message ?? ''
      }`.trim(),
      clocks: [],
    };
  }
  if (pr?.state === 'CapacityRevoked') {
    return {
      ...base,
      verdict: 'CapacityRevoked',
      severity: 'error',
      summary:
        'GKE reclaimed the flex-start capacity (CapacityRevoked); Kueue rejected the admission check and deactivated the workload.',
      nextStep:
        'Resubmit the job (or set the Workload spec.active back to true) to queue for new capacity.',
    };
  }
  if (pr?.state === 'BookingExpired' && w.phase !== 'Running') {
    return {
      ...base,
      verdict: 'BookingExpired',
      severity: 'warning',
      summary:
        'The capacity was provisioned, but the pods did not start within the 10-minute booking, so GKE released it; Kueue retries with a new ProvisioningRequest.',
      nextStep:
        'Check that the pods can schedule quickly on the new nodes (image size, node selectors, tolerations, PVCs) before the next booking.',
    };
  }
  if (pr?.state === 'Failed') {
    const decoded = decodeProvisioningFailure(pr.reason, pr.message);
    const retry = w.admissionChecks.find(a => a.state === 'Retry');
    return {
      ...base,
      verdict: 'ProvisioningFailed',
      severity: 'error',
      summary: `${decoded.summary}${
        retry
          ? ` Kueue will retry (admission check ${retry.name} is in Retry).`
          : ''
      }`,
      nextStep: decoded.nextStep,
    };
  }
  if (w.phase === 'Running') {
    return {
      ...base,
      verdict: 'Running',
      severity: 'info',
      summary: 'The workload is admitted and its pods are running.',
    };
  }
  if (w.phase === 'Admitted') {
    if (provisionedAt)
      clocks.push(clock('booking', provisionedAt, BOOKING_MS, input.now));
    return {
      ...base,
      verdict: 'Starting',
      severity: 'info',
      summary:
        'The workload is admitted; its pods are starting on the provisioned nodes.',
      nextStep: provisionedAt
        ? 'Pods must be running before the 10-minute capacity booking ends.'
        : undefined,
    };
  }
  if (w.phase === 'Inactive') {
    return {
      ...base,
      verdict: 'WaitingForAdmission',
      severity: 'warning',
      summary: `The workload is deactivated${
        evicted?.message ? `: ${evicted.message}` : ''
      }.`,
      nextStep: 'Set spec.active to true on the Workload, or resubmit the job.',
    };
  }
  const queueMissing =
    (lq && !lq.active && lq.activeReason === 'ClusterQueueDoesNotExist') ||
    (!lq &&
      w.queueName &&
      input.snapshot?.kinds.localqueues.state === 'synced') ||
    (cqName && !cq && input.snapshot?.kinds.clusterqueues.state === 'synced') ||
    /ClusterQueue .* doesn't exist/.test(quota?.message ?? '');
  if (quota?.status !== 'True') {
    if (queueMissing) {
      const what = !lq
        ? `LocalQueue ${w.namespace}/${w.queueName}`
        : `ClusterQueue ${cqName}`;
      steps.splice(1, 0, {
        kind: lq ? 'ClusterQueue' : 'LocalQueue',
        name: lq ? cqName ?? '' : w.queueName ?? '',
        state: 'Missing',
        ok: false,
        reason: lq?.activeReason,
        message: lq?.activeMessage ?? quota?.message,
      });
      return {
        ...base,
        verdict: 'QueueMissing',
        severity: 'error',
        summary: `The job is submitted to a queue that cannot admit anything: ${what} does not exist.`,
        nextStep:
          'Fix the queue name on the job (label kueue.x-k8s.io/queue-name) or create the missing queue.',
      };
    }
    return {
      ...base,
      verdict: 'WaitingForQuota',
      severity: 'warning',
      summary: `Kueue has not reserved quota yet (${
        quota?.reason ?? 'Pending'
      })${quota?.message ? `: ${quota.message}` : ''}.`,
      nextStep: cq
        ? `ClusterQueue ${cq.name} has ${cq.pendingWorkloads} pending workloads; wait for quota, or lower the request.`
        : undefined,
    };
  }
  // Quota reserved, admission checks not ready yet.
  if (pr?.state === 'Accepted' || pr?.state === 'Pending') {
    const pool = pr.details.nodePool;
    const missingPool =
      input.gke &&
      (pool
        ? !input.gke.nodePools.some(p => p.name === pool)
        : !input.gke.nodePools.some(p => p.queuedProvisioning));
    if (missingPool) {
      return {
        ...base,
        verdict: 'StuckAccepted',
        severity: 'error',
        summary: pool
          ? `The ProvisioningRequest is queued against node pool ${pool}, which no longer exists: it will neither be provisioned nor fail.`
          : 'The ProvisioningRequest is queued, but the cluster has no queued-provisioning node pool: it will neither be provisioned nor fail.',
        nextStep:
          'Recreate the DWS node pool, then delete the Workload so Kueue creates a new ProvisioningRequest (kubernetes/autoscaler#9490).',
      };
    }
    return {
      ...base,
      verdict: 'WaitingForCapacity',
      severity: 'info',
      summary: `Quota is reserved; GKE is waiting for GPU capacity (${
        pr.reason ?? pr.state
      })${pr.message ? `: ${pr.message}` : ''}`,
      nextStep:
        'Nothing to do: DWS keeps the request queued (up to 7 days) and bills nothing while it waits.',
    };
  }
  if (pr?.state === 'Provisioned' && provisionedAt) {
    clocks.push(clock('booking', provisionedAt, BOOKING_MS, input.now));
    return {
      ...base,
      verdict: 'Starting',
      severity: 'info',
      summary: 'The capacity is provisioned; Kueue is admitting the workload.',
      nextStep:
        'Pods must be running before the 10-minute capacity booking ends.',
    };
  }
  const pendingCheck = w.admissionChecks.find(a => a.state !== 'Ready');
  return {
    ...base,
    verdict: 'WaitingForAdmission',
    severity: 'info',
    summary: `Quota is reserved; waiting for admission check ${
      pendingCheck?.name ?? ''
    } (${pendingCheck?.state ?? 'Pending'})${
      pendingCheck?.message ? `: ${pendingCheck.message}` : ''
    }.`.replace('  ', ' '),
  };
}

/** The workload each explanation was derived from (summaries sort by its creation time). */
const SUBJECTS = new WeakMap<WorkloadExplanation, WorkloadStatus>();

/** Records that `explanation` explains `workload`; returns the explanation. */
export function keepSubject(
  explanation: WorkloadExplanation,
  workload: WorkloadStatus,
): WorkloadExplanation {
  SUBJECTS.set(explanation, workload);
  return explanation;
}

/** The workload an explanation of this module's was derived from. */
export const subjectOf = (explanation: WorkloadExplanation) =>
  SUBJECTS.get(explanation);

/** Explanations of every workload that has not finished. */
export function explainWorkloads(
  input: ExplainInput,
  pods?: PodIndex,
): WorkloadExplanation[] {
  const indexed = {
    ...input,
    index: input.index ?? buildExplainIndex(input, pods),
  };
  return input.workloads
    .filter(w => w.phase !== 'Finished')
    .map(w => keepSubject(explainWorkload(w, indexed), w));
}
