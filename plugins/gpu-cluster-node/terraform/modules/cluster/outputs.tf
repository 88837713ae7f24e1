output "name" {
  description = "Cluster name."
  value       = google_container_cluster.this.name
}

output "id" {
  description = "Cluster id (projects/<p>/locations/<l>/clusters/<n>)."
  value       = google_container_cluster.this.id
}

output "location" {
  description = "Cluster location."
  value       = google_container_cluster.this.location
}

output "endpoint" {
  description = "Control plane endpoint."
  value       = google_container_cluster.this.endpoint
}

output "dns_endpoint" {
  description = "DNS-based control plane endpoint (gke-<id>.<region>.gke.goog; null until known)."
  value       = try(google_container_cluster.this.control_plane_endpoints_config[0].dns_endpoint_config[0].endpoint, null)
}

output "workload_pool" {
  description = "Workload Identity pool (null when Workload Identity is off)."
  value       = one(google_container_cluster.this.workload_identity_config[*].workload_pool)
}

output "system_node_pool" {
  description = "Name of the CPU system node pool."
  value       = google_container_node_pool.system.name
}
