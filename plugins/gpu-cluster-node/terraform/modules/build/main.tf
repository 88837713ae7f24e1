# Cloud Build private worker pool (seed 000 build.tf): builds run inside the VPC on larger VMs,
# which the Ray image build needs. The pool peers with the VPC through Service Networking.

resource "google_compute_global_address" "build_peering" {
  project       = var.project_id
  name          = "${var.name}-peering"
  purpose       = "VPC_PEERING"
  address_type  = "INTERNAL"
  prefix_length = var.peering_prefix_length
  network       = var.network_id
  labels        = var.labels
}

resource "google_service_networking_connection" "build" {
  network                 = var.network_id
  service                 = "servicenetworking.googleapis.com"
  reserved_peering_ranges = [google_compute_global_address.build_peering.name]
}

resource "google_cloudbuild_worker_pool" "this" {
  project  = var.project_id
  name     = var.name
  location = var.location

  worker_config {
    machine_type   = var.machine_type
    disk_size_gb   = var.disk_size_gb
    no_external_ip = false
  }

  network_config {
    peered_network = var.network_id
  }

  depends_on = [google_service_networking_connection.build]
}
