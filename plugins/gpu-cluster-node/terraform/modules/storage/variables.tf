variable "project_id" {
  description = "Project of the storage."
  type        = string
}

variable "bucket" {
  description = "The training-data bucket."
  type = object({
    enabled                = bool
    name                   = string
    location               = string
    storage_class          = string
    hierarchical_namespace = bool
    force_destroy          = bool
  })
}

variable "filestore" {
  description = "Filestore instances (one NFS share each)."
  type = list(object({
    name        = string
    location    = string
    tier        = string
    capacity_gb = number
    share_name  = string
  }))
}

variable "network" {
  description = "VPC the Filestore instances attach to."
  type        = string
}

variable "labels" {
  description = "GCP labels."
  type        = map(string)
}
