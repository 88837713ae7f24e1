/**
 * Values derived from a parsed spec that several renderers need (Terraform, manifests, catalog
 * entity). Deriving them in one place keeps names consistent across the cloud and the cluster.
 */
import { findAccelerator, GpuType } from './catalog';
import type { ComputeClassTier } from './constants';
import type { GpuNodePoolSpec, GpuStackSpec } from './schema';

/** Every resource name the stack creates. @public */
export interface StackNames {
  clusterName: string;
  /** Region for a regional cluster, else the first zone. */
  clusterLocation: string;
  primaryNetwork: string;
  primarySubnet: string;
  podsRangeName: string;
  servicesRangeName: string;
  gvnicNetwork: string;
  gvnicSubnet: string;
  rdmaNetwork: string;
  rdmaSubnets: string[];
  /** Partial URL of the zone's RoCE network profile. */
  rdmaNetworkProfile: string;
  workloadPool: string;
  gcpServiceAccountEmail: string;
  nodeServiceAccountId: string;
  trainingBucket: string;
  filestoreInstances: string[];
  artifactRepositories: Array<{
    id: string;
    format: 'DOCKER' | 'PYTHON';
    mode: 'STANDARD_REPOSITORY' | 'REMOTE_REPOSITORY' | 'VIRTUAL_REPOSITORY';
  }>;
  cloudBuildPool: string;
  stateBucket: string;
  statePrefix: string;
}

function truncateName(name: string, max: number): string {
  return name.slice(0, max).replace(/[-_]+$/, '');
}

/** @public */
export function stackNames(spec: GpuStackSpec): StackNames {
  const { projectId, namePrefix: p, region, zones } = spec.identity;
  const rdmaCount = spec.network.rdma.subnetCidrs.length;
  const formats = spec.supplyChain.artifactRegistry.enabled
    ? spec.supplyChain.artifactRegistry.formats
    : [];
  return {
    clusterName: spec.cluster.name ?? `${p}-gke`,
    clusterLocation: spec.cluster.regional ? region : zones[0],
    primaryNetwork: `${p}-net`,
    primarySubnet: `${p}-sub`,
    podsRangeName: 'pods',
    servicesRangeName: 'services',
    gvnicNetwork: `${p}-gvnic-net`,
    gvnicSubnet: `${p}-gvnic-sub`,
    rdmaNetwork: `${p}-rdma-net`,
    rdmaSubnets: Array.from(
      { length: rdmaCount },
      (_, n) => `${p}-rdma-sub-${n}`,
    ),
    rdmaNetworkProfile: `projects/${projectId}/global/networkProfiles/${zones[0]}-vpc-roce`,
    workloadPool: `${projectId}.svc.id.goog`,
    gcpServiceAccountEmail: `${spec.workloadIdentity.gcpServiceAccountId}@${projectId}.iam.gserviceaccount.com`,
    nodeServiceAccountId: truncateName(`${p}-gke-nodes`, 30),
    trainingBucket:
      spec.storage.trainingBucket.name ??
      truncateName(`${projectId}-${p}-data`, 63),
    filestoreInstances: spec.storage.filestore.map((_, i) => `${p}-nfs-${i}`),
    artifactRepositories: formats.flatMap(format => {
      const f = format === 'docker' ? 'DOCKER' : 'PYTHON';
      return [
        {
          id: `${p}-${format}-local`,
          format: f,
          mode: 'STANDARD_REPOSITORY' as const,
        },
        {
          id: `${p}-${format}-remote`,
          format: f,
          mode: 'REMOTE_REPOSITORY' as const,
        },
        {
          id: `${p}-${format}`,
          format: f,
          mode: 'VIRTUAL_REPOSITORY' as const,
        },
      ];
    }),
    cloudBuildPool: `${p}-build-pool`,
    stateBucket: spec.terraformState.bucket ?? `aiinfra-terraform-${projectId}`,
    statePrefix:
      spec.terraformState.prefix ?? `${p}-deployment/terraform/state`,
  };
}

/** One additional node network of a GPU node (Kubernetes Network object + pod interface). @public */
export interface AdditionalNetwork {
  /** Kubernetes Network / GKENetworkParamSet name: gvnic-1, rdma-0 … */
  k8sName: string;
  network: string;
  subnetwork: string;
  deviceMode: 'NetDevice' | 'RDMA';
  /** Pod interface carrying it (eth1 for gVNIC, eth2… for RDMA). */
  interfaceName: string;
}

/** The additional networks of an RDMA node: gvnic-1 then rdma-0 … rdma-(n-1). @public */
export function additionalNetworks(spec: GpuStackSpec): AdditionalNetwork[] {
  const names = stackNames(spec);
  return [
    {
      k8sName: 'gvnic-1',
      network: names.gvnicNetwork,
      subnetwork: names.gvnicSubnet,
      deviceMode: 'NetDevice',
      interfaceName: 'eth1',
    },
    ...names.rdmaSubnets.map((subnetwork, n) => ({
      k8sName: `rdma-${n}`,
      network: names.rdmaNetwork,
      subnetwork,
      deviceMode: 'RDMA' as const,
      interfaceName: `eth${n + 2}`,
    })),
  ];
}

/** A node pool as Terraform creates it (compute-class pools expand into one pool per tier). @public */
export interface ResolvedNodePool {
  name: string;
  /** Name of the spec pool it comes from. */
  specPool: string;
  specIndex: number;
  machineType: string;
  gpuType: GpuType;
  gpuCount: number;
  gpuDriverVersion: 'DEFAULT' | 'LATEST' | 'INSTALLATION_DISABLED';
  diskType: 'hyperdisk-balanced' | 'pd-ssd' | 'pd-balanced' | 'pd-standard';
  diskSizeGb: number;
  zones: string[];
  minNodes: number;
  maxNodes: number;
  autoscaling: boolean;
  locationPolicy: 'ANY' | 'BALANCED';
  spot: boolean;
  flexStart: boolean;
  queuedProvisioning: boolean;
  reservationAffinity:
    | { type: 'NO_RESERVATION' }
    | { type: 'ANY_RESERVATION' }
    | {
        type: 'SPECIFIC_RESERVATION';
        key: 'compute.googleapis.com/reservation-name';
        values: string[];
      };
  maxRunDurationSeconds?: number;
  autoRepair: boolean;
  autoUpgrade: boolean;
  compactPlacement: boolean;
  rdma: boolean;
  additionalNetworks: AdditionalNetwork[];
  /** Kubernetes node labels to set on the pool. */
  nodeLabels: Record<string, string>;
  taints: Array<{ key: string; value: string; effect: 'NO_SCHEDULE' }>;
  computeClass?: string;
  computeClassTier?: ComputeClassTier;
}

const TIER_SUFFIX: Record<ComputeClassTier, string> = {
  spot: 'spot',
  'flex-start': 'flex',
  'on-demand': 'od',
};

/** Name of the ComputeClass of a compute-class pool. @public */
export function computeClassName(pool: GpuNodePoolSpec): string {
  return pool.provisioning.computeClass.name ?? `${pool.name}-ccc`;
}

/** Whether the pool gets additional gVNIC + RDMA networks. @public */
export function poolUsesRdma(pool: GpuNodePoolSpec): boolean {
  return pool.rdma ?? (findAccelerator(pool.machineType)?.rdmaNics ?? 0) > 0;
}

/** GPUs per node of a spec pool. @public */
export function poolGpuCount(pool: GpuNodePoolSpec): number {
  return (
    pool.gpu.count ?? findAccelerator(pool.machineType)?.defaultGpuCount ?? 1
  );
}

/** Resolves spec pools into the concrete pools Terraform creates. @public */
export function resolveNodePools(spec: GpuStackSpec): ResolvedNodePool[] {
  const networks = additionalNetworks(spec);
  return spec.nodePools.flatMap((pool, specIndex) => {
    const catalog = findAccelerator(pool.machineType);
    const gpuType = (pool.gpu.type as GpuType | undefined) ?? catalog!.gpuType;
    const rdma = poolUsesRdma(pool);
    const mode = pool.provisioning.mode;
    const reservation = pool.provisioning.reservation;
    const base: ResolvedNodePool = {
      name: pool.name,
      specPool: pool.name,
      specIndex,
      machineType: pool.machineType,
      gpuType,
      gpuCount: poolGpuCount(pool),
      gpuDriverVersion: pool.gpu.driverVersion,
      diskType:
        pool.disk.type ?? (catalog?.rdmaNics ? 'hyperdisk-balanced' : 'pd-ssd'),
      diskSizeGb: pool.disk.sizeGb,
      zones: spec.identity.zones,
      minNodes: pool.minNodes,
      maxNodes: pool.maxNodes,
      autoscaling: pool.autoscaling,
      locationPolicy: pool.locationPolicy,
      spot: mode === 'spot',
      flexStart: mode === 'flex-start' || mode === 'queued-provisioning',
      queuedProvisioning: mode === 'queued-provisioning',
      reservationAffinity:
        mode === 'reservation' && reservation
          ? {
              type: 'SPECIFIC_RESERVATION',
              key: 'compute.googleapis.com/reservation-name',
              values: [
                reservation.projectId
                  ? `projects/${reservation.projectId}/reservations/${reservation.name}`
                  : reservation.name,
              ],
            }
          : { type: 'NO_RESERVATION' },
      maxRunDurationSeconds: pool.provisioning.maxRunDurationSeconds,
      autoRepair:
        pool.autoRepair ??
        !(mode === 'flex-start' || mode === 'queued-provisioning'),
      autoUpgrade: pool.autoUpgrade ?? true,
      compactPlacement: pool.compactPlacement,
      rdma,
      additionalNetworks: rdma ? networks : [],
      nodeLabels: {},
      taints: [],
    };
    if (mode !== 'compute-class') return [base];
    const cc = computeClassName(pool);
    return pool.provisioning.computeClass.tiers.map(tier => ({
      ...base,
      name: `${pool.name}-${TIER_SUFFIX[tier]}`,
      computeClass: cc,
      computeClassTier: tier,
      spot: tier === 'spot',
      flexStart: tier === 'flex-start',
      // Only the last tier keeps warm capacity; the others start empty.
      minNodes: tier === 'on-demand' ? pool.minNodes : 0,
      autoRepair: pool.autoRepair ?? tier !== 'flex-start',
      nodeLabels: { 'cloud.google.com/compute-class': cc },
      taints: [
        {
          key: 'cloud.google.com/compute-class',
          value: cc,
          effect: 'NO_SCHEDULE' as const,
        },
      ],
    }));
  });
}

/** GPUs a spec pool can hold at most (maxNodes × GPUs per node). @public */
export function poolGpuCapacity(pool: GpuNodePoolSpec): number {
  return pool.maxNodes * poolGpuCount(pool);
}

/** The first RDMA pool (or the one named by verification.ncclAllGather.nodePool). @public */
export function verificationPool(
  spec: GpuStackSpec,
): GpuNodePoolSpec | undefined {
  const wanted = spec.verification.ncclAllGather.nodePool;
  return wanted
    ? spec.nodePools.find(p => p.name === wanted)
    : spec.nodePools.find(p => poolUsesRdma(p));
}

/** Whether the NCCL verification Job is rendered (defaults to on when an RDMA pool exists). @public */
export function verificationEnabled(spec: GpuStackSpec): boolean {
  return (
    spec.verification.ncclAllGather.enabled ?? spec.nodePools.some(poolUsesRdma)
  );
}

/** The pool a Ray worker group runs on. @public */
export function workerGroupPool(
  spec: GpuStackSpec,
  index: number,
): GpuNodePoolSpec | undefined {
  const wanted = spec.ray.workerGroups[index]?.nodePool;
  return wanted
    ? spec.nodePools.find(p => p.name === wanted)
    : spec.nodePools[0];
}

/** CPU and memory of one Ray worker (explicit, or 80% of the node). @public */
export function workerResources(
  spec: GpuStackSpec,
  index: number,
): { cpu: string; memory: string } {
  const group = spec.ray.workerGroups[index];
  const pool = workerGroupPool(spec, index);
  const catalog = pool ? findAccelerator(pool.machineType) : undefined;
  return {
    cpu:
      group.cpu ?? String(Math.max(1, Math.floor((catalog?.vcpus ?? 4) * 0.8))),
    memory:
      group.memory ??
      `${Math.max(1, Math.floor((catalog?.memoryGb ?? 16) * 0.8))}Gi`,
  };
}

/** Whether the RayCluster is admitted through Kueue (a worker group sits on a queued pool). @public */
export function rayManagedByKueue(spec: GpuStackSpec): boolean {
  return spec.ray.workerGroups.some(
    (_, i) =>
      workerGroupPool(spec, i)?.provisioning.mode === 'queued-provisioning',
  );
}

/** Ray in-tree autoscaling, defaulting to off when Kueue admits the RayCluster. @public */
export function rayAutoscaling(spec: GpuStackSpec): boolean {
  return spec.ray.autoscaling ?? !rayManagedByKueue(spec);
}

/** The label of the billing cost centre (identity.costCenter, or a user label of that key). @public */
export const COST_CENTER_LABEL = 'cost-center';

/** Where the training bucket goes when another mount asks for /data (explicit input wins). @public */
export const TRAINING_DATA_FALLBACK_MOUNT = '/training-data';

/**
 * Mount path of the training bucket: the spec's, else /data — unless a mount the user asked for
 * (gcsMounts, filestore) uses /data, which then wins and the bucket moves to /training-data.
 * @public
 */
export function trainingBucketMountPath(spec: GpuStackSpec): string {
  const explicit = spec.storage.trainingBucket.mountPath;
  if (explicit !== undefined) return explicit;
  const taken = [
    ...spec.storage.gcsMounts.map(m => m.mountPath),
    ...spec.storage.filestore.map(f => f.mountPath),
  ];
  return taken.includes('/data') ? TRAINING_DATA_FALLBACK_MOUNT : '/data';
}

/** Label keys the stack reserves on GCP resources. @public */
export const RESERVED_LABEL_KEYS = [
  'gpu-platform-stack',
  'aiinfra-cluster',
  'owner',
  'system',
  'cost-center',
  'managed-by',
] as const;

/**
 * GCP labels stamped on every resource that takes labels: ownership (owner, system), billing
 * (`aiinfra-cluster` as seed 004's billing report filter, cost-center) and user labels.
 * @public
 */
export function stackLabels(spec: GpuStackSpec): Record<string, string> {
  const ownerName = spec.identity.owner
    .split(/[:/]/)
    .pop()!
    .replace(/\./g, '_')
    .slice(0, 63);
  return {
    ...spec.identity.labels,
    'gpu-platform-stack': spec.identity.namePrefix,
    'aiinfra-cluster': spec.identity.namePrefix,
    owner: ownerName,
    system: spec.identity.system.replace(/\./g, '_'),
    ...(spec.identity.costCenter
      ? { [COST_CENTER_LABEL]: spec.identity.costCenter }
      : {}),
    'managed-by': 'gpu-platform',
  };
}
