/**
 * Cross-field rules of the stack spec. Each rule reports the path of the field to change, so the
 * template form and the CLI can point at it. The rules encode GKE / DWS / Kueue preconditions
 * (Cluster Toolkit's node-pool preconditions, the GKE DWS docs) that otherwise fail late, in the
 * middle of a long `terraform apply`.
 */
import type { z } from 'zod';
import { findAccelerator } from './catalog';
import { cidrsOverlap, hasHostBits, parseIpv4Cidr } from './cidr';
import {
  computeClassName,
  stackNames,
  poolGpuCapacity,
  poolGpuCount,
  poolUsesRdma,
  COST_CENTER_LABEL,
  RESERVED_LABEL_KEYS,
  resolveNodePools,
  TRAINING_DATA_FALLBACK_MOUNT,
  trainingBucketMountPath,
  verificationEnabled,
  verificationPool,
  workerGroupPool,
} from './derive';
import { FILESTORE_TIERS } from './constants';
import {
  cpuCores,
  memoryGb,
  poolGpuBudget,
  rayWorkerGroupSizing,
  SYSTEM_POOL_NAME,
  systemPoolCapacity,
} from './sizing';
import {
  overBroadNetworkReason,
  privilegedServiceAccountReason,
  reservedBucketNameReason,
  reservedLabelKeyReason,
  reservedProjectIdReason,
  unsafeMountPathReason,
} from './safety';
import type { GpuStackSpec } from './schema';

type Ctx = z.core.$RefinementCtx<GpuStackSpec>;
type Path = Array<string | number>;

function semverAtLeast(tag: string, major: number, minor: number): boolean {
  const [ma, mi] = tag.replace(/^v/, '').split('.').map(Number);
  return ma > major || (ma === major && mi >= minor);
}

/** The superRefine of {@link gpuStackSpecSchema}. @internal */
export function validateStack(spec: GpuStackSpec, ctx: Ctx): void {
  const fail = (path: Path, message: string) =>
    ctx.addIssue({ code: 'custom', path, message });
  const { identity, network, cluster, kueue, ray, storage } = spec;

  // --- identity -------------------------------------------------------------------------------
  identity.zones.forEach((zone, i) => {
    if (!zone.startsWith(`${identity.region}-`)) {
      fail(
        ['identity', 'zones', i],
        `zone ${zone} is not in region ${identity.region}`,
      );
    }
    if (identity.zones.indexOf(zone) !== i)
      fail(['identity', 'zones', i], `zone ${zone} is listed twice`);
  });
  const projectIdProblem = reservedProjectIdReason(identity.projectId);
  if (projectIdProblem) fail(['identity', 'projectId'], projectIdProblem);
  for (const key of Object.keys(identity.labels)) {
    const reserved = reservedLabelKeyReason(key);
    if (reserved) fail(['identity', 'labels', key], reserved);
    if (key === COST_CENTER_LABEL) {
      // A user's own cost-center label is the cost centre (seed 004 LABELS), unless it disagrees.
      if (
        identity.costCenter !== undefined &&
        identity.costCenter !== identity.labels[key]
      )
        fail(
          ['identity', 'labels', key],
          `cost-center "${identity.labels[key]}" disagrees with identity.costCenter "${identity.costCenter}"; keep one of them`,
        );
    } else if ((RESERVED_LABEL_KEYS as readonly string[]).includes(key)) {
      fail(
        ['identity', 'labels', key],
        `label key "${key}" is set by the stack itself; choose another key`,
      );
    }
  }
  if (Object.keys(identity.labels).length + RESERVED_LABEL_KEYS.length > 64) {
    fail(
      ['identity', 'labels'],
      `GCP resources take at most 64 labels; the stack adds ${RESERVED_LABEL_KEYS.length}`,
    );
  }

  // --- cluster --------------------------------------------------------------------------------
  if (cluster.multiNetworking && !cluster.dataplaneV2) {
    fail(['cluster', 'dataplaneV2'], 'multi-networking requires Dataplane V2');
  }
  if (cluster.privateEndpoint && !cluster.privateNodes) {
    fail(
      ['cluster', 'privateEndpoint'],
      'a private endpoint requires private nodes',
    );
  }
  cluster.authorizedNetworks.forEach((entry, i) => {
    const broad = overBroadNetworkReason(entry.cidrBlock);
    if (broad) fail(['cluster', 'authorizedNetworks', i, 'cidrBlock'], broad);
  });
  if (!cluster.dnsEndpoint && cluster.authorizedNetworks.length === 0) {
    fail(
      ['cluster', 'dnsEndpoint'],
      "the control plane would be unreachable from outside the stack's new VPC: keep the DNS endpoint on, or list the runner's egress range in cluster.authorizedNetworks",
    );
  }
  if (parseIpv4Cidr(cluster.masterIpv4CidrBlock)?.prefix !== 28) {
    fail(
      ['cluster', 'masterIpv4CidrBlock'],
      'the control plane range must be a /28',
    );
  }

  // --- CIDRs: well-formed network addresses, no overlaps ------------------------------------
  const anyRdma = spec.nodePools.some(poolUsesRdma);
  const ranges: Array<{ path: Path; cidr: string }> = [
    {
      path: ['network', 'primary', 'subnetCidr'],
      cidr: network.primary.subnetCidr,
    },
    {
      path: ['network', 'primary', 'podsCidr'],
      cidr: network.primary.podsCidr,
    },
    {
      path: ['network', 'primary', 'servicesCidr'],
      cidr: network.primary.servicesCidr,
    },
    {
      path: ['network', 'gvnic', 'subnetCidr'],
      cidr: network.gvnic.subnetCidr,
    },
    {
      path: ['cluster', 'masterIpv4CidrBlock'],
      cidr: cluster.masterIpv4CidrBlock,
    },
    ...(anyRdma
      ? network.rdma.subnetCidrs.map((c, i) => ({
          path: ['network', 'rdma', 'subnetCidrs', i] as Path,
          cidr: c,
        }))
      : []),
  ];
  ranges.forEach((r, i) => {
    if (hasHostBits(r.cidr))
      fail(r.path, `${r.cidr} has host bits set; use the network address`);
    for (const earlier of ranges.slice(0, i)) {
      if (cidrsOverlap(earlier.cidr, r.cidr)) {
        fail(
          r.path,
          `${r.cidr} overlaps ${earlier.cidr} (${earlier.path.join('.')})`,
        );
      }
    }
  });

  // --- node pools -----------------------------------------------------------------------------
  const resolvedNames = new Map<string, string>([
    [SYSTEM_POOL_NAME, 'the CPU system pool'],
  ]);
  for (const resolved of resolveNodePools(spec)) {
    const path = `nodePools[${resolved.specIndex}].name`;
    const clash = resolvedNames.get(resolved.name);
    if (clash !== undefined) {
      fail(
        ['nodePools', resolved.specIndex, 'name'],
        `node pool name ${resolved.name} is already used by ${clash}`,
      );
    }
    resolvedNames.set(resolved.name, path);
    if (resolved.name.length > 40) {
      fail(
        ['nodePools', resolved.specIndex, 'name'],
        `node pool ${resolved.name} is longer than 40 characters`,
      );
    }
  }

  spec.nodePools.forEach((pool, i) => {
    const at = (...rest: Path): Path => ['nodePools', i, ...rest];
    const catalog = findAccelerator(pool.machineType);
    if (!catalog) {
      fail(at('machineType'), `unknown machine type ${pool.machineType}`);
      return;
    }
    if (pool.gpu.type !== undefined && pool.gpu.type !== catalog.gpuType) {
      fail(
        at('gpu', 'type'),
        `${pool.machineType} carries ${catalog.gpuType}, not ${pool.gpu.type}`,
      );
    }
    if (
      pool.gpu.count !== undefined &&
      !catalog.gpuCounts.includes(pool.gpu.count)
    ) {
      fail(
        at('gpu', 'count'),
        `${pool.machineType} takes ${catalog.gpuCounts.join(
          ' or ',
        )} GPU(s), not ${pool.gpu.count}`,
      );
    }
    if (
      catalog.rdmaNics > 0 &&
      pool.disk.type !== undefined &&
      pool.disk.type !== 'hyperdisk-balanced'
    ) {
      fail(
        at('disk', 'type'),
        `${pool.machineType} boots only from hyperdisk-balanced`,
      );
    }
    if (
      (catalog.family === 'n1' || catalog.family === 'a2') &&
      pool.disk.type === 'hyperdisk-balanced'
    ) {
      fail(
        at('disk', 'type'),
        `${pool.machineType} does not support hyperdisk-balanced`,
      );
    }
    if (pool.minNodes > pool.maxNodes)
      fail(
        at('minNodes'),
        `minNodes (${pool.minNodes}) exceeds maxNodes (${pool.maxNodes})`,
      );

    if (pool.rdma === true && catalog.rdmaNics === 0) {
      fail(
        at('rdma'),
        `${pool.machineType} has no RDMA NICs; RDMA needs a3-ultragpu-8g or a4-highgpu-8g`,
      );
    }
    if (poolUsesRdma(pool) && catalog.rdmaNics > 0) {
      if (network.rdma.subnetCidrs.length !== catalog.rdmaNics) {
        fail(
          ['network', 'rdma', 'subnetCidrs'],
          `${pool.machineType} has ${catalog.rdmaNics} RDMA NICs: give exactly one subnet per NIC (${network.rdma.subnetCidrs.length} given)`,
        );
      }
      if (!cluster.multiNetworking)
        fail(
          ['cluster', 'multiNetworking'],
          `RDMA pool ${pool.name} needs multi-networking`,
        );
      if (identity.zones.length !== 1) {
        fail(
          ['identity', 'zones'],
          `RDMA pool ${pool.name} needs exactly one zone: the RoCE network profile is zonal`,
        );
      }
    }

    const mode = pool.provisioning.mode;
    const dws = mode === 'queued-provisioning' || mode === 'flex-start';
    const usesFlex =
      dws ||
      (mode === 'compute-class' &&
        pool.provisioning.computeClass.tiers.includes('flex-start'));
    const usesSpot =
      mode === 'spot' ||
      (mode === 'compute-class' &&
        pool.provisioning.computeClass.tiers.includes('spot'));
    if (mode !== 'reservation' && pool.provisioning.reservation) {
      fail(
        at('provisioning', 'reservation'),
        `a reservation cannot be consumed in ${mode} mode`,
      );
    }
    if (mode === 'reservation' && !pool.provisioning.reservation) {
      fail(
        at('provisioning', 'reservation'),
        'reservation mode needs a reservation name',
      );
    }
    if (usesFlex && !catalog.supportsDws)
      fail(
        at('provisioning', 'mode'),
        `${pool.machineType} is not offered through DWS flex-start`,
      );
    if (usesSpot && !catalog.supportsSpot)
      fail(
        at('provisioning', 'mode'),
        `${pool.machineType} is not offered as Spot`,
      );
    if (
      pool.autoUpgrade === false &&
      cluster.releaseChannel !== 'UNSPECIFIED'
    ) {
      fail(
        at('autoUpgrade'),
        `GKE refuses node auto-upgrade off on a cluster in the ${cluster.releaseChannel} release channel ("Auto_upgrade cannot be false when release_channel ${cluster.releaseChannel} is set"): leave it on (DWS nodes are upgraded short-lived, never while running) or set cluster.releaseChannel to UNSPECIFIED`,
      );
    }
    if (usesFlex && pool.autoRepair === true)
      fail(at('autoRepair'), 'flex-start nodes require auto-repair off');
    if ((usesFlex || mode === 'compute-class') && !pool.autoscaling) {
      fail(
        at('autoscaling'),
        `${mode} pools scale through the autoscaler: turn autoscaling on`,
      );
    }
    if (mode === 'queued-provisioning') {
      if (pool.minNodes !== 0)
        fail(
          at('minNodes'),
          'queued provisioning pools start empty: minNodes must be 0',
        );
      if (pool.compactPlacement)
        fail(
          at('compactPlacement'),
          'queued provisioning cannot use COMPACT placement',
        );
      if (!kueue.enabled)
        fail(
          ['kueue', 'enabled'],
          `queued provisioning pool ${pool.name} is driven by Kueue: enable it`,
        );
    } else if (
      usesFlex &&
      pool.compactPlacement &&
      !catalog.supportsCompactWithFlexStart
    ) {
      fail(
        at('compactPlacement'),
        `COMPACT placement with flex-start is only offered on A3 Ultra and A4`,
      );
    }
    if (mode === 'compute-class') {
      const tiers = pool.provisioning.computeClass.tiers;
      tiers.forEach((tier, t) => {
        if (tiers.indexOf(tier) !== t)
          fail(
            at('provisioning', 'computeClass', 'tiers', t),
            `tier ${tier} is listed twice`,
          );
      });
      const cc = computeClassName(pool);
      spec.nodePools.slice(0, i).forEach(other => {
        if (
          other.provisioning.mode === 'compute-class' &&
          computeClassName(other) === cc
        ) {
          fail(
            at('provisioning', 'computeClass', 'name'),
            `ComputeClass ${cc} is already used by pool ${other.name}`,
          );
        }
      });
    }
  });

  // --- Kueue ----------------------------------------------------------------------------------
  if (!semverAtLeast(kueue.version, 0, 15)) {
    fail(
      ['kueue', 'version'],
      'Kueue v0.15.0 or later is required (the queues use kueue.x-k8s.io/v1beta2)',
    );
  }
  if (kueue.gpuQuota !== undefined) {
    const capacity = spec.nodePools.reduce(
      (sum, p) => sum + poolGpuCapacity(p),
      0,
    );
    const smallestNode = Math.min(...spec.nodePools.map(poolGpuCount));
    if (kueue.gpuQuota > capacity) {
      fail(
        ['kueue', 'gpuQuota'],
        `GPU quota ${kueue.gpuQuota} exceeds what the pools can hold (Σ maxNodes × GPUs = ${capacity})`,
      );
    }
    if (kueue.gpuQuota < smallestNode) {
      fail(
        ['kueue', 'gpuQuota'],
        `GPU quota ${kueue.gpuQuota} is below one node's GPUs (${smallestNode}): nothing could be admitted`,
      );
    }
  }

  // --- Ray ------------------------------------------------------------------------------------
  if (ray.enabled) {
    if (!cluster.rayOperator)
      fail(
        ['cluster', 'rayOperator'],
        'the RayCluster needs the Ray operator add-on',
      );
    let queuedGroups = 0;
    ray.workerGroups.forEach((group, g) => {
      const at = (...rest: Path): Path => ['ray', 'workerGroups', g, ...rest];
      if (ray.workerGroups.findIndex(o => o.name === group.name) !== g)
        fail(at('name'), `worker group ${group.name} is listed twice`);
      const pool = workerGroupPool(spec, g);
      if (!pool) {
        fail(at('nodePool'), `no node pool named ${group.nodePool}`);
        return;
      }
      const sizing = rayWorkerGroupSizing(spec, g)!;
      if (
        sizing.viaKueue &&
        group.maxReplicas !== undefined &&
        group.maxReplicas !== group.minReplicas
      ) {
        fail(
          at('maxReplicas'),
          `the RayCluster is admitted through Kueue (a worker group is on a queued-provisioning pool), which admits it at a fixed size and cannot resize it: its workers are minReplicas (${group.minReplicas}); leave maxReplicas empty and submit bigger runs as RayJobs through the queue`,
        );
      }
      const max = sizing.maxReplicas;
      if (max < group.minReplicas)
        fail(
          at('maxReplicas'),
          `maxReplicas (${max}) is below minReplicas (${group.minReplicas})`,
        );
      if (max * sizing.gpusPerWorker > poolGpuCapacity(pool))
        fail(
          at(group.maxReplicas === undefined ? 'minReplicas' : 'maxReplicas'),
          `${max} workers × ${sizing.gpusPerWorker} GPUs exceed what pool ${
            pool.name
          } holds (maxNodes ${pool.maxNodes} × ${poolGpuCount(
            pool,
          )} = ${poolGpuCapacity(pool)} GPUs)`,
        );
      if (
        group.gpusPerWorker !== undefined &&
        group.gpusPerWorker > poolGpuCount(pool)
      ) {
        fail(
          at('gpusPerWorker'),
          `a ${pool.machineType} node has only ${poolGpuCount(pool)} GPUs`,
        );
      }
      if (pool.provisioning.mode === 'queued-provisioning') queuedGroups += 1;
      if (
        pool.provisioning.mode === 'queued-provisioning' &&
        queuedGroups > 1
      ) {
        fail(
          at('nodePool'),
          'GKE queued provisioning accepts one GPU PodSet per request: only one Ray worker group may use a queued pool',
        );
      }
    });
    const head = systemPoolCapacity(spec);
    // GKE keeps part of each node for the kubelet and system pods; the head gets at most ~80%.
    if (cpuCores(ray.head.cpu) > head.vcpusPerNode * 0.85)
      fail(
        ['ray', 'head', 'cpu'],
        `the Ray head runs on the system pool, whose ${
          spec.cluster.systemNodePool.machineType
        } nodes have ${head.vcpusPerNode} vCPUs: ask for at most ${Math.floor(
          head.vcpusPerNode * 0.85,
        )} or pick a bigger cluster.systemNodePool.machineType`,
      );
    if (memoryGb(ray.head.memory) > head.memoryGbPerNode * 0.8)
      fail(
        ['ray', 'head', 'memory'],
        `the Ray head runs on the system pool, whose ${
          spec.cluster.systemNodePool.machineType
        } nodes have ${head.memoryGbPerNode} GB: ask for at most ${Math.floor(
          head.memoryGbPerNode * 0.8,
        )}G or pick a bigger cluster.systemNodePool.machineType`,
      );
    if (queuedGroups > 0 && ray.autoscaling === true) {
      fail(
        ['ray', 'autoscaling'],
        'a RayCluster admitted through Kueue (queued-provisioning pool) cannot autoscale',
      );
    }
    if (
      ray.dashboard.exposure === 'authenticated-ingress' &&
      !ray.dashboard.host
    ) {
      fail(
        ['ray', 'dashboard', 'host'],
        'authenticated-ingress needs a host name',
      );
    }
    if (
      (storage.trainingBucket.enabled || storage.gcsMounts.length > 0) &&
      !cluster.gcsFuseCsi
    ) {
      fail(
        ['cluster', 'gcsFuseCsi'],
        'GCS FUSE mounts in Ray pods need the GCS FUSE CSI driver add-on',
      );
    }
  }
  if (
    (storage.trainingBucket.enabled ||
      storage.gcsMounts.length > 0 ||
      ray.enabled) &&
    !cluster.workloadIdentity
  ) {
    fail(
      ['cluster', 'workloadIdentity'],
      'bucket access from pods goes through Workload Identity: enable it',
    );
  }

  // --- Workload Identity ----------------------------------------------------------------------
  const privileged = privilegedServiceAccountReason(
    spec.workloadIdentity.namespace,
    spec.workloadIdentity.kubernetesServiceAccount,
  );
  if (privileged)
    fail(['workloadIdentity', privileged.field], privileged.message);

  // --- verification ---------------------------------------------------------------------------
  const nccl = spec.verification.ncclAllGather;
  if (
    nccl.enabled === true ||
    (nccl.enabled === undefined && verificationEnabled(spec))
  ) {
    const pool = verificationPool(spec);
    if (!pool) {
      fail(
        nccl.nodePool
          ? ['verification', 'ncclAllGather', 'nodePool']
          : ['verification', 'ncclAllGather', 'enabled'],
        nccl.nodePool
          ? `no node pool named ${nccl.nodePool}`
          : 'the NCCL RDMA test needs a pool with RDMA NICs',
      );
    } else {
      if (!poolUsesRdma(pool))
        fail(
          ['verification', 'ncclAllGather', 'nodePool'],
          `pool ${pool.name} has no RDMA networking`,
        );
      if (nccl.nodes > pool.maxNodes) {
        fail(
          ['verification', 'ncclAllGather', 'nodes'],
          `the test spans ${nccl.nodes} nodes but pool ${pool.name} holds at most ${pool.maxNodes}`,
        );
      }
      if (!kueue.enabled)
        fail(
          ['kueue', 'enabled'],
          'the NCCL test is submitted through the Kueue queue: enable Kueue',
        );
    }
  }

  // --- GPU budget: Kueue quota, Ray and the verification run fit together ----------------------
  if (kueue.enabled) {
    spec.nodePools.forEach(pool => {
      const budget = poolGpuBudget(spec, pool);
      const need = budget.rayQuota + budget.verification;
      if (need <= budget.quota) return;
      const rayGroup = ray.workerGroups.findIndex(
        (_, g) => rayWorkerGroupSizing(spec, g)?.pool.name === pool.name,
      );
      const parts = [
        budget.rayQuota
          ? `the Kueue-admitted RayCluster holds ${budget.rayQuota} GPUs for as long as it exists`
          : '',
        budget.rayOutsideQueue
          ? `the autoscaling RayCluster may take ${budget.rayOutsideQueue} GPUs outside the queue`
          : '',
        budget.verification
          ? `the NCCL verification needs ${budget.verification} GPUs while it runs`
          : '',
      ].filter(Boolean);
      let path: Path = ['kueue', 'gpuQuota'];
      if (budget.rayQuota && rayGroup >= 0)
        path = ['ray', 'workerGroups', rayGroup, 'minReplicas'];
      else if (budget.rayOutsideQueue && rayGroup >= 0)
        path = ['ray', 'workerGroups', rayGroup, 'maxReplicas'];
      else if (budget.verification)
        path = ['verification', 'ncclAllGather', 'nodes'];
      fail(
        path,
        `pool ${pool.name} cannot hold both: ${parts.join(
          ' and ',
        )}, but its queue quota is ${budget.quota} GPUs (capacity ${
          budget.capacity
        }); lower this value, raise nodePools maxNodes, or turn the verification off`,
      );
    });
  }

  // --- storage --------------------------------------------------------------------------------
  const mounts: Array<{ path: Path; mountPath: string }> = [
    ...(storage.trainingBucket.enabled
      ? [
          {
            path: ['storage', 'trainingBucket', 'mountPath'] as Path,
            mountPath: trainingBucketMountPath(spec),
          },
        ]
      : []),
    ...storage.gcsMounts.map((m, i) => ({
      path: ['storage', 'gcsMounts', i, 'mountPath'] as Path,
      mountPath: m.mountPath,
    })),
    ...storage.filestore.map((f, i) => ({
      path: ['storage', 'filestore', i, 'mountPath'] as Path,
      mountPath: f.mountPath,
    })),
  ];
  const movedAside =
    storage.trainingBucket.enabled &&
    storage.trainingBucket.mountPath === undefined &&
    trainingBucketMountPath(spec) === TRAINING_DATA_FALLBACK_MOUNT;
  mounts.forEach((m, i) => {
    const unsafe = unsafeMountPathReason(m.mountPath);
    if (unsafe) fail(m.path, unsafe);
    const clash = mounts.slice(0, i).find(o => o.mountPath === m.mountPath);
    if (!clash) return;
    if (
      movedAside &&
      clash.path.join('.') === 'storage.trainingBucket.mountPath'
    ) {
      fail(
        m.path,
        `the training bucket moved aside to ${TRAINING_DATA_FALLBACK_MOUNT} because another mount uses /data, and this mount uses ${TRAINING_DATA_FALLBACK_MOUNT} too: set storage.trainingBucket.mountPath`,
      );
      return;
    }
    fail(
      m.path,
      `mount path ${m.mountPath} is already used by ${clash.path.join('.')}`,
    );
  });
  const names = stackNames(spec);
  const buckets: Array<{ path: Path; name: string; derivedFrom?: Path }> = [
    ...(storage.trainingBucket.enabled
      ? [
          storage.trainingBucket.name
            ? {
                path: ['storage', 'trainingBucket', 'name'] as Path,
                name: names.trainingBucket,
              }
            : {
                path: ['identity', 'namePrefix'] as Path,
                name: names.trainingBucket,
                derivedFrom: ['storage', 'trainingBucket', 'name'] as Path,
              },
        ]
      : []),
    ...storage.gcsMounts.map((m, i) => ({
      path: ['storage', 'gcsMounts', i, 'bucket'] as Path,
      name: m.bucket,
    })),
    spec.terraformState.bucket
      ? { path: ['terraformState', 'bucket'] as Path, name: names.stateBucket }
      : {
          path: ['identity', 'projectId'] as Path,
          name: names.stateBucket,
          derivedFrom: ['terraformState', 'bucket'] as Path,
        },
  ];
  for (const bucket of buckets) {
    const reserved = reservedBucketNameReason(bucket.name);
    // A refused project id is reported once, not again through the names derived from it.
    if (!reserved || (bucket.derivedFrom && projectIdProblem)) continue;
    fail(
      bucket.path,
      bucket.derivedFrom
        ? `${reserved} (the default of ${bucket.derivedFrom.join(
            '.',
          )}); change this value or set ${bucket.derivedFrom.join('.')}`
        : reserved,
    );
  }
  storage.filestore.forEach((share, i) => {
    const min = FILESTORE_TIERS[share.tier];
    if (share.capacityGb < min)
      fail(
        ['storage', 'filestore', i, 'capacityGb'],
        `${share.tier} shares start at ${min} GB`,
      );
  });
}
