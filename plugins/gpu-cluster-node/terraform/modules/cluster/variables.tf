variable "project_id" {
  description = "Project of the cluster."
  type        = string
}

variable "name" {
  description = "Cluster name."
  type        = string
}

variable "location" {
  description = "Region (regional control plane) or zone."
  type        = string
}

variable "node_locations" {
  description = "Zones of the system node pool."
  type        = list(string)
}

variable "network" {
  description = "Primary VPC (name or id)."
  type        = string
}

variable "subnetwork" {
  description = "Primary subnet (name or id)."
  type        = string
}

variable "pods_range_name" {
  description = "Secondary range of the Pods."
  type        = string
}

variable "services_range_name" {
  description = "Secondary range of the Services."
  type        = string
}

variable "release_channel" {
  description = "GKE release channel."
  type        = string
}

variable "min_master_version" {
  description = "Minimum control plane version; null takes the channel default."
  type        = string
  default     = null
}

variable "private_nodes" {
  description = "Nodes get internal IPs only."
  type        = bool
}

variable "private_endpoint" {
  description = "The control plane is reachable on its private endpoint only."
  type        = bool
}

variable "dns_endpoint" {
  description = "Allow user traffic on the DNS-based control plane endpoint (authorized by IAM)."
  type        = bool
}

variable "master_ipv4_cidr_block" {
  description = "/28 range of the control plane."
  type        = string
}

variable "master_global_access" {
  description = "Control plane reachable from every region of the VPC."
  type        = bool
}

variable "authorized_networks" {
  description = "CIDRs allowed to reach the control plane."
  type = list(object({
    cidr_block   = string
    display_name = string
  }))
}

variable "dataplane_v2" {
  description = "Dataplane V2 (ADVANCED_DATAPATH)."
  type        = bool
}

variable "multi_networking" {
  description = "Multi-networking (additional node networks)."
  type        = bool
}

variable "ray_operator" {
  description = "GKE Ray operator add-on."
  type        = bool
}

variable "gcs_fuse_csi" {
  description = "GCS FUSE CSI driver add-on."
  type        = bool
}

variable "filestore_csi" {
  description = "Filestore CSI driver add-on (on when the stack creates Filestore instances)."
  type        = bool
}

variable "workload_identity" {
  description = "Workload Identity with the <project>.svc.id.goog pool."
  type        = bool
}

variable "logging_components" {
  description = "Cloud Logging components."
  type        = list(string)
}

variable "monitoring_components" {
  description = "Cloud Monitoring components."
  type        = list(string)
}

variable "managed_prometheus" {
  description = "Managed Service for Prometheus."
  type        = bool
}

variable "system_pool" {
  description = "CPU system node pool."
  type = object({
    name         = string
    machine_type = string
    node_count   = number
  })
}

variable "node_service_account" {
  description = "Email of the nodes' service account."
  type        = string
}

variable "deletion_protection" {
  description = "Terraform deletion protection."
  type        = bool
}

variable "labels" {
  description = "GCP labels of the cluster and its VMs."
  type        = map(string)
}
