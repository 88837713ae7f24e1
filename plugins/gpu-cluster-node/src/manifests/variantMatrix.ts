import {
  ACCELERATOR_CATALOG,
  PROVISIONING_MODES,
  type GpuStackSpecInput,
  type ProvisioningMode,
} from '@gpu-platform/backstage-plugin-gpu-cluster-common';

/** Feature toggles crossed with every accelerator × provisioning mode. @public */
export const FEATURE_TOGGLES: Array<{
  name: string;
  apply: (s: GpuStackSpecInput) => GpuStackSpecInput;
}> = [
  { name: 'defaults', apply: s => s },
  { name: 'no-ray', apply: s => ({ ...s, ray: { enabled: false } }) },
  {
    name: 'ray-ingress+mounts',
    apply: s => ({
      ...s,
      ray: {
        dashboard: {
          exposure: 'authenticated-ingress',
          host: 'ray.example.com',
        },
      },
      storage: {
        gcsMounts: [{ bucket: 'shared-models', mountPath: '/models' }],
        filestore: [{ mountPath: '/nfs', tier: 'BASIC_SSD' }],
      },
    }),
  },
  {
    name: 'minimal',
    apply: s => ({
      ...s,
      ray: { enabled: false, dashboard: { exposure: 'none' } },
      storage: { trainingBucket: { enabled: false } },
      supplyChain: { artifactRegistry: { enabled: false } },
      verification: { ncclAllGather: { enabled: false } },
    }),
  },
  {
    name: 'everything',
    apply: s => ({
      ...s,
      identity: {
        ...s.identity,
        costCenter: 'cc-1',
        labels: { team: 'research' },
      },
      cluster: {
        privateEndpoint: true,
        authorizedNetworks: [
          { cidrBlock: '203.0.113.7/32', displayName: 'me' },
        ],
        version: '1.33.1-gke.1107000',
      },
      kueue: { namespace: 'ml-jobs', localQueueName: 'team-queue' },
      ray: {
        namespace: 'ray-system',
        workerGroups: [{ name: 'gpu', minReplicas: 1 }],
      },
      supplyChain: { cloudBuild: { enabled: true } },
      workloadIdentity: { namespace: 'ray-system' },
    }),
  },
];

/** One case of the variant matrix. @public */
export interface SpecVariant {
  name: string;
  machineType: string;
  mode: ProvisioningMode;
  toggle: string;
  input: GpuStackSpecInput;
}

function modeFields(mode: ProvisioningMode): Record<string, unknown> {
  switch (mode) {
    case 'reservation':
      return {
        provisioning: { mode, reservation: { name: 'gpu-reservation' } },
      };
    default:
      return { provisioning: { mode } };
  }
}

/**
 * Every accelerator × every provisioning mode the catalog allows × every feature toggle, generated
 * from {@link ACCELERATOR_CATALOG} (nothing hand-listed).
 * @public
 */
export function generateVariantMatrix(): SpecVariant[] {
  const variants: SpecVariant[] = [];
  for (const entry of ACCELERATOR_CATALOG) {
    for (const mode of PROVISIONING_MODES) {
      const usesFlex =
        mode === 'queued-provisioning' ||
        mode === 'flex-start' ||
        mode === 'compute-class';
      if (usesFlex && !entry.supportsDws) continue;
      if ((mode === 'spot' || mode === 'compute-class') && !entry.supportsSpot)
        continue;
      for (const toggle of FEATURE_TOGGLES) {
        const base: GpuStackSpecInput = {
          identity: {
            projectId: 'variant-project',
            namePrefix: 'var',
            owner: 'group:default/ml-platform',
          },
          nodePools: [
            {
              name: 'gpu',
              machineType: entry.machineType as any,
              ...modeFields(mode),
            },
          ],
        };
        variants.push({
          name: `${entry.machineType}/${mode}/${toggle.name}`,
          machineType: entry.machineType,
          mode,
          toggle: toggle.name,
          input: toggle.apply(base),
        });
      }
    }
  }
  return variants;
}
