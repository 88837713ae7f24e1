output "name" {
  description = "Node pool name."
  value       = google_container_node_pool.this.name
}

output "id" {
  description = "Node pool id."
  value       = google_container_node_pool.this.id
}

output "provisioning" {
  description = "How the pool obtains capacity, as planned."
  value = {
    queued_provisioning = length(google_container_node_pool.this.queued_provisioning) > 0
    flex_start          = google_container_node_pool.this.node_config[0].flex_start
    spot                = google_container_node_pool.this.node_config[0].spot
    additional_networks = length(google_container_node_pool.this.network_config[0].additional_node_network_configs)
  }
}
