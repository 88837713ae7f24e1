import {
  GpuStackSpec,
  resolveNodePools,
  stackLabels,
  stackNames,
  SYSTEM_POOL_NAME,
} from '@gpu-platform/backstage-plugin-gpu-cluster-common';
import {
  FILESTORE_SHARE_NAME,
  filestoreLocation,
} from '../manifests/filestore';

/** How the variables differ for `gpu-cluster destroy`. @public */
export interface RenderTfvarsOptions {
  /**
   * Render for a destroy: cluster deletion protection off (it only guards against deletions
   * outside this flow) and, with `deleteData`, buckets force-destroyed with their objects.
   */
  destroy?: { deleteData: boolean };
}

/**
 * Maps a parsed stack spec onto the variables of the root Terraform module this package ships
 * (terraform/variables.tf). The result is written verbatim as
 * `terraform.tfvars.json`: values reach Terraform only as data, never as generated HCL.
 *
 * @public
 */
export function renderTfvars(
  spec: GpuStackSpec,
  options: RenderTfvarsOptions = {},
): Record<string, unknown> {
  const names = stackNames(spec);
  const { identity, network, cluster, storage, supplyChain, workloadIdentity } =
    spec;
  const pools = resolveNodePools(spec);

  const repositories = names.artifactRepositories.map(repository => ({
    id: repository.id,
    format: repository.format,
    mode: repository.mode,
    description: `${repository.format.toLowerCase()} ${repository.mode
      .replace('_REPOSITORY', '')
      .toLowerCase()} repository of ${identity.namePrefix}`,
    upstreams:
      repository.mode === 'VIRTUAL_REPOSITORY'
        ? names.artifactRepositories
            .filter(
              upstream =>
                upstream.format === repository.format &&
                upstream.mode !== 'VIRTUAL_REPOSITORY',
            )
            .map(upstream => upstream.id)
        : [],
  }));

  return {
    project_id: identity.projectId,
    name_prefix: identity.namePrefix,
    region: identity.region,
    zones: identity.zones,
    labels: stackLabels(spec),
    network: {
      primary_network: names.primaryNetwork,
      primary_subnet: names.primarySubnet,
      primary_subnet_cidr: network.primary.subnetCidr,
      pods_range_name: names.podsRangeName,
      pods_cidr: network.primary.podsCidr,
      services_range_name: names.servicesRangeName,
      services_cidr: network.primary.servicesCidr,
      gvnic_network: names.gvnicNetwork,
      gvnic_subnet: names.gvnicSubnet,
      gvnic_subnet_cidr: network.gvnic.subnetCidr,
      rdma_network: names.rdmaNetwork,
      rdma_network_profile: names.rdmaNetworkProfile,
      rdma_subnet_cidrs: network.rdma.subnetCidrs,
      rdma_subnets: names.rdmaSubnets.map((name, index) => ({
        name,
        cidr: network.rdma.subnetCidrs[index],
      })),
      rdma_mtu: network.rdma.mtu,
      internal_source_ranges: network.firewall.internalSourceRanges,
      allow_iap_ssh: network.firewall.allowIapSsh,
    },
    cluster: {
      name: names.clusterName,
      location: names.clusterLocation,
      release_channel: cluster.releaseChannel,
      min_master_version: cluster.version ?? null,
      private_nodes: cluster.privateNodes,
      private_endpoint: cluster.privateEndpoint,
      dns_endpoint: cluster.dnsEndpoint,
      master_ipv4_cidr_block: cluster.masterIpv4CidrBlock,
      master_global_access: cluster.masterGlobalAccess,
      authorized_networks: cluster.authorizedNetworks.map(entry => ({
        cidr_block: entry.cidrBlock,
        display_name: entry.displayName,
      })),
      dataplane_v2: cluster.dataplaneV2,
      multi_networking: cluster.multiNetworking,
      ray_operator: cluster.rayOperator,
      gcs_fuse_csi: cluster.gcsFuseCsi,
      workload_identity: cluster.workloadIdentity,
      logging_components: cluster.logging,
      monitoring_components: cluster.monitoring,
      managed_prometheus: cluster.managedPrometheus,
      system_pool: {
        name: SYSTEM_POOL_NAME,
        machine_type: cluster.systemNodePool.machineType,
        node_count: cluster.systemNodePool.nodeCount,
      },
      deletion_protection: options.destroy ? false : cluster.deletionProtection,
    },
    node_service_account_id: names.nodeServiceAccountId,
    node_pools: pools.map(pool => ({
      name: pool.name,
      machine_type: pool.machineType,
      gpu_type: pool.gpuType,
      gpu_count: pool.gpuCount,
      gpu_driver_version: pool.gpuDriverVersion,
      disk_type: pool.diskType,
      disk_size_gb: pool.diskSizeGb,
      node_locations: pool.zones,
      min_nodes: pool.minNodes,
      max_nodes: pool.maxNodes,
      autoscaling: pool.autoscaling,
      location_policy: pool.locationPolicy,
      spot: pool.spot,
      flex_start: pool.flexStart,
      queued_provisioning: pool.queuedProvisioning,
      max_run_duration_seconds: pool.maxRunDurationSeconds ?? null,
      auto_repair: pool.autoRepair,
      auto_upgrade: pool.autoUpgrade,
      compact_placement: pool.compactPlacement,
      rdma: pool.rdma,
      node_labels: pool.nodeLabels,
      taints: pool.taints,
      reservation_affinity:
        pool.reservationAffinity.type === 'SPECIFIC_RESERVATION'
          ? {
              type: pool.reservationAffinity.type,
              key: pool.reservationAffinity.key,
              values: pool.reservationAffinity.values,
            }
          : { type: pool.reservationAffinity.type },
    })),
    storage: {
      bucket_enabled: storage.trainingBucket.enabled,
      bucket_name: names.trainingBucket,
      bucket_location: identity.region.toUpperCase(),
      hierarchical_namespace: storage.trainingBucket.hierarchicalNamespace,
      force_destroy: options.destroy?.deleteData ?? false,
      filestore: storage.filestore.map((share, index) => ({
        name: names.filestoreInstances[index],
        location: filestoreLocation(spec, index),
        tier: share.tier,
        capacity_gb: share.capacityGb,
        share_name: FILESTORE_SHARE_NAME,
      })),
    },
    workload_identity: {
      gcp_service_account_id: workloadIdentity.gcpServiceAccountId,
      kubernetes_service_accounts: [
        {
          namespace: workloadIdentity.namespace,
          name: workloadIdentity.kubernetesServiceAccount,
        },
      ],
      bucket_roles: ['roles/storage.objectUser'],
      secret_access: workloadIdentity.secretAccess,
      // Each extra GCS FUSE mount needs the workload identity's role on its bucket.
      bucket_bindings: storage.gcsMounts.map(mount => ({
        bucket: mount.bucket,
        role: mount.readOnly
          ? 'roles/storage.objectViewer'
          : 'roles/storage.objectUser',
      })),
    },
    registry: { repositories },
    build: {
      enabled: supplyChain.cloudBuild.enabled,
      name: names.cloudBuildPool,
      machine_type: supplyChain.cloudBuild.machineType,
      disk_size_gb: supplyChain.cloudBuild.diskSizeGb,
    },
  };
}

/**
 * The GCS backend location of a stack's state (seed 004: a bucket per project, a folder per
 * deployment), for `terraform init -backend-config=...`.
 *
 * @public
 */
export function terraformBackendConfig(spec: GpuStackSpec): {
  bucket: string;
  prefix: string;
} {
  const names = stackNames(spec);
  return { bucket: names.stateBucket, prefix: names.statePrefix };
}
