variable "project_id" {
  description = "Project of the cluster."
  type        = string
}

variable "cluster" {
  description = "Cluster name (or id)."
  type        = string
}

variable "location" {
  description = "Cluster location."
  type        = string
}

variable "node_service_account" {
  description = "Email of the nodes' service account."
  type        = string
}

variable "additional_node_networks" {
  description = "Additional node networks (gVNIC then RDMA NICs); empty for pools without RDMA."
  type = list(object({
    network    = string
    subnetwork = string
  }))
}

variable "labels" {
  description = "GCP labels of the node VMs."
  type        = map(string)
}

variable "pool" {
  description = "The node pool (see the root module's node_pools variable)."
  type = object({
    name                     = string
    machine_type             = string
    gpu_type                 = string
    gpu_count                = number
    gpu_driver_version       = string
    disk_type                = string
    disk_size_gb             = number
    node_locations           = list(string)
    min_nodes                = number
    max_nodes                = number
    autoscaling              = bool
    location_policy          = string
    spot                     = bool
    flex_start               = bool
    queued_provisioning      = bool
    max_run_duration_seconds = optional(number)
    auto_repair              = bool
    auto_upgrade             = bool
    compact_placement        = bool
    node_labels              = map(string)
    taints = list(object({
      key    = string
      value  = string
      effect = string
    }))
    reservation_affinity = object({
      type   = string
      key    = optional(string)
      values = optional(list(string))
    })
  })
}
