import {
  assertGpuStackSpec,
  findAccelerator,
  generalPurposeMachineShape,
  parseGpuStackSpec,
  type GpuStackSpec,
  type GpuStackSpecInput,
} from '@gpu-platform/backstage-plugin-gpu-cluster-common';
import { renderTfvars } from '../terraform';
import { generateVariantMatrix, renderManifests, type KubeObject } from '..';

/**
 * Every pod set of the rendered stack must be admitted by Kueue and land on a node pool that can
 * host it. The oracle below follows Kueue's documented flavor assignment (ClusterQueue flavors in
 * order; a flavor fits a pod set when its nodeLabels agree with the pod's node selector and its
 * remaining quota covers count × requests; the chosen flavor's nodeLabels and tolerations are
 * injected into the pods) and GKE's node facts (pool label cloud.google.com/gke-nodepool, the
 * nvidia.com/gpu taint on GPU pools, the cloud.google.com/gke-queued taint on queued-provisioning
 * nodes, which only a ProvisioningRequest scales up). Pools come from the rendered tfvars.
 */

type Obj = KubeObject & Record<string, any>;

interface Pool {
  name: string;
  labels: Record<string, string>;
  taints: Array<{ key: string; value?: string; effect: string }>;
  vcpus: number;
  memoryGb: number;
  gpus: number;
  maxNodes: number;
  queued: boolean;
}

function poolsOf(spec: GpuStackSpec): Pool[] {
  const tfvars = renderTfvars(spec) as any;
  const system = tfvars.cluster.system_pool;
  const shape = generalPurposeMachineShape(system.machine_type);
  return [
    {
      name: system.name,
      labels: { 'cloud.google.com/gke-nodepool': system.name },
      taints: [],
      vcpus: shape.vcpus,
      memoryGb: shape.memoryGb,
      gpus: 0,
      maxNodes: system.node_count * tfvars.zones.length,
      queued: false,
    },
    ...tfvars.node_pools.map((p: any) => {
      const catalog = findAccelerator(p.machine_type)!;
      return {
        name: p.name,
        labels: { 'cloud.google.com/gke-nodepool': p.name, ...p.node_labels },
        taints: [
          // GKE taints GPU nodes of clusters that also have CPU pools.
          { key: 'nvidia.com/gpu', value: 'present', effect: 'NoSchedule' },
          ...(p.queued_provisioning
            ? [
                {
                  key: 'cloud.google.com/gke-queued',
                  value: 'true',
                  effect: 'NoSchedule',
                },
              ]
            : []),
          ...p.taints.map((t: any) => ({
            key: t.key,
            value: t.value,
            effect: t.effect === 'NO_SCHEDULE' ? 'NoSchedule' : t.effect,
          })),
        ],
        vcpus: catalog.vcpus,
        memoryGb: catalog.memoryGb,
        gpus: p.gpu_count,
        maxNodes: p.max_nodes,
        queued: p.queued_provisioning,
      };
    }),
  ];
}

const UNITS: Record<string, number> = {
  '': 1,
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
};
function quantity(value: unknown): number {
  if (typeof value === 'number') return value;
  const match = /^(\d+(?:\.\d+)?)([a-zA-Z]*)$/.exec(String(value));
  if (!match || UNITS[match[2]] === undefined)
    throw new Error(`bad quantity ${value}`);
  return Number(match[1]) * UNITS[match[2]];
}

interface PodSet {
  name: string;
  count: number;
  template: any;
}

function podSetsOf(o: Obj): PodSet[] {
  if (o.kind === 'RayCluster') {
    return [
      { name: 'head', count: 1, template: o.spec.headGroupSpec.template },
      ...o.spec.workerGroupSpecs.map((g: any) => ({
        name: g.groupName,
        count: g.replicas,
        template: g.template,
      })),
    ];
  }
  return [
    {
      name: 'main',
      count: Math.min(o.spec.parallelism ?? 1, o.spec.completions ?? 1),
      template: o.spec.template,
    },
  ];
}

function requestsOf(template: any): Record<string, number> {
  const total: Record<string, number> = {};
  for (const c of template.spec.containers) {
    const requests = { ...c.resources?.limits, ...c.resources?.requests };
    for (const [name, value] of Object.entries(requests))
      total[name] = (total[name] ?? 0) + quantity(value);
  }
  return total;
}

const tolerates = (tolerations: any[], taint: Pool['taints'][number]) =>
  tolerations.some(
    t =>
      (t.key === undefined || t.key === taint.key) &&
      (t.effect === undefined || t.effect === taint.effect) &&
      (t.operator === 'Exists' || t.value === taint.value),
  );

/** The pool a pod lands on, or why none can host it. */
function placePod(
  pools: Pool[],
  selector: Record<string, string>,
  tolerations: any[],
  requests: Record<string, number>,
  viaProvisioningRequest: boolean,
): { pool?: Pool; reason?: string } {
  const reasons: string[] = [];
  for (const pool of pools) {
    const mismatch = Object.entries(selector).find(
      ([k, v]) => pool.labels[k] !== v,
    );
    if (mismatch) continue;
    const untolerated = pool.taints.find(t => !tolerates(tolerations, t));
    if (untolerated) {
      reasons.push(`${pool.name}: taint ${untolerated.key} not tolerated`);
      continue;
    }
    if (pool.queued && !viaProvisioningRequest) {
      reasons.push(`${pool.name}: scales only through ProvisioningRequests`);
      continue;
    }
    const cpu = requests.cpu ?? 0;
    const memory = (requests.memory ?? 0) / 1e9;
    const gpus = requests['nvidia.com/gpu'] ?? 0;
    if (cpu > pool.vcpus || memory > pool.memoryGb || gpus > pool.gpus) {
      reasons.push(
        `${pool.name}: a node has ${pool.vcpus} vCPU / ${pool.memoryGb} GB / ${pool.gpus} GPUs`,
      );
      continue;
    }
    return { pool };
  }
  return {
    reason: reasons.join('; ') || `no pool matches ${JSON.stringify(selector)}`,
  };
}

interface Placement {
  workload: string;
  podSet: string;
  count: number;
  pool?: string;
  admitted: boolean;
  reason?: string;
}

/** Admits the queue-labelled workloads in creation order and places every pod set. */
function admitAndPlace(spec: GpuStackSpec): Placement[] {
  const objects = renderManifests(spec).flatMap(f => f.objects) as Obj[];
  const pools = poolsOf(spec);
  const cq = objects.find(o => o.kind === 'ClusterQueue');
  const flavors = new Map(
    objects
      .filter(o => o.kind === 'ResourceFlavor')
      .map(o => [o.metadata.name, o.spec ?? {}]),
  );
  const checkedFlavors = new Set<string>(
    (cq?.spec.admissionChecksStrategy?.admissionChecks ?? []).flatMap(
      (c: any) => c.onFlavors,
    ),
  );
  const group = cq?.spec.resourceGroups[0];
  const remaining = new Map<string, Record<string, number>>(
    (group?.flavors ?? []).map((f: any) => [
      f.name,
      Object.fromEntries(
        f.resources.map((r: any) => [r.name, quantity(r.nominalQuota)]),
      ),
    ]),
  );
  const results: Placement[] = [];
  const workloads = objects.filter(
    o =>
      (o.kind === 'RayCluster' || o.kind === 'Job') &&
      o.spec.template?.spec?.containers?.[0]?.name !== 'installer',
  );
  for (const workload of workloads) {
    const id = `${workload.kind}/${workload.metadata.name}`;
    const podSets = podSetsOf(workload).filter(p => p.count > 0);
    const queued = Boolean(
      workload.metadata.labels?.['kueue.x-k8s.io/queue-name'],
    );
    if (!queued) {
      // Outside Kueue: the pods schedule as they are (Ray's autoscaler may reach maxReplicas).
      for (const podSet of podSetsOf(workload)) {
        const max =
          workload.kind === 'RayCluster' && podSet.name !== 'head'
            ? workload.spec.workerGroupSpecs.find(
                (g: any) => g.groupName === podSet.name,
              ).maxReplicas
            : podSet.count;
        if (max === 0) continue;
        const placed = placePod(
          pools,
          podSet.template.spec.nodeSelector ?? {},
          podSet.template.spec.tolerations ?? [],
          requestsOf(podSet.template),
          false,
        );
        results.push({
          workload: id,
          podSet: podSet.name,
          count: max,
          pool: placed.pool?.name,
          admitted: true,
          reason: placed.reason,
        });
      }
      continue;
    }
    // Flavor assignment against the remaining quota, one flavor per pod set.
    const usage = new Map<string, Record<string, number>>();
    const assigned: Array<{ podSet: PodSet; flavor?: string }> = [];
    for (const podSet of podSets) {
      const perPod = requestsOf(podSet.template);
      const selector = podSet.template.spec.nodeSelector ?? {};
      const flavor = (group?.flavors ?? []).find((f: any) => {
        const labels = flavors.get(f.name)?.nodeLabels ?? {};
        if (
          Object.entries(labels).some(
            ([k, v]) => selector[k] !== undefined && selector[k] !== v,
          )
        )
          return false;
        const left = remaining.get(f.name)!;
        const used = usage.get(f.name) ?? {};
        return Object.entries(perPod).every(
          ([r, v]) =>
            v === 0 ||
            (left[r] ?? 0) - (used[r] ?? 0) >= v * podSet.count - 1e-9,
        );
      });
      assigned.push({ podSet, flavor: flavor?.name });
      if (flavor) {
        const used = usage.get(flavor.name) ?? {};
        for (const [r, v] of Object.entries(perPod))
          used[r] = (used[r] ?? 0) + v * podSet.count;
        usage.set(flavor.name, used);
      }
    }
    const admitted = assigned.every(a => a.flavor);
    if (admitted) {
      for (const [flavor, used] of usage) {
        const left = remaining.get(flavor)!;
        for (const [r, v] of Object.entries(used)) left[r] = (left[r] ?? 0) - v;
      }
    }
    const provisioned = assigned.some(a => checkedFlavors.has(a.flavor!));
    for (const { podSet, flavor } of assigned) {
      if (!flavor) {
        results.push({
          workload: id,
          podSet: podSet.name,
          count: podSet.count,
          admitted: false,
          reason: 'no flavor has quota left for it',
        });
        continue;
      }
      const flavorSpec = flavors.get(flavor) ?? {};
      const requests = requestsOf(podSet.template);
      const placed = placePod(
        pools,
        {
          ...(podSet.template.spec.nodeSelector ?? {}),
          ...(flavorSpec.nodeLabels ?? {}),
        },
        [
          ...(podSet.template.spec.tolerations ?? []),
          ...(flavorSpec.tolerations ?? []),
        ],
        requests,
        // The ProvisioningRequest carries the pod sets of the managed resource (GPUs).
        provisioned && (requests['nvidia.com/gpu'] ?? 0) > 0,
      );
      results.push({
        workload: id,
        podSet: podSet.name,
        count: podSet.count,
        pool: placed.pool?.name,
        admitted,
        reason: admitted ? placed.reason : 'workload not admitted',
      });
    }
  }
  return results;
}

const SEED_001: GpuStackSpecInput = {
  identity: {
    projectId: 'gpu-launchpad-playground',
    namePrefix: 'a3u-dws',
    owner: 'group:default/ml-platform',
  },
};

const problems = (placements: Placement[]) =>
  placements
    .filter(p => !p.admitted || !p.pool)
    .map(p => `${p.workload} ${p.podSet}: ${p.reason}`);

describe('Kueue admission and placement of the rendered stack', () => {
  it('admits the Ray head on the system pool and the NCCL verification on the DWS pool together (seed 001)', () => {
    const placements = admitAndPlace(assertGpuStackSpec(SEED_001));
    expect(problems(placements)).toEqual([]);
    expect(
      placements.map(p => [p.workload, p.podSet, p.count, p.pool]),
    ).toEqual([
      ['RayCluster/ray', 'head', 1, 'system'],
      ['Job/nccl-allgather-test', 'main', 2, 'h200-dws'],
    ]);
  });

  it('admits a fixed-size RayCluster with GPU workers beside the verification run', () => {
    const placements = admitAndPlace(
      assertGpuStackSpec({
        ...SEED_001,
        ray: { workerGroups: [{ minReplicas: 2 }] },
      }),
    );
    expect(problems(placements)).toEqual([]);
    expect(placements.map(p => [p.podSet, p.count, p.pool])).toEqual([
      ['head', 1, 'system'],
      ['gpu-workers', 2, 'h200-dws'],
      ['main', 2, 'h200-dws'],
    ]);
  });

  it('refuses, in the spec, a RayCluster that would leave the verification run no quota', () => {
    expect(
      parseGpuStackSpec({
        ...SEED_001,
        ray: { workerGroups: [{ minReplicas: 3 }] },
      }),
    ).toEqual({
      ok: false,
      issues: [
        {
          path: 'ray.workerGroups[0].minReplicas',
          message: expect.stringContaining(
            'the Kueue-admitted RayCluster holds 24 GPUs for as long as it exists and the NCCL verification needs 16 GPUs while it runs, but its queue quota is 32 GPUs',
          ),
        },
      ],
    });
  });

  it('leaves the queue room for the verification when Ray autoscales outside it (flex-start)', () => {
    const spec = assertGpuStackSpec({
      ...SEED_001,
      nodePools: [{ provisioning: { mode: 'flex-start' } }],
    });
    const objects = renderManifests(spec).flatMap(f => f.objects) as Obj[];
    const ray = objects.find(o => o.kind === 'RayCluster')!;
    expect(ray.metadata.labels?.['kueue.x-k8s.io/queue-name']).toBeUndefined();
    expect(ray.spec.workerGroupSpecs[0]).toMatchObject({
      minReplicas: 0,
      maxReplicas: 2,
    });
    const gpuQuota = objects
      .find(o => o.kind === 'ClusterQueue')!
      .spec.resourceGroups[0].flavors.find((f: any) => f.name === 'h200-dws')
      .resources.find((r: any) => r.name === 'nvidia.com/gpu').nominalQuota;
    expect(gpuQuota).toBe(16);
    expect(problems(admitAndPlace(spec))).toEqual([]);
  });

  it('admits and places every workload of every variant of the matrix', () => {
    const failures: string[] = [];
    for (const variant of generateVariantMatrix()) {
      const parsed = parseGpuStackSpec(variant.input);
      if (!parsed.ok) {
        failures.push(`${variant.name}: ${JSON.stringify(parsed.issues)}`);
        continue;
      }
      for (const problem of problems(admitAndPlace(parsed.spec)))
        failures.push(`${variant.name}: ${problem}`);
    }
    expect(failures.slice(0, 10)).toEqual([]);
  });
});
