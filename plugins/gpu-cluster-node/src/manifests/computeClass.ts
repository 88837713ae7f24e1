import {
  computeClassName,
  resolveNodePools,
  type GpuStackSpec,
} from '@gpu-platform/backstage-plugin-gpu-cluster-common';
import { object } from './meta';
import type { KubeObject } from './types';

/**
 * Custom Compute Class per `compute-class` pool (seed 000: Spot first, then DWS flex-start, then
 * on-demand). Each priority names the manual tier pool Terraform created, so the pools keep their
 * gVNIC/RDMA additional networks (auto-created pools would not get them).
 */
export function renderComputeClasses(spec: GpuStackSpec): KubeObject[] {
  const resolved = resolveNodePools(spec);
  return spec.nodePools
    .filter(pool => pool.provisioning.mode === 'compute-class')
    .map(pool => {
      const name = computeClassName(pool);
      const tiers = resolved.filter(r => r.computeClass === name);
      return object(
        spec,
        'compute-class',
        'cloud.google.com/v1',
        'ComputeClass',
        { name },
        {
          spec: {
            description: `${pool.machineType} capacity: ${tiers
              .map(t => t.computeClassTier)
              .join(' then ')}`,
            priorities: tiers.map(t => ({ nodepools: [t.name] })),
            nodePoolAutoCreation: { enabled: false },
            activeMigration: { optimizeRulePriority: true },
            whenUnsatisfiable: pool.provisioning.computeClass.whenUnsatisfiable,
          },
        },
      );
    });
}
