variable "project_id" {
  description = "Project of the worker pool."
  type        = string
}

variable "name" {
  description = "Worker pool name."
  type        = string
}

variable "location" {
  description = "Region of the worker pool."
  type        = string
}

variable "network_id" {
  description = "VPC the pool peers with (id)."
  type        = string
}

variable "machine_type" {
  description = "Worker machine type."
  type        = string
}

variable "disk_size_gb" {
  description = "Worker disk size in GB."
  type        = number
}

variable "peering_prefix_length" {
  description = "Prefix length of the range reserved for the peering."
  type        = number
  default     = 24
}

variable "labels" {
  description = "GCP labels."
  type        = map(string)
}
