import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  fabricVerificationRun,
  formatBytes,
  NCCL_LOG_MAX_CHARS,
  ncclAllGatherExpectation,
  ncclMinBusBandwidthGBps,
  parseNcclAllGatherLog,
  verificationPool,
  type FabricVerificationRun,
  type GpuStackSpec,
} from '@gpu-platform/backstage-plugin-gpu-cluster-common';
import {
  kubectlApplyServerSide,
  runKubectl,
  type KubectlOptions,
} from '../kubectl';
import { NCCL_TEST_JOB_NAME, renderVerificationJob } from '../manifests';
import { serializeManifest } from '../manifests/serialize';

type Obj = Record<string, any>;

/** @public */
export interface VerifyOptions {
  spec: GpuStackSpec;
  kubectl: KubectlOptions;
  /** How long to wait for the Job to finish (DWS provisioning included). */
  timeoutMs: number;
  /** Between two looks at the Job. */
  pollIntervalMs?: number;
  /** Progress for the operator. */
  progress?: (message: string) => void;
  now?: () => number;
}

/** The verification did not get a result (not a verdict: no run, or no log). @public */
export class VerifyError extends Error {}

const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

const finishedAs = (job: Obj): 'Complete' | 'Failed' | undefined => {
  const done = (type: string) =>
    (job.status?.conditions ?? []).some(
      (c: Obj) => c.type === type && c.status === 'True',
    );
  if (done('Complete')) return 'Complete';
  if (done('Failed')) return 'Failed';
  return undefined;
};

/**
 * `gpu-cluster verify`: runs the stack's NCCL all_gather verification Job again and judges its
 * result. Renders the Job from the spec (never from the cluster), deletes the previous run,
 * creates the Job (Kueue admits it through the DWS queue as on apply), waits for it to finish
 * (bounded), reads the rank-0 pod's log (`kubectl logs --limit-bytes`), parses it and judges it
 * against the accelerator catalog's figures for the pool's machine type.
 * @public
 */
export async function verifyFabric(
  options: VerifyOptions,
): Promise<FabricVerificationRun> {
  const { spec } = options;
  const objects = renderVerificationJob(spec);
  const job = objects.find(o => o.kind === 'Job');
  const pool = verificationPool(spec);
  if (!job || !pool)
    throw new VerifyError(
      'this stack has no NCCL verification (verification.ncclAllGather.enabled is off, Kueue is off, or no node pool has RDMA NICs)',
    );
  const namespace = job.metadata.namespace!;
  const quiet: KubectlOptions = { ...options.kubectl, logger: undefined };
  const progress = options.progress ?? (() => {});
  const now = options.now ?? Date.now;

  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'gpu-cluster-verify-'));
  try {
    const service = path.join(dir, 'service.yaml');
    const jobFile = path.join(dir, 'job.yaml');
    await fs.writeFile(
      service,
      serializeManifest(objects.filter(o => o.kind !== 'Job')),
    );
    await fs.writeFile(jobFile, serializeManifest([job]));
    progress(`deleting the previous ${namespace}/${NCCL_TEST_JOB_NAME}`);
    await runKubectl(
      [
        'delete',
        'job',
        NCCL_TEST_JOB_NAME,
        '--namespace',
        namespace,
        '--ignore-not-found',
        '--cascade=foreground',
        '--wait=true',
        `--timeout=${Math.ceil(Math.min(options.timeoutMs, 300_000) / 1000)}s`,
      ],
      options.kubectl,
    );
    await kubectlApplyServerSide([service], options.kubectl);
    // Created, not applied: once created, Kueue owns the Job's suspend field.
    await runKubectl(['create', '-f', jobFile], options.kubectl);

    const deadline = now() + options.timeoutMs;
    let current: Obj | undefined;
    let outcome: 'Complete' | 'Failed' | undefined;
    for (;;) {
      const got = await runKubectl(
        [
          'get',
          'job',
          NCCL_TEST_JOB_NAME,
          '--namespace',
          namespace,
          '-o',
          'json',
        ],
        quiet,
      );
      current = JSON.parse(got.stdout);
      outcome = finishedAs(current!);
      if (outcome) break;
      if (now() >= deadline)
        throw new VerifyError(
          `${namespace}/${NCCL_TEST_JOB_NAME} did not finish within ${Math.round(
            options.timeoutMs / 1000,
          )} s (suspended: ${Boolean(current?.spec?.suspend)}, active: ${
            current?.status?.active ?? 0
          }); kubectl describe job -n ${namespace} ${NCCL_TEST_JOB_NAME} says why`,
        );
      await sleep(options.pollIntervalMs ?? 10_000);
    }
    progress(`${NCCL_TEST_JOB_NAME} ${outcome}`);

    const uid = current!.metadata.uid;
    const pods = JSON.parse(
      (
        await runKubectl(
          [
            'get',
            'pods',
            '--namespace',
            namespace,
            '-l',
            `batch.kubernetes.io/controller-uid=${uid},batch.kubernetes.io/job-completion-index=0`,
            '-o',
            'json',
          ],
          quiet,
        )
      ).stdout,
    ).items as Obj[];
    const rank0 = pods
      .sort((a, b) =>
        String(a.metadata?.creationTimestamp ?? '').localeCompare(
          String(b.metadata?.creationTimestamp ?? ''),
        ),
      )
      .pop();
    if (!rank0)
      throw new VerifyError(
        `the rank-0 pod of ${namespace}/${NCCL_TEST_JOB_NAME} is gone: its log cannot be read`,
      );
    const container: string = (job as Obj).spec.template.spec.containers[0]
      .name;
    const log = (
      await runKubectl(
        [
          'logs',
          '--namespace',
          namespace,
          rank0.metadata.name,
          '-c',
          container,
          `--limit-bytes=${NCCL_LOG_MAX_CHARS}`,
        ],
        quiet,
      )
    ).stdout;
    const test = spec.verification.ncclAllGather;
    return fabricVerificationRun(
      {
        uid,
        namespace,
        name: NCCL_TEST_JOB_NAME,
        outcome,
        finishedAt: current!.status?.completionTime,
      },
      parseNcclAllGatherLog(log),
      {
        readAt: new Date(now()).toISOString(),
        machineType: pool.machineType,
        expectation: ncclAllGatherExpectation(pool.machineType),
        thresholdGBps: ncclMinBusBandwidthGBps(
          pool.machineType,
          test.minBusBandwidthGBps,
        ),
      },
    );
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

/** The run as a table for the terminal. @public */
export function formatVerification(run: FabricVerificationRun): string[] {
  const lines = [
    `NCCL all_gather ${run.namespace}/${run.jobName}: ${run.verdict} (Job ${run.jobOutcome})`,
    `  transport: ${run.transport?.name ?? 'unknown'}`,
    `  bus bandwidth${
      run.largestSizeBytes ? ` at ${formatBytes(run.largestSizeBytes)}` : ''
    }: ${run.busBandwidthGBps ?? 'unknown'} GB/s (threshold ${
      run.thresholdGBps ?? '-'
    }, expected ${run.expectedBusBandwidthGBps ?? '-'} for ${
      run.machineType ?? '?'
    })`,
  ];
  for (const reason of run.reasons) lines.push(`  - ${reason}`);
  if (run.sizes.length) {
    lines.push(`  ${'size'.padStart(10)}  ${'busbw GB/s'.padStart(10)}`);
    for (const s of run.sizes)
      lines.push(
        `  ${formatBytes(s.sizeBytes).padStart(10)}  ${String(
          s.busBandwidthGBps,
        ).padStart(10)}`,
      );
  }
  return lines;
}
