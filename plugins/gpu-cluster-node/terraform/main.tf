# Root module of a GPU cluster stack: APIs, VPCs, private GKE cluster with multi-networking, GPU
# node pools, storage, identities, registries and builds. Every value comes from
# terraform.tfvars.json, which the platform renders from the stack spec.

locals {
  cluster_location = coalesce(var.cluster.location, var.region)
  rdma_enabled     = anytrue([for pool in var.node_pools : pool.rdma])
  rdma_subnets = [
    for index, cidr in var.network.rdma_subnet_cidrs : {
      name = "${local.names.rdma_network_base}-sub-${index}"
      cidr = cidr
    }
  ]
  names = {
    primary_network   = coalesce(var.network.primary_network, "${var.name_prefix}-net")
    primary_subnet    = coalesce(var.network.primary_subnet, "${var.name_prefix}-sub")
    gvnic_network     = coalesce(var.network.gvnic_network, "${var.name_prefix}-gvnic-net")
    gvnic_subnet      = coalesce(var.network.gvnic_subnet, "${var.name_prefix}-gvnic-sub")
    rdma_network      = coalesce(var.network.rdma_network, "${var.name_prefix}-rdma-net")
    rdma_network_base = "${var.name_prefix}-rdma"
    cluster           = coalesce(var.cluster.name, "${var.name_prefix}-gke")
    node_sa           = coalesce(var.node_service_account_id, "${var.name_prefix}-gke-nodes")
    bucket            = coalesce(var.storage.bucket_name, "${var.project_id}-${var.name_prefix}-data")
    build_pool        = coalesce(var.build.name, "${var.name_prefix}-build-pool")
  }
  # Rendered names win over the derived ones (the spec derives the same names).
  rdma_subnet_specs = length(var.network.rdma_subnets) > 0 ? var.network.rdma_subnets : local.rdma_subnets
}

module "services" {
  source = "./modules/services"

  project_id = var.project_id
  services   = var.enabled_services
}

module "network" {
  source = "./modules/network"

  project_id = var.project_id
  region     = var.region

  primary = {
    network             = local.names.primary_network
    subnet              = local.names.primary_subnet
    subnet_cidr         = var.network.primary_subnet_cidr
    pods_range_name     = var.network.pods_range_name
    pods_cidr           = var.network.pods_cidr
    services_range_name = var.network.services_range_name
    services_cidr       = var.network.services_cidr
  }

  gvnic = {
    network     = local.names.gvnic_network
    subnet      = local.names.gvnic_subnet
    subnet_cidr = var.network.gvnic_subnet_cidr
    mtu         = var.network.gvnic_mtu
  }

  rdma = {
    enabled         = local.rdma_enabled
    network         = local.names.rdma_network
    zone            = var.zones[0]
    network_profile = var.network.rdma_network_profile
    mtu             = var.network.rdma_mtu
    subnets         = local.rdma_subnet_specs
  }

  firewall = {
    internal_source_ranges = var.network.internal_source_ranges
    allow_iap_ssh          = var.network.allow_iap_ssh
  }

  # The compute API must be on before any network exists.
  depends_on = [module.services]
}

module "iam" {
  source = "./modules/iam"

  project_id              = var.project_id
  name_prefix             = var.name_prefix
  node_service_account_id = local.names.node_sa
  workload_identity       = var.workload_identity
  workload_pool           = module.cluster.workload_pool
  bucket_name             = module.storage.bucket_name

  # Service accounts and project IAM need the IAM and Resource Manager APIs first.
  depends_on = [module.services]
}

module "cluster" {
  source = "./modules/cluster"

  project_id     = var.project_id
  name           = local.names.cluster
  location       = local.cluster_location
  node_locations = var.zones

  network             = module.network.primary_network_id
  subnetwork          = module.network.primary_subnet_id
  pods_range_name     = module.network.pods_range_name
  services_range_name = module.network.services_range_name

  release_channel        = var.cluster.release_channel
  min_master_version     = var.cluster.min_master_version
  private_nodes          = var.cluster.private_nodes
  private_endpoint       = var.cluster.private_endpoint
  dns_endpoint           = var.cluster.dns_endpoint
  master_ipv4_cidr_block = var.cluster.master_ipv4_cidr_block
  master_global_access   = var.cluster.master_global_access
  authorized_networks    = var.cluster.authorized_networks
  dataplane_v2           = var.cluster.dataplane_v2
  multi_networking       = var.cluster.multi_networking
  ray_operator           = var.cluster.ray_operator
  gcs_fuse_csi           = var.cluster.gcs_fuse_csi
  filestore_csi          = length(var.storage.filestore) > 0
  workload_identity      = var.cluster.workload_identity
  logging_components     = var.cluster.logging_components
  monitoring_components  = var.cluster.monitoring_components
  managed_prometheus     = var.cluster.managed_prometheus
  system_pool            = var.cluster.system_pool
  node_service_account   = module.iam.node_service_account_email
  deletion_protection    = var.cluster.deletion_protection
  labels                 = var.labels

  depends_on = [module.services]
}

module "node_pool" {
  source   = "./modules/node-pool"
  for_each = { for pool in var.node_pools : pool.name => pool }

  project_id               = var.project_id
  cluster                  = module.cluster.name
  location                 = local.cluster_location
  node_service_account     = module.iam.node_service_account_email
  additional_node_networks = each.value.rdma ? module.network.additional_node_networks : []
  labels                   = var.labels
  pool                     = each.value
}

module "storage" {
  source = "./modules/storage"

  project_id = var.project_id
  bucket = {
    enabled                = var.storage.bucket_enabled
    name                   = local.names.bucket
    location               = coalesce(var.storage.bucket_location, upper(var.region))
    storage_class          = var.storage.bucket_storage_class
    hierarchical_namespace = var.storage.hierarchical_namespace
    force_destroy          = var.storage.force_destroy
  }
  filestore = var.storage.filestore
  network   = module.network.primary_network_id
  labels    = var.labels

  depends_on = [module.services]
}

module "registry" {
  source = "./modules/registry"
  count  = length(var.registry.repositories) > 0 ? 1 : 0

  project_id   = var.project_id
  location     = var.region
  repositories = var.registry.repositories
  labels       = var.labels

  depends_on = [module.services]
}

module "build" {
  source = "./modules/build"
  count  = var.build.enabled ? 1 : 0

  project_id   = var.project_id
  name         = local.names.build_pool
  location     = var.region
  network_id   = module.network.primary_network_id
  machine_type = var.build.machine_type
  disk_size_gb = var.build.disk_size_gb
  labels       = var.labels

  depends_on = [module.services]
}
