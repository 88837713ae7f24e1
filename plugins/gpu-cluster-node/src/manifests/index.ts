import type { GpuStackSpec } from '@gpu-platform/backstage-plugin-gpu-cluster-common';
import { FILESTORE_VOLUMES_FILE } from './filestore';
import { renderComputeClasses } from './computeClass';
import {
  kueueInstallStep,
  renderKueueObjects,
  type KueueInstallStep,
} from './kueue';
import { renderNcclRdmaInstaller } from './ncclInstaller';
import { renderNetworkObjects } from './networks';
import { renderRayCluster } from './ray';
import type { ManifestFile } from './types';
import { renderVerificationJob } from './verification';
import { renderWorkloadIdentity } from './workloadIdentity';

export type { KubeObject, ManifestFile } from './types';
export { kueueInstallStep, type KueueInstallStep } from './kueue';
export { rayDashboardPortForwardArgs } from './ray';
export {
  NCCL_TEST_JOB_NAME,
  NCCL_RESULT_MARKER,
  renderVerificationJob,
} from './verification';
export { podNetworkAnnotations } from './networks';

/**
 * Renders the stack's in-cluster objects as ordered manifest files (apply in path order; Kueue's
 * controller is installed first, see {@link kueueInstallStep}). Files without objects are omitted.
 * @public
 */
export function renderManifests(spec: GpuStackSpec): ManifestFile[] {
  const files: ManifestFile[] = [
    { path: '10-networks.yaml', objects: renderNetworkObjects(spec) },
    {
      path: '20-nccl-rdma-installer.yaml',
      objects: renderNcclRdmaInstaller(spec),
    },
    { path: '30-compute-classes.yaml', objects: renderComputeClasses(spec) },
    {
      path: '40-workload-identity.yaml',
      objects: renderWorkloadIdentity(spec),
    },
    { path: '50-kueue-queues.yaml', objects: renderKueueObjects(spec) },
    { path: '60-ray-cluster.yaml', objects: renderRayCluster(spec) },
    {
      path: '70-nccl-verification.yaml',
      objects: renderVerificationJob(spec),
      createOnce: true,
    },
  ];
  return files.filter(f => f.objects.length > 0);
}

export { serializeManifest } from './serialize';
export {
  FILESTORE_SHARE_NAME,
  FILESTORE_VOLUMES_FILE,
  filestoreClaimName,
  filestoreLocation,
  filestoreSharesFromOutputs,
  renderFilestoreVolumes,
  writeFilestoreVolumes,
  type FilestoreShareAddress,
} from './filestore';

/** One step of applying the rendered manifests. @public */
export type ApplyStep =
  | { type: 'kueue-install'; install: KueueInstallStep }
  | {
      type: 'manifest';
      path: string;
      createOnce?: boolean;
      /** Written after Terraform from its outputs (Filestore volumes), not by `render`. */
      fromTerraformOutputs?: boolean;
    };

/** The ordered apply plan `gpu-cluster apply` follows and `render` records as apply-plan.json. @public */
export function manifestApplyPlan(
  spec: GpuStackSpec,
  files: ManifestFile[] = renderManifests(spec),
): ApplyStep[] {
  const install = kueueInstallStep(spec);
  const manifests: ApplyStep[] = [
    ...files.map(f => ({
      type: 'manifest' as const,
      path: f.path,
      ...(f.createOnce ? { createOnce: true } : {}),
    })),
    ...(spec.storage.filestore.length > 0
      ? [
          {
            type: 'manifest' as const,
            path: FILESTORE_VOLUMES_FILE,
            fromTerraformOutputs: true,
          },
        ]
      : []),
  ].sort((a, b) => a.path.localeCompare(b.path));
  return [
    ...(install ? [{ type: 'kueue-install' as const, install }] : []),
    ...manifests,
  ];
}
