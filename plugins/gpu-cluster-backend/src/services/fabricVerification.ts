import type { LoggerService } from '@backstage/backend-plugin-api';
import {
  fabricVerificationRun,
  formatBytes,
  NCCL_LOG_MAX_CHARS,
  ncclAllGatherExpectation,
  parseNcclAllGatherLog,
  type FabricVerificationRun,
  type FabricVerificationSummary,
  type StatusFlag,
} from '@gpu-platform/backstage-plugin-gpu-cluster-common';
import { NCCL_TEST_JOB_NAME } from '@gpu-platform/backstage-plugin-gpu-cluster-node';
import type {
  FabricVerificationStore,
  FinishedVerificationJob,
} from './FabricVerificationStore';

type Obj = Record<string, any>;

/** What the recorder needs of a cluster: its informers' Jobs and nodes, one pod list, one log read. */
export interface VerificationSource {
  snapshot(): { jobs: Obj[]; nodes: Obj[] };
  /** Pods finished or not (the informer holds live pods only), bounded by `limit`. */
  listPods(
    namespace: string,
    labelSelector: string,
    limit: number,
  ): Promise<Obj[]>;
  readPodLog(
    namespace: string,
    name: string,
    container: string,
    limitBytes: number,
  ): Promise<string>;
}

const finishedAs = (job: Obj): 'Complete' | 'Failed' | undefined => {
  const done = (type: string) =>
    (job.status?.conditions ?? []).some(
      (c: Obj) => c.type === type && c.status === 'True',
    );
  if (done('Complete')) return 'Complete';
  if (done('Failed')) return 'Failed';
  return undefined;
};

const INSTANCE_TYPE = 'node.kubernetes.io/instance-type';
const CONTROLLER_UID = 'batch.kubernetes.io/controller-uid';
const COMPLETION_INDEX = 'batch.kubernetes.io/job-completion-index';
/** Pods of one Job run read at most: the verification Job has 2 ranks and backoffLimit 0. */
const JOB_PODS_LIMIT = 50;

/**
 * Keeps the NCCL verification result with the cluster: when the informers show the
 * verification Job (`nccl-allgather-test`) Complete or Failed, the replica that claims its uid in
 * the database reads the rank-0 pod's log once (`pods/log` with the read-only status identity,
 * at most NCCL_LOG_MAX_CHARS), parses it and stores the verdict; the status serves the runs.
 */
export class FabricVerificationRecorder {
  /** Jobs this replica already saw recorded or claimed (saves a query per assembly). */
  private readonly seen = new Set<string>();
  private readonly reading = new Map<string, Promise<void>>();

  constructor(
    private readonly options: {
      store: FabricVerificationStore;
      logger: LoggerService;
      now?: () => number;
    },
  ) {}

  /** Starts reading the log of every newly finished verification Job (in the background). */
  observe(clusterKey: string, source: VerificationSource): void {
    const snapshot = source.snapshot();
    for (const job of snapshot.jobs) {
      if (job.metadata?.name !== NCCL_TEST_JOB_NAME) continue;
      const outcome = finishedAs(job);
      const uid: string | undefined = job.metadata?.uid;
      if (!outcome || !uid) continue;
      const id = `${clusterKey}/${uid}`;
      if (this.seen.has(id) || this.reading.has(id)) continue;
      const work = this.record(clusterKey, job, outcome, source)
        .catch(e =>
          this.options.logger.warn(
            `gpu-cluster ${clusterKey}: NCCL verification ${uid} not recorded: ${
              (e as Error).message
            }`,
          ),
        )
        .finally(() => this.reading.delete(id));
      this.reading.set(id, work);
    }
  }

  /** Waits for the reads under way (tests, shutdown). */
  async settled(): Promise<void> {
    await Promise.all([...this.reading.values()]);
  }

  private async record(
    clusterKey: string,
    job: Obj,
    outcome: 'Complete' | 'Failed',
    source: VerificationSource,
  ) {
    const finished: FinishedVerificationJob = {
      clusterKey,
      uid: job.metadata.uid,
      namespace: job.metadata.namespace,
      name: job.metadata.name,
    };
    const id = `${clusterKey}/${finished.uid}`;
    if (!(await this.options.store.claim(finished))) {
      this.seen.add(id);
      return;
    }
    this.seen.add(id);
    const { nodes } = source.snapshot();
    // The Job's pods have finished, so the live-pods informer no longer holds them: one list by
    // the label the Job controller puts on its pods (its uid, never reused by a later run).
    let pods: Obj[];
    try {
      pods = await source.listPods(
        finished.namespace,
        `${CONTROLLER_UID}=${finished.uid}`,
        JOB_PODS_LIMIT,
      );
    } catch (e) {
      await this.options.store.fail(finished, (e as Error).message);
      throw e;
    }
    // The last attempt of index 0 (rank 0 runs all_gather_perf and prints the result).
    const rank0 = pods
      .filter(p => (p.metadata?.labels?.[COMPLETION_INDEX] ?? '0') === '0')
      .sort((a, b) =>
        String(a.metadata?.creationTimestamp ?? '').localeCompare(
          String(b.metadata?.creationTimestamp ?? ''),
        ),
      )
      .pop();
    if (!rank0) {
      await this.options.store.fail(
        finished,
        'The rank-0 pod of the verification Job is gone (its log cannot be read).',
      );
      return;
    }
    const containers: Obj[] = rank0.spec?.containers ?? [];
    const container =
      containers.find(c =>
        [...(c.command ?? []), ...(c.args ?? [])]
          .join(' ')
          .includes('all_gather_perf'),
      ) ?? containers[0];
    let log: string;
    try {
      log = await source.readPodLog(
        finished.namespace,
        rank0.metadata.name,
        container?.name ?? '',
        NCCL_LOG_MAX_CHARS,
      );
    } catch (e) {
      await this.options.store.fail(finished, (e as Error).message);
      throw e;
    }
    const machineType = nodes.find(
      n => n.metadata?.name === rank0.spec?.nodeName,
    )?.metadata?.labels?.[INSTANCE_TYPE];
    const ran = Number(
      (container?.env ?? []).find((e: Obj) => e.name === 'MIN_BUS_BW')?.value,
    );
    const run = fabricVerificationRun(
      {
        uid: finished.uid,
        namespace: finished.namespace,
        name: finished.name,
        outcome,
        finishedAt:
          job.status?.completionTime ??
          (job.status?.conditions ?? []).find((c: Obj) => c.type === outcome)
            ?.lastTransitionTime,
      },
      parseNcclAllGatherLog(log),
      {
        readAt: new Date((this.options.now ?? Date.now)()).toISOString(),
        machineType,
        expectation: machineType
          ? ncclAllGatherExpectation(machineType)
          : undefined,
        thresholdGBps: Number.isFinite(ran) && ran > 0 ? ran : undefined,
      },
    );
    await this.options.store.complete(finished, run);
    this.options.logger.info(
      `gpu-cluster ${clusterKey}: NCCL verification ${finished.uid} ${run.verdict}`,
    );
  }

  /** The runs kept for a cluster, for the status. */
  async summary(
    clusterKey: string,
  ): Promise<FabricVerificationSummary | undefined> {
    const runs = await this.options.store.runs(clusterKey, 10);
    if (!runs.length) return undefined;
    const [latest, ...previous] = runs;
    return {
      latest,
      previous: previous.map(r => ({
        jobUid: r.jobUid,
        finishedAt: r.finishedAt,
        readAt: r.readAt,
        verdict: r.verdict,
        busBandwidthGBps: r.busBandwidthGBps,
        transport: r.transport,
      })),
    };
  }
}

const SOCKET_FIX =
  'Check that the NCCL RDMA installer DaemonSet is ready on the GPU nodes and that the pods get the RDMA interfaces (networking.gke.io/interfaces annotation, Network and GKENetworkParamSet objects for rdma-0…7), then re-run "Verify GPU cluster fabric".';

/** The flag of the latest run, when it is not a pass. */
export function fabricVerificationFlag(
  latest: FabricVerificationRun | undefined,
): StatusFlag | undefined {
  if (!latest || latest.verdict === 'pass') return undefined;
  const subject = `Job ${latest.namespace}/${latest.jobName}`;
  const link = {
    title: 'GKE: GPUDirect RDMA with A3 Ultra / A4',
    url: 'https://cloud.google.com/kubernetes-engine/docs/how-to/gpu-bandwidth-gpudirect-rdma',
  };
  const at = latest.largestSizeBytes
    ? ` at ${formatBytes(latest.largestSizeBytes)}`
    : '';
  if (latest.transport?.kind === 'socket') {
    return {
      severity: 'error',
      code: 'FabricVerificationFailed',
      subject,
      message: `NCCL ran over ${latest.transport.name} (TCP), not RDMA: ${
        latest.busBandwidthGBps ?? '?'
      } GB/s${at}, expected ${latest.expectedBusBandwidthGBps ?? '?'} GB/s.`,
      fix: SOCKET_FIX,
      link,
    };
  }
  if (latest.verdict === 'belowExpected') {
    return {
      severity: 'warning',
      code: 'FabricBelowExpected',
      subject,
      message: latest.reasons.join(' '),
      fix: 'Re-run the verification on other nodes; if it stays low, check every GPU node advertises its 8 RDMA interfaces and that the nodes share a compact placement.',
      link,
    };
  }
  return {
    severity: latest.verdict === 'unparseable' ? 'warning' : 'error',
    code: 'FabricVerificationFailed',
    subject,
    message: latest.reasons.join(' ') || `Verification ${latest.verdict}.`,
    fix:
      latest.verdict === 'unparseable'
        ? `Read the rank-0 pod's log (kubectl logs -n ${latest.namespace} job/${latest.jobName}) for why all_gather_perf printed no result, then re-run "Verify GPU cluster fabric".`
        : SOCKET_FIX,
    link,
  };
}
