import type {
  ClusterQueueStatus,
  GkeClusterStatus,
  LocalQueueStatus,
  ProvisioningRequestStatus,
  RayClusterStatus,
  RayJobStatus,
  StatusCondition,
  StatusFlag,
  StatusFlagCode,
  StatusSeverity,
  WorkloadStatus,
} from '@gpu-platform/backstage-plugin-gpu-cluster-common';
import { decodeProvisioningFailure } from './explain';
import { groupBy, nsKey } from './snapshotIndex';

/**
 * The watchdog: terminal, costly or stuck states, each with the fix to try. Every rule reads the
 * condition type, reason and message as the upstream controller writes them; the source of each
 * shape is cited beside its rule (research notes in /work/shared/research/user-needs.md §1 quote
 * them verbatim).
 */

/** Accepted for longer than this without being provisioned is worth a look. */
export const STUCK_ACCEPTED_MS = 6 * 60 * 60_000;
/**
 * A Ray head not ready, or Ray workers pending, for longer than this is stuck: KubeRay brings a
 * head up in a minute or two once its node exists, and DWS nodes take up to about 15 min
 * (kubernetes/autoscaler#6936).
 */
export const RAY_STUCK_MS = 15 * 60_000;
/** How many node names a GpuNodesNotReady flag lists (the flag is one per node pool). */
const NAMED_NODES = 3;

/** Most pressing first: within a severity, the codes that cost money or block work lead. */
export const CODE_ORDER: StatusFlagCode[] = [
  'ProvisioningCapacityRevoked',
  'GpuNodesNotReady',
  'FabricVerificationFailed',
  'ProvisioningQuotaExceeded',
  'ProvisioningResourcePoolExhausted',
  'ProvisioningFailed',
  'AcceptedAgainstMissingPool',
  'ClusterQueueInactive',
  'LocalQueueInactive',
  'ProvisioningBookingExpired',
  'RayHeadNotReady',
  'RayWorkersPendingOnFlavor',
  'RetryWithoutRequeue',
  'FabricNetworkMissing',
  'FabricNetworkMismatch',
  'RdmaInstallerNotReady',
  'NodeMissingRdmaInterfaces',
  'AcceptedForLong',
  'FabricBelowExpected',
];
const SEVERITY_RANK: Record<StatusSeverity, number> = {
  error: 0,
  warning: 1,
  info: 2,
};

/** Errors first, then warnings; within a severity by CODE_ORDER, then by subject. */
export function compareFlags(a: StatusFlag, b: StatusFlag): number {
  return (
    SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] ||
    CODE_ORDER.indexOf(a.code) - CODE_ORDER.indexOf(b.code) ||
    (a.subject < b.subject ? -1 : Number(a.subject > b.subject))
  );
}

/** The Cloud console's quota page of a project (IAM & Admin → Quotas). */
export const quotaPageUrl = (project: string) =>
  `https://console.cloud.google.com/iam-admin/quotas?project=${encodeURIComponent(
    project,
  )}`;

/**
 * The quota metric and region of a Compute Engine quota error, as GKE's cluster autoscaler
 * copies it into the ProvisioningRequest's Failed message (reason QuotaExceeded), e.g.
 * "Quota 'NVIDIA_A100_GPUS' exceeded. Limit: 16.0 in region us-central1." (GKE CA reasons test
 * table, user-needs §1).
 */
export function parseQuotaError(message: string | undefined):
  | {
      metric: string;
      limit?: string;
      region?: string;
    }
  | undefined {
  const m =
    /Quota '([A-Z0-9_]+)' exceeded\.(?:\s*Limit: ([0-9.]+)(?: in region ([a-z0-9-]+))?)?/.exec(
      message ?? '',
    );
  return m ? { metric: m[1], limit: m[2], region: m[3] } : undefined;
}

/**
 * The zones Compute Engine suggests in a stockout: its localized message says "Consider trying
 * your request in the us-central1-a, us-central1-f zone(s), which currently has capacity", and
 * its errorInfo metadata carries `zonesAvailable: us-central1-a,us-central1-f`
 * (kubernetes/k8s.io#9834). The zone that ran out is in "The zone 'projects/<p>/zones/<z>'".
 */
export function parseStockout(message: string | undefined): {
  zone?: string;
  suggestedZones: string[];
} {
  const text = message ?? '';
  const zone = /zones\/([a-z0-9-]+)/.exec(text)?.[1];
  const listed =
    /Consider trying your request in the ([a-z0-9-]+(?:,\s*[a-z0-9-]+)*) zone\(s\)/.exec(
      text,
    )?.[1] ?? /zonesAvailable:\s*([a-z0-9-]+(?:,[a-z0-9-]+)*)/.exec(text)?.[1];
  const suggestedZones = (listed ?? '')
    .split(',')
    .map(z => z.trim())
    .filter(z => z && z !== zone);
  return { zone, suggestedZones: [...new Set(suggestedZones)] };
}

const since = (c: StatusCondition | undefined, now: number) =>
  c?.lastTransitionTime ? now - Date.parse(c.lastTransitionTime) : 0;
const findCondition = (conditions: StatusCondition[], type: string) =>
  conditions.find(c => c.type === type);
const prSubject = (pr: ProvisioningRequestStatus) =>
  `ProvisioningRequest ${pr.namespace}/${pr.name}`;
const minutes = (ms: number) => `${Math.round(ms / 60_000)} min`;
const TERMINAL: ProvisioningRequestStatus['state'][] = [
  'Failed',
  'CapacityRevoked',
  'BookingExpired',
];
/** Kueue names retries `<workload>-<check>-<attempt>`; the attempt orders them. */
const attemptOf = (name: string) =>
  Number.parseInt(/-(\d+)$/.exec(name)?.[1] ?? '0', 10);

/** One ProvisioningRequest's terminal state (Failed, CapacityRevoked, BookingExpired) as a flag. */
function provisioningFlag(
  pr: ProvisioningRequestStatus,
  projectId: string | undefined,
  gke: GkeClusterStatus | undefined,
): StatusFlag | undefined {
  const subject = prSubject(pr);
  const pool = pr.details.nodePool;
  if (pr.state === 'CapacityRevoked') {
    // CapacityRevoked=True is terminal: GKE reclaimed the capacity (message "Capacity provisioned
    // for the Provisioning Request was reclaimed and is no longer available in the cluster.", GKE
    // CA source); Kueue rejects the check and deactivates the Workload (Kueue KEP-1136).
    return {
      severity: 'error',
      code: 'ProvisioningCapacityRevoked',
      subject,
      message: `Capacity revoked${
        pool ? ` on node pool ${pool}` : ''
      }: GKE reclaimed the nodes, so the workload lost them and Kueue deactivated it. ${
        pr.message ?? ''
      }`.trim(),
      fix: `Resubmit the job (or set spec.active back to true on Workload ${
        pr.workload ?? pr.name
      }) to queue for new capacity; checkpoint often on flex-start capacity.`,
    };
  }
  if (pr.state === 'BookingExpired') {
    // BookingExpired=True: "Capacity booking for the Provisioning Request has expired and the
    // nodes are now candidates for scale down when underutilized." (GKE CA source; booking 10 min,
    // kubernetes/autoscaler#6555).
    return {
      severity: 'warning',
      code: 'ProvisioningBookingExpired',
      subject,
      message: `Booking expired before the pods started: the nodes${
        pool ? ` of node pool ${pool}` : ''
      } may scale down (they are now candidates for scale-down when underutilized), and the capacity is lost.`,
      fix: 'Make the pods start within the 10-minute booking (smaller or pre-pulled images, matching node selectors and tolerations, PVCs that bind); Kueue retries with a new ProvisioningRequest.',
    };
  }
  if (pr.state !== 'Failed') return undefined;
  if (pr.reason === 'QuotaExceeded') {
    // Failed=True reason QuotaExceeded, message naming the quota and region (GKE CA reasons).
    const quota = parseQuotaError(pr.message);
    const project = projectId ?? gke?.projectId;
    const what = quota
      ? `Compute Engine quota ${quota.metric}${
          quota.region ? ` in region ${quota.region}` : ''
        }${quota.limit ? ` (limit ${quota.limit})` : ''}`
      : 'a Compute Engine quota';
    return {
      severity: 'error',
      code: 'ProvisioningQuotaExceeded',
      subject,
      message: `Provisioning failed (QuotaExceeded): ${what} is too small for the request.`,
      fix: `Request an increase of ${
        quota ? quota.metric : 'the quota named in the message'
      }${quota?.region ? ` in ${quota.region}` : ''}${
        project ? ` for project ${project}` : ''
      } on the quotas page, or request fewer GPUs; Kueue retries the check.`,
      ...(project && {
        link: {
          title: 'Quotas in the Cloud console',
          url: quotaPageUrl(project),
        },
      }),
    };
  }
  if (pr.reason === 'ResourcePoolExhausted') {
    // Failed=True reason ResourcePoolExhausted, message "Provisioning Request could not provision
    // queued instances in the allocated time. The remaining received errors:
    // [ZONE_RESOURCE_POOL_EXHAUSTED_WITH_DETAILS: The zone 'projects/<p>/zones/<z>' does not have
    // enough resources available to fulfill the request. …]" (GKE CA reasons/resizerequest tests).
    const { zone, suggestedZones } = parseStockout(pr.message);
    const poolLocations = pool
      ? gke?.nodePools.find(p => p.name === pool)?.locations
      : undefined;
    const newZones = suggestedZones.filter(
      z => !(poolLocations ?? []).includes(z),
    );
    return {
      severity: 'error',
      code: 'ProvisioningResourcePoolExhausted',
      subject,
      message: `Provisioning failed (ResourcePoolExhausted): no capacity for the GPUs${
        zone ? ` in ${zone}` : ''
      }${
        suggestedZones.length
          ? `; GKE suggests ${suggestedZones.join(
              ', ',
            )}, which have capacity now`
          : ''
      }.`,
      fix: suggestedZones.length
        ? `Add ${(newZones.length ? newZones : suggestedZones).join(
            ', ',
          )} to the node locations of ${
            pool ? `node pool ${pool}` : 'the DWS node pool'
          } (or submit to a pool there); Kueue retries the check.`
        : `Add zones to the node locations of ${
            pool ? `node pool ${pool}` : 'the DWS node pool'
          } so GKE can look in more places, or use flex-start without queued provisioning for jobs that fit on one node; Kueue retries the check.`,
    };
  }
  // Other documented Failed reasons (WaitTimeExceeded, IPSpaceExhausted, PermissionsError,
  // LimitExceeded, OutOfResources, …): the explanation's decoder says what each means.
  const decoded = decodeProvisioningFailure(pr.reason, pr.message);
  return {
    severity: 'error',
    code: 'ProvisioningFailed',
    subject,
    message: decoded.summary,
    fix: decoded.nextStep,
  };
}

export interface FlagInput {
  clusterQueues: ClusterQueueStatus[];
  localQueues: LocalQueueStatus[];
  workloads: WorkloadStatus[];
  /** The workloads by namespace/name, when the caller keeps them so (else built here). */
  workloadsByKey?: ReadonlyMap<string, WorkloadStatus>;
  provisioningRequests: ProvisioningRequestStatus[];
  rayClusters: RayClusterStatus[];
  rayJobs: RayJobStatus[];
  /** Raw Node objects (the Ready condition's reason and message). */
  nodes: any[];
  /** Raw Pod objects (the Ray head's scheduling message). */
  pods: any[];
  gke?: GkeClusterStatus;
  /** The GCP project of the cluster (config), for the quota page link. */
  projectId?: string;
  now: number;
}

const GPU = 'nvidia.com/gpu';
const isGpuNode = (node: any) =>
  Number.parseInt(String(node.status?.capacity?.[GPU] ?? '0'), 10) > 0 ||
  Boolean(node.metadata?.labels?.['cloud.google.com/gke-accelerator']);
const readyOf = (node: any) =>
  (node.status?.conditions ?? []).find((c: any) => c.type === 'Ready');

/**
 * GPU nodes whose Ready condition is not True, one flag per node pool (so a pool of 500 broken
 * nodes is one line). Shapes: kubelet's `Ready=False` (e.g. KubeletNotReady "container runtime
 * network not ready …") and the node lifecycle controller's `Ready=Unknown` NodeStatusUnknown
 * "Kubelet stopped posting node status." (kubernetes node-lifecycle-controller).
 */
function gpuNodeFlags(nodes: any[]): StatusFlag[] {
  const notReady = nodes.filter(
    n => isGpuNode(n) && readyOf(n)?.status !== 'True',
  );
  const byPool = groupBy(
    notReady,
    n => n.metadata?.labels?.['cloud.google.com/gke-nodepool'] ?? '',
  );
  const gpuNodesPerPool = groupBy(
    nodes.filter(isGpuNode),
    n => n.metadata?.labels?.['cloud.google.com/gke-nodepool'] ?? '',
  );
  return [...byPool.entries()].map(([pool, list]) => {
    const shown = list.slice(0, NAMED_NODES).map(n => {
      const ready = readyOf(n);
      return `${n.metadata.name} (${ready?.status ?? 'no Ready condition'}${
        ready?.reason ? ` ${ready.reason}` : ''
      }${ready?.message ? `: ${ready.message}` : ''})`;
    });
    const more = list.length - shown.length;
    return {
      severity: 'error' as const,
      code: 'GpuNodesNotReady' as const,
      subject: pool ? `Node pool ${pool}` : 'GPU nodes without a node pool',
      message: `${list.length} of ${
        gpuNodesPerPool.get(pool)?.length ?? list.length
      } GPU nodes not ready, so their GPUs cannot run pods: ${shown.join(
        '; ',
      )}${more > 0 ? `; and ${more} more` : ''}.`,
      fix: `Run kubectl describe node ${list[0].metadata.name} for the kubelet's events; GKE node auto-repair recreates a node that stays NotReady for about 10 minutes, else cordon, drain and delete the node so the pool replaces it.`,
    };
  });
}

const POD_SCHEDULED = (pod: any) =>
  (pod?.status?.conditions ?? []).find((c: any) => c.type === 'PodScheduled');

/**
 * Ray stuck: a RayCluster whose head has not been ready for RAY_STUCK_MS (KubeRay's
 * `HeadPodReady=False`, reasons HeadPodNotReady / HeadPodNotFound, KubeRay v1.7
 * raycluster_types.go), and a Kueue-managed RayCluster or RayJob whose worker group cannot get
 * a flavor (Workload `QuotaReserved=False` reason Pending, message "couldn't assign flavors to
 * pod set <group>: … in flavor <flavor> …", Kueue's Assignment.Message()).
 */
function rayFlags(input: FlagInput): StatusFlag[] {
  const flags: StatusFlag[] = [];
  const headPods = new Map(
    input.pods
      .filter(p => p.metadata?.labels?.['ray.io/node-type'] === 'head')
      .map(p => [
        nsKey(p.metadata.namespace, p.metadata.labels['ray.io/cluster']),
        p,
      ]),
  );
  for (const rc of input.rayClusters) {
    if (rc.state === 'suspended') continue;
    const headReady = findCondition(rc.conditions, 'HeadPodReady');
    if (!headReady || headReady.status === 'True') continue;
    const age = since(headReady, input.now);
    if (age < RAY_STUCK_MS) continue;
    const pod = headPods.get(nsKey(rc.namespace, rc.name));
    const scheduled = POD_SCHEDULED(pod);
    const unschedulable = scheduled?.status === 'False';
    flags.push({
      severity: 'warning',
      code: 'RayHeadNotReady',
      subject: `RayCluster ${rc.namespace}/${rc.name}`,
      message: `The Ray head has not been ready for ${minutes(age)} (${
        headReady.reason ?? 'HeadPodReady=False'
      })${
        unschedulable && scheduled?.message
          ? `: its pod cannot be scheduled: ${scheduled.message}`
          : ''
      }, so no Ray job can start on it.`,
      fix: unschedulable
        ? "Make the head fit a node: lower the head's resource requests or fix its node selector and tolerations (kubectl describe pod shows the scheduler's reasons)."
        : `Read the head pod's events and logs (kubectl -n ${
            rc.namespace
          } describe pod${
            pod ? ` ${pod.metadata.name}` : ''
          }); an image that cannot be pulled or a failing readiness probe keeps the head not ready.`,
    });
  }
  const rayOwned = input.workloads.filter(
    w =>
      (w.owner?.kind === 'RayCluster' || w.owner?.kind === 'RayJob') &&
      ['Pending', 'Evicted'].includes(w.phase),
  );
  for (const w of rayOwned) {
    const quota = findCondition(w.conditions, 'QuotaReserved');
    const m =
      /couldn't assign flavors to pod set ([^:]+): (.*)$/s.exec(
        quota?.message ?? '',
      ) ?? undefined;
    if (!m || m[1] === 'head') continue;
    const pendingFor = since(quota, input.now);
    if (pendingFor < RAY_STUCK_MS) continue;
    const flavor = /in flavor ([a-z0-9.-]+)/.exec(m[2])?.[1];
    flags.push({
      severity: 'warning',
      code: 'RayWorkersPendingOnFlavor',
      subject: `${w.owner!.kind} ${w.namespace}/${w.owner!.name}`,
      message: `Worker group ${m[1]} has waited ${minutes(
        pendingFor,
      )} for quota${flavor ? ` in flavor ${flavor}` : ''}: ${m[2]}`,
      fix: `Lower the worker group's replicas or GPU requests to fit the ClusterQueue${
        w.clusterQueue ? ` ${w.clusterQueue}` : ''
      }${
        flavor ? `, or raise flavor ${flavor}'s nominal quota` : ''
      } (or let it borrow from its cohort).`,
    });
  }
  return flags;
}

/** Every flag of the cluster, most pressing first. Pure. */
export function detectFlags(input: FlagInput): StatusFlag[] {
  const flags: StatusFlag[] = [];
  for (const q of input.clusterQueues.filter(x => !x.active)) {
    flags.push({
      severity: 'error',
      code: 'ClusterQueueInactive',
      subject: `ClusterQueue ${q.name}`,
      message: `Inactive (${q.activeReason ?? 'unknown'}): ${
        q.activeMessage ?? ''
      }`.trim(),
      fix: 'Create what the message names as missing (ResourceFlavor, AdmissionCheck or its ProvisioningRequestConfig); the queue admits nothing until then.',
    });
  }
  for (const q of input.localQueues.filter(x => !x.active)) {
    flags.push({
      severity: 'error',
      code: 'LocalQueueInactive',
      subject: `LocalQueue ${q.namespace}/${q.name}`,
      message: `Inactive (${q.activeReason ?? 'unknown'}): ${
        q.activeMessage ?? ''
      }`.trim(),
      fix: `Point the LocalQueue at an existing ClusterQueue (spec.clusterQueue${
        q.clusterQueue ? `, now ${q.clusterQueue}` : ''
      }) or create that ClusterQueue.`,
    });
  }
  const workloads =
    input.workloadsByKey ??
    new Map(input.workloads.map(w => [nsKey(w.namespace, w.name), w]));
  const { gke } = input;
  // Kueue retries a failed check with a new ProvisioningRequest (`…-<check>-<attempt>`): per
  // workload only the newest terminal attempt is flagged, and none once a newer attempt is
  // provisioned or the workload runs or finished.
  const newestTerminal = new Map<string, ProvisioningRequestStatus>();
  const settled = new Set<string>();
  for (const pr of input.provisioningRequests) {
    const key = nsKey(pr.namespace, pr.workload ?? pr.name);
    const w = workloads.get(key);
    if (
      pr.state === 'Provisioned' ||
      // Admitted is not settled: after a lapsed booking the pods never started.
      (w && ['Running', 'Finished', 'Failed'].includes(w.phase))
    )
      settled.add(key);
    if (!TERMINAL.includes(pr.state)) continue;
    const current = newestTerminal.get(key);
    if (!current || attemptOf(pr.name) > attemptOf(current.name))
      newestTerminal.set(key, pr);
  }
  for (const pr of input.provisioningRequests) {
    const key = nsKey(pr.namespace, pr.workload ?? pr.name);
    if (
      TERMINAL.includes(pr.state) &&
      (newestTerminal.get(key) !== pr || settled.has(key))
    )
      continue;
    const terminal = provisioningFlag(pr, input.projectId, gke);
    if (terminal) {
      flags.push(terminal);
      continue;
    }
    if (pr.state !== 'Accepted') continue;
    const pool = pr.details.nodePool;
    const poolMissing =
      gke &&
      (pool
        ? !gke.nodePools.some(p => p.name === pool)
        : !gke.nodePools.some(p => p.queuedProvisioning));
    const age = since(findCondition(pr.conditions, 'Accepted'), input.now);
    if (poolMissing) {
      flags.push({
        severity: 'error',
        code: 'AcceptedAgainstMissingPool',
        subject: prSubject(pr),
        message: pool
          ? `Accepted against node pool ${pool}, which no longer exists in GKE: it will never be provisioned or fail.`
          : 'Accepted, but GKE has no node pool with queued provisioning: it will never be provisioned or fail.',
        fix: pool
          ? 'Delete the Workload to re-trigger provisioning.'
          : 'Recreate the DWS node pool, then delete the Workload to re-trigger provisioning.',
        reference: 'https://github.com/kubernetes/autoscaler/issues/9490',
      });
    } else if (age > STUCK_ACCEPTED_MS) {
      flags.push({
        severity: 'warning',
        code: 'AcceptedForLong',
        subject: prSubject(pr),
        message: `Waiting for capacity for ${Math.round(age / 3_600_000)} h.`,
        fix: 'DWS keeps the request queued for up to 7 days and bills nothing meanwhile; to start sooner, allow more zones or another accelerator.',
      });
    }
  }
  for (const w of input.workloads) {
    // Eviction resets every check to Pending; one still in Retry after it blocks re-admission for
    // good, even once the backoff finished (Requeued=True in kueue#5129's report).
    const retry = w.admissionChecks.find(a => a.state === 'Retry');
    if (retry && findCondition(w.conditions, 'Evicted')?.status === 'True') {
      flags.push({
        severity: 'warning',
        code: 'RetryWithoutRequeue',
        subject: `Workload ${w.namespace}/${w.name}`,
        message: `Admission check ${retry.name} is still in Retry on the evicted workload, so Kueue will not admit it again (eviction should have reset the check to Pending).`,
        fix: 'Delete the Workload to re-trigger the check.',
        reference: 'https://github.com/kubernetes-sigs/kueue/issues/5129',
      });
    }
  }
  flags.push(...gpuNodeFlags(input.nodes));
  flags.push(...rayFlags(input));
  return flags.sort(compareFlags);
}
