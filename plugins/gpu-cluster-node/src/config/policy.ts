import type { Config } from '@backstage/config';
import {
  BUCKET_NAME_PATTERN,
  normalizeOwnerRef,
  OBJECT_PREFIX_PATTERN,
  PROJECT_ID_PATTERN,
  type GpuClusterGroupPolicy,
  type GpuClusterPolicy,
} from '@gpu-platform/backstage-plugin-gpu-cluster-common';

const GROUP_REF = /^group:[a-z0-9][a-z0-9._-]*\/[a-z0-9][a-z0-9._-]*$/;

function groupRef(value: string, key: string): string {
  const ref = normalizeOwnerRef(value);
  if (!GROUP_REF.test(ref)) {
    throw new Error(`${key} must be a group reference, got '${value}'`);
  }
  return ref;
}

function positive(config: Config, key: string, where: string) {
  const value = config.getOptionalNumber(key);
  if (value !== undefined && (!Number.isInteger(value) || value < 0)) {
    throw new Error(`${where}.${key} must be a whole number ≥ 0`);
  }
  return value;
}

/**
 * Reads `gpuCluster.policy`: which groups may create GPU clusters, in which projects, with which
 * state bucket and GPU budget, and which groups administer. Unset: nobody may create any (deny
 * by default). Throws at start-up on a malformed entry, naming its key.
 *
 * @public
 */
export function readGpuClusterPolicy(root: Config): GpuClusterPolicy {
  const section = root.getOptionalConfig('gpuCluster.policy');
  const adminGroups = (
    section?.getOptionalStringArray('adminGroups') ?? []
  ).map((value, i) => groupRef(value, `gpuCluster.policy.adminGroups[${i}]`));
  const groups = (section?.getOptionalConfigArray('groups') ?? []).map(
    (entry, i): GpuClusterGroupPolicy => {
      const where = `gpuCluster.policy.groups[${i}]`;
      const group = groupRef(entry.getString('group'), `${where}.group`);
      const projects = entry.getStringArray('projects');
      for (const project of projects) {
        if (!PROJECT_ID_PATTERN.test(project))
          throw new Error(
            `${where}.projects: '${project}' is not a project id`,
          );
      }
      const stateBucket = entry.getString('stateBucket');
      if (!BUCKET_NAME_PATTERN.test(stateBucket))
        throw new Error(
          `${where}.stateBucket: '${stateBucket}' is not a bucket name`,
        );
      const [, namespace, name] = group.match(/^group:([^/]+)\/(.+)$/)!;
      const statePrefix =
        entry.getOptionalString('statePrefix') ??
        `gpu-clusters/${namespace}/${name}`;
      if (!OBJECT_PREFIX_PATTERN.test(statePrefix))
        throw new Error(
          `${where}.statePrefix: '${statePrefix}' is not a safe object prefix`,
        );
      return {
        group,
        projects,
        stateBucket,
        statePrefix,
        maxGpusPerStack: positive(entry, 'maxGpusPerStack', where),
        maxGpusTotal: positive(entry, 'maxGpusTotal', where),
      };
    },
  );
  const seen = new Set<string>();
  for (const g of groups) {
    if (seen.has(g.group))
      throw new Error(`gpuCluster.policy.groups lists ${g.group} twice`);
    seen.add(g.group);
  }
  return { adminGroups, groups };
}
