import {
  PROVISIONING_MODE_CONSEQUENCES,
  resolveNodePools,
  stackGpuQuota,
  zoneAvailabilityIssues,
  type GpuStackSpec,
  type ProvisioningMode,
  type StackPreview,
  type StackPreviewCloudResource,
} from '@gpu-platform/backstage-plugin-gpu-cluster-common';
import { kueueInstallStep, renderManifests } from './manifests';
import { renderTfvars, terraformBackendConfig } from './terraform';

/** The parts of terraform.tfvars.json the preview names (see renderTfvars). */
interface Tfvars {
  project_id: string;
  region: string;
  zones: string[];
  network: {
    primary_network: string;
    primary_subnet: string;
    primary_subnet_cidr: string;
    gvnic_network: string;
    gvnic_subnet: string;
    gvnic_subnet_cidr: string;
    rdma_network: string;
    rdma_subnets: Array<{ name: string; cidr: string }>;
  };
  cluster: {
    name: string;
    location: string;
    release_channel: string;
    private_endpoint: boolean;
    system_pool: { name: string; machine_type: string; node_count: number };
  };
  node_service_account_id: string;
  node_pools: Array<{
    name: string;
    machine_type: string;
    gpu_count: number;
    gpu_type: string;
    min_nodes: number;
    max_nodes: number;
    rdma: boolean;
  }>;
  storage: {
    bucket_enabled: boolean;
    bucket_name: string;
    filestore: Array<{ name: string; tier: string; capacity_gb: number }>;
  };
  workload_identity: { gcp_service_account_id: string };
  registry: {
    repositories: Array<{ id: string; format: string; mode: string }>;
  };
  build: { enabled: boolean; name: string; machine_type: string };
}

function cloudResources(tf: Tfvars): StackPreviewCloudResource[] {
  const rdma = tf.node_pools.some(pool => pool.rdma);
  const gpuPools = tf.node_pools.map(pool => ({
    kind: 'GPU node pool',
    name: pool.name,
    detail: `${pool.machine_type}, ${pool.gpu_count}× ${pool.gpu_type} per node, ${pool.min_nodes}–${pool.max_nodes} nodes`,
  }));
  return [
    {
      kind: 'VPC network',
      name: tf.network.primary_network,
      detail: `subnet ${tf.network.primary_subnet} (${tf.network.primary_subnet_cidr}) with Cloud NAT`,
    },
    {
      kind: 'VPC network',
      name: tf.network.gvnic_network,
      detail: `gVNIC subnet ${tf.network.gvnic_subnet} (${tf.network.gvnic_subnet_cidr})`,
    },
    ...(rdma
      ? [
          {
            kind: 'RDMA VPC network',
            name: tf.network.rdma_network,
            detail: `${tf.network.rdma_subnets.length} RDMA subnets (RoCE profile of ${tf.zones[0]})`,
          },
        ]
      : []),
    {
      kind: 'GKE cluster',
      name: tf.cluster.name,
      detail: `private, in ${tf.cluster.location}, ${
        tf.cluster.release_channel
      } channel${tf.cluster.private_endpoint ? ', private endpoint only' : ''}`,
    },
    {
      kind: 'CPU node pool',
      name: tf.cluster.system_pool.name,
      detail: `${tf.cluster.system_pool.node_count}× ${tf.cluster.system_pool.machine_type} per zone`,
    },
    ...gpuPools,
    {
      kind: 'Service account',
      name: tf.node_service_account_id,
      detail: 'identity of the nodes',
    },
    {
      kind: 'Service account',
      name: tf.workload_identity.gcp_service_account_id,
      detail: 'identity of Ray and jobs (Workload Identity)',
    },
    ...(tf.storage.bucket_enabled
      ? [
          {
            kind: 'Cloud Storage bucket',
            name: tf.storage.bucket_name,
            detail: 'training data, mounted in Ray pods',
          },
        ]
      : []),
    ...tf.storage.filestore.map(share => ({
      kind: 'Filestore instance',
      name: share.name,
      detail: `${share.tier}, ${share.capacity_gb} GB`,
    })),
    ...tf.registry.repositories.map(repository => ({
      kind: 'Artifact Registry repository',
      name: repository.id,
      detail: `${repository.format.toLowerCase()}, ${repository.mode
        .replace('_REPOSITORY', '')
        .toLowerCase()}`,
    })),
    ...(tf.build.enabled
      ? [
          {
            kind: 'Cloud Build worker pool',
            name: tf.build.name,
            detail: tf.build.machine_type,
          },
        ]
      : []),
  ];
}

/**
 * What Create will do for a parsed spec, from the same render the template's actions use
 * (`renderTfvars`, `renderManifests`): the cloud resources and Kubernetes objects, the GPUs and
 * regional GPU quota at most, the consequences of each provisioning mode and where the Terraform
 * state will live (`stateBackend` is the backend's `gpuCluster.terraform.backend`). Touches no
 * cloud, cluster or file.
 * @public
 */
export function previewStack(
  spec: GpuStackSpec,
  options: { stateBackend: 'gcs' | 'local' },
): StackPreview {
  const tf = renderTfvars(spec) as unknown as Tfvars;
  const resolved = resolveNodePools(spec);
  const modeOfPool = new Map(
    spec.nodePools.map(pool => [pool.name, pool.provisioning.mode]),
  );
  const nodePools = resolved.map(pool => ({
    name: pool.name,
    machineType: pool.machineType,
    gpuType: pool.gpuType,
    gpusPerNode: pool.gpuCount,
    minNodes: pool.minNodes,
    maxNodes: pool.maxNodes,
    maxGpus: pool.maxNodes * pool.gpuCount,
    zones: pool.zones,
    mode: modeOfPool.get(pool.specPool)!,
    ...(pool.computeClassTier ? { tier: pool.computeClassTier } : {}),
    rdma: pool.rdma,
  }));
  const modes = new Map<ProvisioningMode, string[]>();
  for (const pool of spec.nodePools) {
    const mode = pool.provisioning.mode;
    modes.set(mode, [...(modes.get(mode) ?? []), pool.name]);
  }
  const state = terraformBackendConfig(spec);
  const kueue = kueueInstallStep(spec);
  return {
    cluster: {
      name: tf.cluster.name,
      location: tf.cluster.location,
      projectId: tf.project_id,
      region: tf.region,
      zones: tf.zones,
    },
    gpus: {
      maxNodes: nodePools.reduce((sum, pool) => sum + pool.maxNodes, 0),
      maxGpus: nodePools.reduce((sum, pool) => sum + pool.maxGpus, 0),
      nodePools,
    },
    quota: stackGpuQuota(spec),
    modes: [...modes].map(([mode, pools]) => ({
      mode,
      nodePools: pools,
      consequences: [...PROVISIONING_MODE_CONSEQUENCES[mode]],
    })),
    cloudResources: cloudResources(tf),
    kubernetesObjects: renderManifests(spec).flatMap(file =>
      file.objects.map(object => ({
        file: file.path,
        kind: object.kind,
        name: object.metadata.name,
        ...(object.metadata.namespace
          ? { namespace: object.metadata.namespace }
          : {}),
      })),
    ),
    ...(kueue ? { kueueVersion: kueue.version } : {}),
    state:
      options.stateBackend === 'gcs'
        ? {
            backend: 'gcs',
            location: `gs://${state.bucket}/${state.prefix}`,
            explanation:
              'Terraform keeps its record of the stack in this Cloud Storage folder; the bucket must exist before Create. Keep it: changing or deleting the cluster later needs it.',
          }
        : {
            backend: 'local',
            location: 'the task workspace on the Backstage backend',
            explanation:
              'Local state (development setup): it is lost with the task workspace, so the stack cannot be changed or deleted through Terraform afterwards.',
          },
    warnings: zoneAvailabilityIssues(spec).map(issue => issue.message),
  };
}
