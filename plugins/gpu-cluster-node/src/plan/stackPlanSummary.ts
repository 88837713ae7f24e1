import {
  resolveNodePools,
  stackNames,
  type GpuStackSpec,
} from '@gpu-platform/backstage-plugin-gpu-cluster-common';
import { manifestApplyPlan, renderManifests } from '../manifests';

const provisioningOf = (pool: ReturnType<typeof resolveNodePools>[number]) => {
  if (pool.queuedProvisioning) return 'queued provisioning';
  if (pool.flexStart) return 'flex-start';
  return pool.spot ? 'spot' : 'on-demand';
};

/**
 * What a run of the stack would create, derived from the validated spec the same way the
 * tfvars and manifests are rendered, without running any tool: the plan summary of a dry run.
 * Terraform never runs in a dry run (a dry run's template and files come from the request).
 *
 * @public
 */
export function stackPlanSummary(spec: GpuStackSpec): string[] {
  const names = stackNames(spec);
  const pools = resolveNodePools(spec);
  const lines = [
    `Terraform (the shipped module) would manage, in project ${spec.identity.projectId}:`,
    `  GKE cluster ${names.clusterName} in ${names.clusterLocation}`,
    `  networks ${names.primaryNetwork}${
      pools.some(p => p.rdma)
        ? `, ${names.gvnicNetwork}, ${names.rdmaNetwork} (${names.rdmaSubnets.length} RDMA subnets)`
        : ''
    }`,
    ...pools.map(
      pool =>
        `  node pool ${pool.name}: ${pool.machineType}, ${pool.minNodes}–${
          pool.maxNodes
        } nodes × ${pool.gpuCount} ${pool.gpuType} (at most ${
          pool.maxNodes * pool.gpuCount
        } GPUs), ${provisioningOf(pool)}, zones ${pool.zones.join(', ')}`,
    ),
    `  training bucket ${names.trainingBucket}`,
    ...(names.artifactRepositories.length
      ? [
          `  Artifact Registry ${names.artifactRepositories
            .map(r => r.id)
            .join(', ')}`,
        ]
      : []),
    `  state in gs://${names.stateBucket}/${names.statePrefix}`,
    'kubectl would apply, in order:',
  ];
  const files = renderManifests(spec);
  for (const step of manifestApplyPlan(spec, files)) {
    if (step.type === 'kueue-install') {
      lines.push(`  Kueue ${step.install.version} (release manifest)`);
      continue;
    }
    const file = files.find(f => f.path === step.path);
    const objects = (file?.objects ?? []).map(o =>
      `${o.kind} ${o.metadata?.name ?? ''}`.trim(),
    );
    lines.push(
      `  ${step.path}${
        step.createOnce ? ' (created once)' : ''
      }: ${objects.join(', ')}`,
    );
  }
  return lines;
}
