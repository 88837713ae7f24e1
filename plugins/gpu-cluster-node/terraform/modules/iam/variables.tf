variable "project_id" {
  description = "Project of the service accounts."
  type        = string
}

variable "name_prefix" {
  description = "Stack name prefix (display names)."
  type        = string
}

variable "node_service_account_id" {
  description = "Account id of the nodes' service account."
  type        = string
}

variable "workload_identity" {
  description = "The workload service account and the Kubernetes service accounts bound to it."
  type = object({
    gcp_service_account_id = string
    kubernetes_service_accounts = list(object({
      namespace = string
      name      = string
    }))
    bucket_roles  = list(string)
    secret_access = bool
    bucket_bindings = list(object({
      bucket = string
      role   = string
    }))
  })
}

variable "workload_pool" {
  description = "Workload Identity pool of the cluster (null: no Workload Identity bindings)."
  type        = string
  default     = null
}

variable "bucket_name" {
  description = "Training bucket the workload account may use (null: none)."
  type        = string
  default     = null
}
