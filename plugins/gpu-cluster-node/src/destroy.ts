import { backOff } from 'exponential-backoff';
import {
  stackNames,
  type GpuStackSpec,
} from '@gpu-platform/backstage-plugin-gpu-cluster-common';
import {
  deleteInClusterWork,
  deleteManifestPlan,
  type KubectlOptions,
} from './kubectl';
import { manifestApplyPlan } from './manifests';
import {
  runTerraform,
  TerraformError,
  terraformDestroy,
  terraformInit,
  type TerraformStackOptions,
} from './terraform';

/** Terraform addresses the destroy flow acts on by name. */
const CLUSTER_ADDRESS = 'module.cluster.google_container_cluster.this';
const TRAINING_BUCKET_ADDRESS =
  'module.storage.google_storage_bucket.training[0]';

/** @public */
export interface DestroyStackOptions {
  spec: GpuStackSpec;
  /**
   * A private run of the shipped module (`withTerraformRun`) whose tfvars were rendered for
   * destroy (`renderTfvars(spec, { destroy: { deleteData } })`).
   */
  terraform: TerraformStackOptions;
  /** The rendered manifests (`manifests/` of the stack directory). */
  manifestsDir: string;
  /** How to reach the cluster; without it the in-cluster steps are skipped (`skipReason`). */
  kubectl?: KubectlOptions;
  /** Why the cluster is not reached (reported). */
  skipReason?: string;
  /** Delete data too: the training bucket with its objects, and Filestore shares. */
  deleteData?: boolean;
  /** Bound of each in-cluster wait (default 300 s). */
  inClusterTimeoutSeconds?: number;
  /** How often `terraform destroy` runs when GCP is still deleting (see {@link DESTROY_RETRY}). */
  destroyRetry?: Partial<DestroyRetryOptions>;
  logger?: { info(message: string): void; warn(message: string): void };
}

/** Bounded retries of `terraform destroy`. @public */
export interface DestroyRetryOptions {
  /** Runs of `terraform destroy` at most (the first included). */
  attempts: number;
  /** Wait before the second run; doubled for each further one. */
  delayMs: number;
  /** Longest wait between two runs. */
  maxDelayMs: number;
}

/**
 * Seed 000: "You may have to run destroy more than once as some networking components take a
 * while to be destroyed". A VPC whose subnetworks, firewall rules or peerings GCP is still
 * deleting is refused until they are gone; a later run succeeds.
 * @public
 */
export const DESTROY_RETRY: DestroyRetryOptions = {
  attempts: 4,
  delayMs: 30_000,
  maxDelayMs: 120_000,
};

/**
 * Failures of `terraform destroy` that a later run clears, as GCP words them (Compute Engine's
 * error reasons, GKE's and Service Networking's messages).
 */
const TRANSIENT_DESTROY_ERRORS: RegExp[] = [
  // "The network resource '…' is already being used by '…', resourceInUseByAnotherResource"
  /resourceInUseByAnotherResource/,
  /is already being used by/,
  // "The resource '…' is not ready, resourceNotReady"
  /resourceNotReady/,
  // GKE: "Operation operation-… is currently … on cluster …. Please wait and try again."
  /Please wait and try again/,
  // Service Networking: "Producer services (e.g. CloudSQL, Cloud Memstore, etc.) are still using this connection."
  /are still using this connection/,
];

/** Whether a failed `terraform destroy` is worth running again (not cancelled, not timed out). @public */
export function isTransientDestroyError(error: unknown): boolean {
  if (!(error instanceof TerraformError) || error.failure !== 'exit-code')
    return false;
  const text = `${error.message}\n${error.stderr}`;
  return TRANSIENT_DESTROY_ERRORS.some(pattern => pattern.test(text));
}

/**
 * `terraform destroy`, run again (bounded, with growing waits) while GCP is still deleting what
 * the resources depend on. Any other failure, a cancellation or the last attempt's failure is
 * thrown as is.
 * @public
 */
export async function terraformDestroyWithRetries(
  terraform: TerraformStackOptions,
  options: Partial<DestroyRetryOptions> & {
    logger?: { warn(message: string): void };
  } = {},
) {
  const retry = { ...DESTROY_RETRY, ...options };
  return backOff(() => terraformDestroy({ ...terraform, skipInit: true }), {
    numOfAttempts: Math.max(1, retry.attempts),
    startingDelay: retry.delayMs,
    maxDelay: retry.maxDelayMs,
    timeMultiple: 2,
    // The first run goes at once; the waits come between runs.
    delayFirstAttempt: false,
    jitter: 'none',
    retry: (error, attemptNumber) => {
      if (terraform.signal?.aborted || !isTransientDestroyError(error))
        return false;
      options.logger?.warn(
        `terraform destroy ${attemptNumber}/${
          retry.attempts
        } failed while GCP is still deleting (${transientReason(
          error as Error,
        )}); running it again`,
      );
      return true;
    },
  });
}

/** The line of terraform's diagnostics naming why GCP refused, for the log. */
function transientReason(error: Error): string {
  const lines = `${error.message}\n${
    (error as { stderr?: string }).stderr ?? ''
  }`.split('\n');
  const line =
    lines.find(l => TRANSIENT_DESTROY_ERRORS.some(p => p.test(l))) ?? lines[0];
  return line.trim().slice(0, 300);
}

/** What a destroy did and what it left in place. @public */
export interface DestroyReport {
  /** In-cluster work deleted first (`kind.group/name`). */
  inClusterWork: string[];
  /** Why the in-cluster steps did not run, when they did not. */
  inClusterSkipped?: string;
  /** Resources deliberately kept, with why and how to remove them. */
  kept: Array<{ resource: string; note: string }>;
}

/**
 * Removes a stack in order: the work running in the cluster (Ray, queued Jobs, Kueue Workloads,
 * ProvisioningRequests), the stack's own Kubernetes objects, then Terraform (run again, bounded,
 * while GCP is still deleting network resources: {@link terraformDestroyWithRetries}). Deletion protection
 * (a guard against deletions outside this flow) is lifted first. Data is kept unless
 * `deleteData`: the training bucket leaves Terraform's state and stays; a stack with Filestore
 * shares is refused, since an instance cannot outlive the VPC it is attached to.
 * @public
 */
export async function destroyStack(
  options: DestroyStackOptions,
): Promise<DestroyReport> {
  const { spec, logger } = options;
  const names = stackNames(spec);
  const deleteData = options.deleteData ?? false;
  if (spec.storage.filestore.length > 0 && !deleteData) {
    throw new Error(
      `This stack has Filestore shares (${names.filestoreInstances.join(
        ', ',
      )}): they are attached to the stack's VPC and cannot outlive it, so destroying deletes their data. Copy what you need, then run destroy with --delete-data`,
    );
  }
  const report: DestroyReport = { inClusterWork: [], kept: [] };
  if (options.kubectl) {
    report.inClusterWork = await deleteInClusterWork({
      ...options.kubectl,
      timeoutSeconds: options.inClusterTimeoutSeconds,
    });
    await deleteManifestPlan(manifestApplyPlan(spec), {
      ...options.kubectl,
      manifestsDir: options.manifestsDir,
    });
  } else {
    report.inClusterSkipped =
      options.skipReason ?? 'no connection to the cluster';
    logger?.warn(
      `Not deleting in-cluster work first: ${report.inClusterSkipped}`,
    );
  }

  const terraform = options.terraform;
  await terraformInit(terraform);
  const inState = new Set(
    (
      await runTerraform({ ...terraform, args: ['state', 'list', '-no-color'] })
    ).stdout
      .split('\n')
      .map(line => line.trim())
      .filter(Boolean),
  );
  // Lift the guards Terraform checks itself (no API call): deletion protection, and the bucket's
  // force_destroy when its data goes too.
  const targets = [
    CLUSTER_ADDRESS,
    ...(deleteData ? [TRAINING_BUCKET_ADDRESS] : []),
  ].filter(address => inState.has(address));
  if (targets.length) {
    await runTerraform({
      ...terraform,
      args: [
        'apply',
        '-auto-approve',
        ...targets.map(address => `-target=${address}`),
      ],
    });
  }
  if (!deleteData && inState.has(TRAINING_BUCKET_ADDRESS)) {
    await runTerraform({
      ...terraform,
      args: ['state', 'rm', '-no-color', TRAINING_BUCKET_ADDRESS],
    });
    report.kept.push({
      resource: `gs://${names.trainingBucket}`,
      note: `training data, no longer managed by this stack (delete it with gcloud storage rm --recursive gs://${names.trainingBucket}, or destroy with --delete-data)`,
    });
  }
  await terraformDestroyWithRetries(terraform, {
    ...options.destroyRetry,
    logger,
  });
  if (terraform.state?.backend === 'gcs') {
    report.kept.push({
      resource: `gs://${terraform.state.bucket}/${terraform.state.prefix}`,
      note: 'Terraform state of this stack (now empty; the bucket is shared by the stacks of the project and keeps earlier generations)',
    });
  }
  report.kept.push({
    resource: `APIs of project ${spec.identity.projectId}`,
    note: 'left enabled: other workloads of the project may use them',
  });
  return report;
}
