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

output "workload_pool" {
  description = "Workload Identity pool (null when Workload Identity is off)."
  value       = one(google_container_cluster.this.workload_identity_config[*].workload_pool)
}

output "system_node_pool" {
  description = "Name of the CPU system node pool."
  value       = google_container_node_pool.system.name
}
