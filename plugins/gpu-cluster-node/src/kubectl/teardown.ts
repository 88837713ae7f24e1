import { runKubectl, type KubectlOptions } from './runKubectl';

/**
 * In-cluster work removed before the stack's own objects and Terraform on `destroy`, parents
 * first: Ray jobs and clusters and queued Jobs (their pods free the GPU nodes), then what Kueue made
 * for them — Workloads and the ProvisioningRequests that hold or wait for DWS capacity.
 * @public
 */
export const IN_CLUSTER_WORK: ReadonlyArray<{
  resource: string;
  /** Only objects with this label (queued Jobs); every object otherwise. */
  labelKey?: string;
  description: string;
}> = [
  { resource: 'rayjobs.ray.io', description: 'RayJobs' },
  { resource: 'rayclusters.ray.io', description: 'RayClusters' },
  {
    resource: 'jobs.batch',
    labelKey: 'kueue.x-k8s.io/queue-name',
    description: 'queued Jobs',
  },
  { resource: 'workloads.kueue.x-k8s.io', description: 'Kueue Workloads' },
  {
    resource: 'provisioningrequests.autoscaling.x-k8s.io',
    description: 'ProvisioningRequests',
  },
];

/**
 * Deletes {@link IN_CLUSTER_WORK} in every namespace, waiting (bounded) for each kind to be gone
 * before the next. Kinds the cluster does not serve (no CRD yet) are skipped. Returns what was
 * deleted (`kind.group/name`).
 * @public
 */
export async function deleteInClusterWork(
  options: KubectlOptions & { timeoutSeconds?: number },
): Promise<string[]> {
  const served = new Set(
    (await runKubectl(['api-resources', '--output=name'], options)).stdout
      .split('\n')
      .map(line => line.trim())
      .filter(Boolean),
  );
  const timeout = options.timeoutSeconds ?? 300;
  const deleted: string[] = [];
  for (const work of IN_CLUSTER_WORK) {
    // api-resources names core kinds without a group (jobs.batch is listed as jobs.batch).
    if (!served.has(work.resource)) continue;
    const result = await runKubectl(
      [
        'delete',
        work.resource,
        '--all-namespaces',
        ...(work.labelKey ? ['--selector', work.labelKey] : ['--all']),
        '--ignore-not-found',
        '--wait=true',
        `--timeout=${timeout}s`,
        '--output=name',
      ],
      { ...options, timeoutMs: (timeout + 30) * 1000 },
    );
    // `-o name` lines are kind.group/name; kubectl adds "No resources found" when there are none.
    deleted.push(
      ...result.stdout
        .split('\n')
        .map(line => line.trim())
        .filter(line => /^[a-z0-9.-]+\/\S+$/.test(line)),
    );
  }
  return deleted;
}
