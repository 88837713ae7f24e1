output "primary_network" {
  description = "Primary VPC name."
  value       = google_compute_network.primary.name
}

output "primary_network_id" {
  description = "Primary VPC id."
  value       = google_compute_network.primary.id
}

output "primary_subnet" {
  description = "Primary subnet name."
  value       = google_compute_subnetwork.primary.name
}

output "primary_subnet_id" {
  description = "Primary subnet id."
  value       = google_compute_subnetwork.primary.id
}

output "pods_range_name" {
  description = "Secondary range of the Pods."
  value       = var.primary.pods_range_name
}

output "services_range_name" {
  description = "Secondary range of the Services."
  value       = var.primary.services_range_name
}

output "gvnic_network" {
  description = "gVNIC VPC name."
  value       = google_compute_network.gvnic.name
}

output "gvnic_subnet" {
  description = "gVNIC subnet name."
  value       = google_compute_subnetwork.gvnic.name
}

output "rdma_network" {
  description = "RDMA VPC name (null when no pool uses RDMA)."
  value       = var.rdma.enabled ? google_compute_network.rdma[0].name : null
}

output "rdma_subnets" {
  description = "RDMA subnet names in NIC order."
  value       = google_compute_subnetwork.rdma[*].name
}

output "additional_node_networks" {
  description = "Additional node networks of an RDMA GPU node: the gVNIC VPC first, then one per RDMA NIC."
  value = concat(
    [{ network = google_compute_network.gvnic.name, subnetwork = google_compute_subnetwork.gvnic.name }],
    [for subnet in google_compute_subnetwork.rdma : { network = var.rdma.network, subnetwork = subnet.name }],
  )
}
