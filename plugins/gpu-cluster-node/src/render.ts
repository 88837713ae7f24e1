import fs from 'node:fs/promises';
import path from 'node:path';
import type { GpuStackSpec } from '@gpu-platform/backstage-plugin-gpu-cluster-common';
import {
  manifestApplyPlan,
  renderManifests,
  serializeManifest,
  type ApplyStep,
} from './manifests';
import { renderTfvars } from './terraform';

/** What {@link writeStackFiles} wrote, relative to the output directory. @public */
export interface WrittenStack {
  files: string[];
  applyPlan: ApplyStep[];
}

/**
 * Renders a parsed spec into `<outDir>/terraform/terraform.tfvars.json`, `<outDir>/manifests/*.yaml`
 * and `<outDir>/manifests/apply-plan.json`. Shared by the CLI and the scaffolder actions.
 * @public
 */
export async function writeStackFiles(
  spec: GpuStackSpec,
  outDir: string,
): Promise<WrittenStack> {
  const terraformDir = path.join(outDir, 'terraform');
  const manifestsDir = path.join(outDir, 'manifests');
  await fs.mkdir(terraformDir, { recursive: true });
  await fs.mkdir(manifestsDir, { recursive: true });
  const written: string[] = [];
  const write = async (rel: string, text: string) => {
    await fs.writeFile(path.join(outDir, rel), text, 'utf8');
    written.push(rel);
  };
  await write(
    path.join('terraform', 'terraform.tfvars.json'),
    `${JSON.stringify(renderTfvars(spec), null, 2)}\n`,
  );
  const files = renderManifests(spec);
  for (const file of files)
    await write(
      path.join('manifests', file.path),
      serializeManifest(file.objects),
    );
  const applyPlan = manifestApplyPlan(spec, files);
  await write(
    path.join('manifests', 'apply-plan.json'),
    `${JSON.stringify(applyPlan, null, 2)}\n`,
  );
  return { files: written, applyPlan };
}
