# Google Cloud APIs the stack needs (seed 000 services.tf). APIs stay enabled on destroy: other
# workloads in the project may depend on them.
resource "google_project_service" "this" {
  for_each = toset(var.services)

  project                    = var.project_id
  service                    = each.value
  disable_on_destroy         = false
  disable_dependent_services = false
}
