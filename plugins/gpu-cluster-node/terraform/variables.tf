# Inputs of the stack. The platform writes them to terraform.tfvars.json from the stack spec;
# the defaults reproduce seed 001 (one A3 Ultra H200 pool with DWS flex-start + queued
# provisioning, 8 RDMA NICs). Validation sits beside each variable so that a bad value fails
# `terraform validate`/`plan` before any API call.

variable "project_id" {
  description = "GCP project that holds every resource (seed 004 PROJECT_ID)."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{4,28}[a-z0-9]$", var.project_id))
    error_message = "project_id must be a GCP project id: 6-30 lowercase letters, digits or hyphens, starting with a letter."
  }
}

variable "name_prefix" {
  description = "Unique prefix of every resource name of this stack (seed 004 NAME_PREFIX)."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,18}[a-z0-9]$", var.name_prefix))
    error_message = "name_prefix must be 2-20 lowercase letters, digits or hyphens, starting with a letter and not ending with a hyphen."
  }
}

variable "region" {
  description = "Region of the cluster, subnets, bucket and registries."
  type        = string
  default     = "us-central1"

  validation {
    condition     = can(regex("^[a-z]+-[a-z]+[0-9]+$", var.region))
    error_message = "region must be a GCP region such as us-central1."
  }
}

variable "zones" {
  description = "Zones of the node pools; the first one names the RDMA network profile (<zone>-vpc-roce)."
  type        = list(string)
  default     = ["us-central1-b"]

  validation {
    condition     = length(var.zones) > 0 && alltrue([for zone in var.zones : can(regex("^[a-z]+-[a-z]+[0-9]+-[a-z]$", zone))])
    error_message = "zones must list at least one GCP zone such as us-central1-b."
  }
}

variable "labels" {
  description = "GCP labels stamped on every resource that takes labels (ownership, billing: aiinfra-cluster)."
  type        = map(string)
  default     = {}

  validation {
    condition = alltrue([
      for key, value in var.labels :
      can(regex("^[a-z][a-z0-9_-]{0,62}$", key)) && can(regex("^[a-z0-9_-]{0,63}$", value))
    ])
    error_message = "labels must use GCP label syntax: keys start with a lowercase letter; keys and values use lowercase letters, digits, _ and - (at most 63 characters)."
  }
}

variable "enabled_services" {
  description = "Google Cloud APIs to enable (seed 000 services.tf)."
  type        = list(string)
  default = [
    "cloudresourcemanager.googleapis.com",
    "serviceusage.googleapis.com",
    "compute.googleapis.com",
    "container.googleapis.com",
    "iam.googleapis.com",
    "iamcredentials.googleapis.com",
    "storage.googleapis.com",
    "file.googleapis.com",
    "artifactregistry.googleapis.com",
    "cloudbuild.googleapis.com",
    "servicenetworking.googleapis.com",
    "secretmanager.googleapis.com",
    "logging.googleapis.com",
    "monitoring.googleapis.com",
  ]

  validation {
    condition     = alltrue([for service in var.enabled_services : endswith(service, ".googleapis.com")])
    error_message = "enabled_services must be API service names ending in .googleapis.com."
  }
}

variable "network" {
  description = "VPCs, subnets and firewall: primary VPC, gVNIC VPC (seed 001 192.168.0.0/24) and RDMA VPC with one subnet per NIC."
  type = object({
    primary_network        = optional(string)
    primary_subnet         = optional(string)
    primary_subnet_cidr    = optional(string, "10.0.0.0/20")
    pods_range_name        = optional(string, "pods")
    pods_cidr              = optional(string, "10.4.0.0/14")
    services_range_name    = optional(string, "services")
    services_cidr          = optional(string, "10.0.32.0/20")
    gvnic_network          = optional(string)
    gvnic_subnet           = optional(string)
    gvnic_subnet_cidr      = optional(string, "192.168.0.0/24")
    gvnic_mtu              = optional(number, 8896)
    rdma_network           = optional(string)
    rdma_network_profile   = optional(string)
    rdma_subnet_cidrs      = optional(list(string), ["192.168.1.0/24", "192.168.2.0/24", "192.168.3.0/24", "192.168.4.0/24", "192.168.5.0/24", "192.168.6.0/24", "192.168.7.0/24", "192.168.8.0/24"])
    rdma_subnets           = optional(list(object({ name = string, cidr = string })), [])
    rdma_mtu               = optional(number, 8896)
    internal_source_ranges = optional(list(string), ["192.168.0.0/16"])
    allow_iap_ssh          = optional(bool, false)
  })
  default = {}

  validation {
    condition = alltrue([
      for cidr in concat(
        [var.network.primary_subnet_cidr, var.network.pods_cidr, var.network.services_cidr, var.network.gvnic_subnet_cidr],
        var.network.rdma_subnet_cidrs,
        [for subnet in var.network.rdma_subnets : subnet.cidr],
        var.network.internal_source_ranges,
      ) : can(cidrhost(cidr, 0)) && can(regex("^[0-9.]+/[0-9]+$", cidr))
    ])
    error_message = "Every network CIDR must be an IPv4 range such as 192.168.1.0/24."
  }

  validation {
    condition     = length(var.network.rdma_subnet_cidrs) <= 16 && length(var.network.rdma_subnets) <= 16
    error_message = "At most 16 RDMA subnets (one per RDMA NIC)."
  }

  validation {
    condition     = var.network.rdma_mtu >= 1460 && var.network.rdma_mtu <= 8896 && var.network.gvnic_mtu >= 1460 && var.network.gvnic_mtu <= 8896
    error_message = "MTUs must be between 1460 and 8896."
  }

  validation {
    condition     = var.network.rdma_network_profile == null || can(regex("^(https://www.googleapis.com/compute/(v1|beta)/)?projects/[^/]+/global/networkProfiles/[a-z0-9-]+$", var.network.rdma_network_profile))
    error_message = "rdma_network_profile must be projects/<project>/global/networkProfiles/<zone>-vpc-roce (or its full URL)."
  }
}

variable "cluster" {
  description = "Private GKE Standard cluster (seed 001 step 3)."
  type = object({
    name                   = optional(string)
    location               = optional(string)
    release_channel        = optional(string, "REGULAR")
    min_master_version     = optional(string)
    private_nodes          = optional(bool, true)
    private_endpoint       = optional(bool, true)
    dns_endpoint           = optional(bool, true)
    master_ipv4_cidr_block = optional(string, "172.16.0.32/28")
    master_global_access   = optional(bool, false)
    authorized_networks = optional(list(object({
      cidr_block   = string
      display_name = optional(string, "")
    })), [])
    dataplane_v2          = optional(bool, true)
    multi_networking      = optional(bool, true)
    ray_operator          = optional(bool, true)
    gcs_fuse_csi          = optional(bool, true)
    workload_identity     = optional(bool, true)
    logging_components    = optional(list(string), ["SYSTEM_COMPONENTS", "WORKLOADS"])
    monitoring_components = optional(list(string), ["SYSTEM_COMPONENTS", "DCGM"])
    managed_prometheus    = optional(bool, true)
    system_pool = optional(object({
      name         = optional(string, "system")
      machine_type = optional(string, "e2-standard-8")
      node_count   = optional(number, 2)
    }), {})
    deletion_protection = optional(bool, true)
  })
  default = {}

  validation {
    condition     = contains(["UNSPECIFIED", "RAPID", "REGULAR", "STABLE", "EXTENDED"], var.cluster.release_channel)
    error_message = "cluster.release_channel must be UNSPECIFIED, RAPID, REGULAR, STABLE or EXTENDED."
  }

  validation {
    condition     = var.cluster.name == null || can(regex("^[a-z]([a-z0-9-]{0,38}[a-z0-9])?$", var.cluster.name))
    error_message = "cluster.name must be at most 40 lowercase letters, digits or hyphens, starting with a letter."
  }

  validation {
    condition     = can(regex("^[0-9.]+/28$", var.cluster.master_ipv4_cidr_block)) && can(cidrhost(var.cluster.master_ipv4_cidr_block, 0))
    error_message = "cluster.master_ipv4_cidr_block must be a /28 IPv4 range."
  }

  validation {
    condition     = alltrue([for entry in var.cluster.authorized_networks : can(cidrhost(entry.cidr_block, 0))])
    error_message = "cluster.authorized_networks entries need a valid cidr_block (e.g. 203.0.113.7/32)."
  }

  validation {
    condition     = alltrue([for entry in var.cluster.authorized_networks : tonumber(split("/", entry.cidr_block)[1]) >= 8])
    error_message = "cluster.authorized_networks must not open the control plane to the internet (0.0.0.0/0 or anything wider than a /8)."
  }

  validation {
    condition     = var.cluster.dns_endpoint || length(var.cluster.authorized_networks) > 0
    error_message = "The control plane needs a way in from outside the stack's new VPC: keep cluster.dns_endpoint (IAM-authorized DNS endpoint) or list the runner's egress range in cluster.authorized_networks."
  }

  validation {
    condition     = !var.cluster.multi_networking || var.cluster.dataplane_v2
    error_message = "Multi-networking requires Dataplane V2 (cluster.dataplane_v2 = true)."
  }

  validation {
    condition     = var.cluster.min_master_version == null || can(regex("^1\\.[0-9]+(\\.[0-9]+(-gke\\.[0-9]+)?)?$", var.cluster.min_master_version))
    error_message = "cluster.min_master_version must be a GKE version such as 1.33.1-gke.1107000 (or a prefix such as 1.33)."
  }
}

variable "node_service_account_id" {
  description = "Account id of the GKE nodes' service account; defaults to <name_prefix>-gke-nodes."
  type        = string
  default     = null

  validation {
    condition     = var.node_service_account_id == null || can(regex("^[a-z][a-z0-9-]{4,28}[a-z0-9]$", var.node_service_account_id))
    error_message = "node_service_account_id must be 6-30 lowercase letters, digits or hyphens."
  }
}

variable "node_pools" {
  description = "GPU node pools, one object per pool, provisioning mode already resolved into flags."
  type = list(object({
    name                     = string
    machine_type             = string
    gpu_type                 = string
    gpu_count                = number
    gpu_driver_version       = optional(string, "LATEST")
    disk_type                = optional(string, "hyperdisk-balanced")
    disk_size_gb             = optional(number, 500)
    node_locations           = list(string)
    min_nodes                = optional(number, 0)
    max_nodes                = number
    autoscaling              = optional(bool, true)
    location_policy          = optional(string, "ANY")
    spot                     = optional(bool, false)
    flex_start               = optional(bool, false)
    queued_provisioning      = optional(bool, false)
    max_run_duration_seconds = optional(number)
    auto_repair              = optional(bool, true)
    auto_upgrade             = optional(bool, true)
    compact_placement        = optional(bool, false)
    rdma                     = optional(bool, false)
    node_labels              = optional(map(string), {})
    taints = optional(list(object({
      key    = string
      value  = string
      effect = string
    })), [])
    reservation_affinity = optional(object({
      type   = string
      key    = optional(string)
      values = optional(list(string))
    }), { type = "NO_RESERVATION" })
  }))
  default = [{
    name                = "h200-dws"
    machine_type        = "a3-ultragpu-8g"
    gpu_type            = "nvidia-h200-141gb"
    gpu_count           = 8
    node_locations      = ["us-central1-b"]
    max_nodes           = 4
    flex_start          = true
    queued_provisioning = true
    auto_repair         = false
    rdma                = true
  }]

  validation {
    condition     = length(var.node_pools) > 0 && length(distinct([for pool in var.node_pools : pool.name])) == length(var.node_pools)
    error_message = "node_pools needs at least one pool, and pool names must be unique."
  }

  validation {
    condition     = alltrue([for pool in var.node_pools : contains(["DEFAULT", "LATEST", "INSTALLATION_DISABLED"], pool.gpu_driver_version)])
    error_message = "gpu_driver_version must be DEFAULT, LATEST or INSTALLATION_DISABLED."
  }

  validation {
    condition     = alltrue([for pool in var.node_pools : contains(["ANY", "BALANCED"], pool.location_policy)])
    error_message = "location_policy must be ANY or BALANCED."
  }

  validation {
    condition     = alltrue([for pool in var.node_pools : contains(["NO_RESERVATION", "ANY_RESERVATION", "SPECIFIC_RESERVATION"], pool.reservation_affinity.type)])
    error_message = "reservation_affinity.type must be NO_RESERVATION, ANY_RESERVATION or SPECIFIC_RESERVATION."
  }

  validation {
    condition     = alltrue([for pool in var.node_pools : pool.reservation_affinity.type != "SPECIFIC_RESERVATION" || (pool.reservation_affinity.key != null && length(coalesce(pool.reservation_affinity.values, [])) > 0)])
    error_message = "A SPECIFIC_RESERVATION affinity needs key and values (the reservation name)."
  }

  validation {
    condition     = alltrue([for pool in var.node_pools : !(pool.spot && (pool.flex_start || pool.queued_provisioning))])
    error_message = "A pool is either Spot or DWS (flex_start / queued_provisioning), not both."
  }

  validation {
    condition     = alltrue([for pool in var.node_pools : !(pool.flex_start || pool.spot || pool.queued_provisioning) || pool.reservation_affinity.type == "NO_RESERVATION"])
    error_message = "Flex-start, queued provisioning and Spot pools must not consume reservations (reservation_affinity NO_RESERVATION, seed 001 --reservation-affinity=none)."
  }

  # GKE: "Auto_upgrade cannot be false when release_channel REGULAR is set". DWS pools keep
  # auto-upgrade on: GKE upgrades flex-start nodes short-lived (new nodes, never running ones).
  validation {
    condition     = var.cluster.release_channel == "UNSPECIFIED" || alltrue([for pool in var.node_pools : pool.auto_upgrade])
    error_message = "Node auto-upgrade can only be off when cluster.release_channel is UNSPECIFIED (GKE: Auto_upgrade cannot be false when a release channel is set)."
  }

  validation {
    condition     = alltrue([for pool in var.node_pools : !pool.flex_start || !pool.auto_repair])
    error_message = "Flex-start pools need auto_repair = false (seed 001 --no-enable-autorepair)."
  }

  validation {
    condition     = alltrue([for pool in var.node_pools : !pool.queued_provisioning || (pool.autoscaling && pool.min_nodes == 0 && !pool.compact_placement)])
    error_message = "Queued provisioning needs autoscaling from 0 nodes (--enable-autoscaling --num-nodes=0) and no COMPACT placement."
  }

  validation {
    condition     = alltrue([for pool in var.node_pools : pool.min_nodes >= 0 && pool.max_nodes >= pool.min_nodes && pool.max_nodes <= 1000])
    error_message = "Each pool needs 0 <= min_nodes <= max_nodes <= 1000."
  }

  validation {
    condition     = alltrue([for pool in var.node_pools : pool.max_run_duration_seconds == null ? true : pool.max_run_duration_seconds >= 600 && pool.max_run_duration_seconds <= 604800])
    error_message = "max_run_duration_seconds must be between 600 and 604800 (7 days)."
  }

  validation {
    condition     = alltrue([for pool in var.node_pools : alltrue([for taint in pool.taints : contains(["NO_SCHEDULE", "PREFER_NO_SCHEDULE", "NO_EXECUTE"], taint.effect)])])
    error_message = "Taint effects must be NO_SCHEDULE, PREFER_NO_SCHEDULE or NO_EXECUTE."
  }
}

variable "storage" {
  description = "Training-data bucket (seed 000 gcs.tf) and optional Filestore shares (seed 004 NFS_FILESHARE_LIST)."
  type = object({
    bucket_enabled         = optional(bool, true)
    bucket_name            = optional(string)
    bucket_location        = optional(string)
    bucket_storage_class   = optional(string, "STANDARD")
    hierarchical_namespace = optional(bool, false)
    force_destroy          = optional(bool, false)
    filestore = optional(list(object({
      name        = string
      location    = string
      tier        = string
      capacity_gb = number
      share_name  = optional(string, "share")
    })), [])
  })
  default = {}

  validation {
    condition     = var.storage.bucket_name == null || can(regex("^[a-z0-9][a-z0-9._-]{1,61}[a-z0-9]$", var.storage.bucket_name))
    error_message = "storage.bucket_name must be a valid bucket name (3-63 lowercase letters, digits, ., _ or -)."
  }

  validation {
    condition     = alltrue([for share in var.storage.filestore : contains(["BASIC_HDD", "BASIC_SSD", "HIGH_SCALE_SSD", "ENTERPRISE", "ZONAL", "REGIONAL"], share.tier)])
    error_message = "Filestore tiers: BASIC_HDD, BASIC_SSD, HIGH_SCALE_SSD, ENTERPRISE, ZONAL or REGIONAL."
  }

  validation {
    condition     = alltrue([for share in var.storage.filestore : share.capacity_gb >= 1024])
    error_message = "Filestore capacity_gb must be at least 1024."
  }
}

variable "workload_identity" {
  description = "Workload service account, the Kubernetes service accounts that impersonate it (seed 003), and its grants."
  type = object({
    gcp_service_account_id = string
    kubernetes_service_accounts = list(object({
      namespace = string
      name      = string
    }))
    bucket_roles  = optional(list(string), ["roles/storage.objectUser"])
    secret_access = optional(bool, true)
    bucket_bindings = optional(list(object({
      bucket = string
      role   = string
    })), [])
  })
  default = {
    gcp_service_account_id      = "gpu-workload"
    kubernetes_service_accounts = [{ namespace = "default", name = "gpu-workload" }]
  }

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{4,28}[a-z0-9]$", var.workload_identity.gcp_service_account_id))
    error_message = "workload_identity.gcp_service_account_id must be 6-30 lowercase letters, digits or hyphens."
  }

  validation {
    condition = alltrue([
      for ksa in var.workload_identity.kubernetes_service_accounts :
      can(regex("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$", ksa.namespace)) && can(regex("^[a-z0-9]([-.a-z0-9]{0,251}[a-z0-9])?$", ksa.name))
    ])
    error_message = "Kubernetes namespaces and service account names must be DNS labels/subdomains."
  }

  validation {
    condition     = alltrue([for role in var.workload_identity.bucket_roles : startswith(role, "roles/")])
    error_message = "bucket_roles must be IAM role names such as roles/storage.objectUser."
  }

  validation {
    condition     = alltrue([for binding in var.workload_identity.bucket_bindings : contains(["roles/storage.objectViewer", "roles/storage.objectUser"], binding.role)])
    error_message = "bucket_bindings grant roles/storage.objectViewer (read-only mounts) or roles/storage.objectUser (read-write mounts)."
  }
}

variable "registry" {
  description = "Artifact Registry repositories (seed 000 registry.tf): STANDARD, REMOTE and VIRTUAL, docker and python."
  type = object({
    repositories = optional(list(object({
      id          = string
      format      = string
      mode        = string
      description = optional(string, "")
      upstreams   = optional(list(string), [])
    })), [])
  })
  default = {}

  validation {
    condition     = alltrue([for repository in var.registry.repositories : contains(["DOCKER", "PYTHON"], repository.format)])
    error_message = "Repository format must be DOCKER or PYTHON."
  }

  validation {
    condition     = alltrue([for repository in var.registry.repositories : contains(["STANDARD_REPOSITORY", "REMOTE_REPOSITORY", "VIRTUAL_REPOSITORY"], repository.mode)])
    error_message = "Repository mode must be STANDARD_REPOSITORY, REMOTE_REPOSITORY or VIRTUAL_REPOSITORY."
  }

  validation {
    condition     = alltrue([for repository in var.registry.repositories : repository.mode == "VIRTUAL_REPOSITORY" || length(repository.upstreams) == 0])
    error_message = "Only VIRTUAL_REPOSITORY repositories have upstreams."
  }
}

variable "build" {
  description = "Cloud Build private worker pool (seed 000 build.tf) for large image builds."
  type = object({
    enabled      = optional(bool, false)
    name         = optional(string)
    machine_type = optional(string, "e2-highcpu-32")
    disk_size_gb = optional(number, 500)
  })
  default = {}

  validation {
    condition     = var.build.disk_size_gb >= 100 && var.build.disk_size_gb <= 4000
    error_message = "build.disk_size_gb must be between 100 and 4000."
  }
}
