variable "project_id" {
  description = "Project of the networks."
  type        = string
}

variable "region" {
  description = "Region of the subnets."
  type        = string
}

variable "primary" {
  description = "Primary VPC of the nodes and its VPC-native secondary ranges."
  type = object({
    network             = string
    subnet              = string
    subnet_cidr         = string
    pods_range_name     = string
    pods_cidr           = string
    services_range_name = string
    services_cidr       = string
  })
}

variable "gvnic" {
  description = "Second standard VPC for the GPU nodes' additional gVNIC."
  type = object({
    network     = string
    subnet      = string
    subnet_cidr = string
    mtu         = number
  })
}

variable "rdma" {
  description = "RDMA VPC (RoCE network profile of `zone`) with one subnet per RDMA NIC."
  type = object({
    enabled         = bool
    network         = string
    zone            = string
    network_profile = optional(string)
    mtu             = number
    subnets = list(object({
      name = string
      cidr = string
    }))
  })
}

variable "firewall" {
  description = "Firewall options."
  type = object({
    internal_source_ranges = list(string)
    allow_iap_ssh          = bool
  })
}
