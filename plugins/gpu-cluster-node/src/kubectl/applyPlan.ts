import fs from 'node:fs/promises';
import path from 'node:path';
import type { ApplyStep } from '../manifests';
import {
  kubectlApplyServerSide,
  kubectlCreateIfAbsent,
  kubectlDelete,
  kubectlRolloutStatus,
  type KubectlOptions,
} from './runKubectl';

/** @public */
export interface ApplyManifestsOptions extends KubectlOptions {
  /** Directory with the rendered manifest files. */
  manifestsDir: string;
  /** Local copy of Kueue's release manifest (air-gapped clusters); the pinned URL otherwise. */
  kueueManifest?: string;
  /** Seconds to wait for the Kueue controller before applying queues (default 300). */
  kueueReadyTimeoutSeconds?: number;
}

/**
 * Applies the rendered stack in plan order: Kueue's release manifest first (server-side, as seed
 * 001 does), waits for its controller so the queue webhooks answer, then each manifest file.
 * @public
 */
export async function applyManifestPlan(
  plan: ApplyStep[],
  options: ApplyManifestsOptions,
): Promise<void> {
  for (const step of plan) {
    if (step.type === 'kueue-install') {
      await kubectlApplyServerSide(
        [options.kueueManifest ?? step.install.manifestUrl],
        { ...options, forceConflicts: true },
      );
      await kubectlRolloutStatus(
        step.install.namespace,
        step.install.waitForDeployment,
        options.kueueReadyTimeoutSeconds ?? 300,
        options,
      );
    } else if (
      step.fromTerraformOutputs &&
      !(await fs
        .stat(path.join(options.manifestsDir, step.path))
        .catch(() => undefined))
    ) {
      throw new Error(
        `${step.path} is written after Terraform from its outputs (writeFilestoreVolumes): apply the Terraform stack first`,
      );
    } else if (step.createOnce) {
      await kubectlCreateIfAbsent(
        [path.join(options.manifestsDir, step.path)],
        options,
      );
    } else {
      await kubectlApplyServerSide(
        [path.join(options.manifestsDir, step.path)],
        options,
      );
    }
  }
}

/** Deletes the rendered manifests in reverse order (Kueue itself is left installed). @public */
export async function deleteManifestPlan(
  plan: ApplyStep[],
  options: ApplyManifestsOptions,
): Promise<void> {
  for (const step of [...plan].reverse()) {
    if (step.type !== 'manifest') continue;
    const file = path.join(options.manifestsDir, step.path);
    // Files written after Terraform exist only once it ran.
    if (
      step.fromTerraformOutputs &&
      !(await fs.stat(file).catch(() => undefined))
    )
      continue;
    await kubectlDelete([file], options);
  }
}
