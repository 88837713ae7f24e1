variable "project_id" {
  description = "Project whose APIs are enabled."
  type        = string
}

variable "services" {
  description = "API service names, e.g. container.googleapis.com."
  type        = list(string)
}
