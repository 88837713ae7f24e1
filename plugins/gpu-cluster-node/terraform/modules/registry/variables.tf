variable "project_id" {
  description = "Project of the repositories."
  type        = string
}

variable "location" {
  description = "Region of the repositories."
  type        = string
}

variable "repositories" {
  description = "Repositories; a VIRTUAL one lists its upstream repository ids, highest priority first."
  type = list(object({
    id          = string
    format      = string
    mode        = string
    description = optional(string, "")
    upstreams   = optional(list(string), [])
  }))
}

variable "labels" {
  description = "GCP labels."
  type        = map(string)
}
