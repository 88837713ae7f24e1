# Values the later stages (manifests, catalog entity, Ray) read with `terraform output -json`.

output "project_id" {
  description = "Project of the stack."
  value       = var.project_id
}

output "region" {
  description = "Region of the stack."
  value       = var.region
}

output "cluster_name" {
  description = "GKE cluster name."
  value       = module.cluster.name
}

output "cluster_id" {
  description = "GKE cluster id."
  value       = module.cluster.id
}

output "cluster_location" {
  description = "GKE cluster location (region or zone)."
  value       = module.cluster.location
}

output "cluster_endpoint" {
  description = "Control plane endpoint."
  value       = module.cluster.endpoint
}

output "cluster_dns_endpoint" {
  description = "DNS-based control plane endpoint (IAM-authorized), when enabled."
  value       = var.cluster.dns_endpoint ? module.cluster.dns_endpoint : null
}

output "get_credentials_command" {
  description = "gcloud command that writes kubeconfig credentials for the cluster (seed 001 step 5; through the DNS endpoint when enabled)."
  value       = "gcloud container clusters get-credentials ${module.cluster.name} --location=${module.cluster.location} --project=${var.project_id}${var.cluster.dns_endpoint ? " --dns-endpoint" : ""}"
}

output "workload_pool" {
  description = "Workload Identity pool."
  value       = module.cluster.workload_pool
}

output "networks" {
  description = "Network names: primary, gVNIC and RDMA VPCs and subnets."
  value = {
    primary_network = module.network.primary_network
    primary_subnet  = module.network.primary_subnet
    gvnic_network   = module.network.gvnic_network
    gvnic_subnet    = module.network.gvnic_subnet
    rdma_network    = module.network.rdma_network
    rdma_subnets    = module.network.rdma_subnets
  }
}

output "additional_node_networks" {
  description = "Additional node networks in NIC order (GKENetworkParamSet gvnic-1, rdma-0 ...)."
  value       = module.network.additional_node_networks
}

output "node_pool_names" {
  description = "GPU node pool names."
  value       = [for pool in module.node_pool : pool.name]
}

output "system_node_pool_name" {
  description = "CPU system node pool name."
  value       = module.cluster.system_node_pool
}

output "node_service_account_email" {
  description = "Service account of the GKE nodes."
  value       = module.iam.node_service_account_email
}

output "workload_service_account_email" {
  description = "Service account the Kubernetes service accounts impersonate (iam.gke.io/gcp-service-account)."
  value       = module.iam.workload_service_account_email
}

output "training_bucket" {
  description = "Training-data bucket name."
  value       = module.storage.bucket_name
}

output "training_bucket_url" {
  description = "gs:// URL of the training-data bucket."
  value       = module.storage.bucket_url
}

output "filestore_shares" {
  description = "Filestore NFS shares."
  value       = module.storage.filestore_shares
}

output "registry_urls" {
  description = "Artifact Registry repository URLs by id."
  value       = length(module.registry) > 0 ? module.registry[0].repository_urls : {}
}

output "build_worker_pool" {
  description = "Cloud Build worker pool id (null when disabled)."
  value       = length(module.build) > 0 ? module.build[0].worker_pool_id : null
}
