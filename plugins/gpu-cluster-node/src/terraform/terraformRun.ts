import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { GpuStackSpec } from '@gpu-platform/backstage-plugin-gpu-cluster-common';
import { toolEnvironment } from '../process/environment';
import { Redactor } from '../process/redact';
import type { ProcessLogger } from '../process/runProcess';
import { renderTfvars } from './renderTfvars';
import type {
  TerraformStackOptions,
  TerraformStateLocation,
} from './runTerraform';
import {
  loadVerifiedModule,
  writeModule,
  type VerifiedModule,
} from './shippedModule';

/** How terraform runs, from `gpuCluster.terraform.*` (never from template input). @public */
export interface TerraformSettings {
  /** The terraform binary (default `terraform` on PATH). */
  terraformPath?: string;
  /** `gpuCluster.terraform.env`: all terraform and its provider get besides the base. */
  env: Record<string, string>;
  timeoutMs?: number;
  killAfterMs?: number;
  /** Parent of the private run directories (default the OS temporary directory). */
  runDirectory?: string;
}

/** @public */
export interface TerraformRunOptions {
  /** The validated spec; its tfvars are rendered here, never read from a workspace. */
  spec: GpuStackSpec;
  state?: TerraformStateLocation;
  settings: TerraformSettings;
  signal?: AbortSignal;
  logger?: ProcessLogger;
  redactor?: Redactor;
  /** How the tfvars are rendered from the spec (e.g. for destroy: lift deletion guards). */
  tfvarsOptions?: Parameters<typeof renderTfvars>[1];
  /** Test seam: a module other than the verified shipped one. */
  module?: VerifiedModule;
}

/**
 * Runs `fn` on a private copy of the shipped, verified Terraform module: a fresh owner-only
 * directory outside any task workspace holding the module, the `terraform.tfvars.json` rendered
 * from the validated spec (the only input), and HOME/TMPDIR of the run; removed afterwards, so a
 * run leaves nothing behind (state lives in its backend).
 *
 * @public
 */
export async function withTerraformRun<T>(
  options: TerraformRunOptions,
  fn: (stack: TerraformStackOptions) => Promise<T>,
): Promise<T> {
  const module = options.module ?? (await loadVerifiedModule());
  const parent = options.settings.runDirectory ?? os.tmpdir();
  await fs.mkdir(parent, { recursive: true });
  const root = await fs.mkdtemp(path.join(parent, 'gpu-cluster-terraform-'));
  const redactor = options.redactor ?? new Redactor();
  redactor.addPath(root, '<terraform-run>');
  try {
    await fs.chmod(root, 0o700);
    const dir = path.join(root, 'module');
    await writeModule(module, dir);
    await fs.writeFile(
      path.join(dir, 'terraform.tfvars.json'),
      `${JSON.stringify(
        renderTfvars(options.spec, options.tfvarsOptions),
        null,
        2,
      )}\n`,
      { mode: 0o600, flag: 'wx' },
    );
    const home = path.join(root, 'home');
    await fs.mkdir(path.join(home, 'tmp'), { recursive: true, mode: 0o700 });
    options.logger?.info(
      `Terraform module verified (sha256 ${module.digest.slice(
        0,
        12,
      )}…); running it in a private directory`,
    );
    return await fn({
      dir,
      state: options.state,
      terraformPath: options.settings.terraformPath,
      env: toolEnvironment({ configured: options.settings.env, home }),
      signal: options.signal,
      logger: options.logger,
      redactor,
      timeoutMs: options.settings.timeoutMs,
      killAfterMs: options.settings.killAfterMs,
    });
  } finally {
    await fs.rm(root, { recursive: true, force: true });
  }
}
