output "node_service_account_email" {
  description = "Email of the nodes' service account."
  value       = google_service_account.nodes.email
}

output "workload_service_account_email" {
  description = "Email of the workload service account (annotate the KSA with iam.gke.io/gcp-service-account)."
  value       = google_service_account.workload.email
}

output "mounted_bucket_roles" {
  description = "Roles of the workload service account on the extra mounted buckets (bucket/role)."
  value       = keys(google_storage_bucket_iam_member.workload_mounts)
}

output "workload_identity_members" {
  description = "Workload Identity principals granted roles/iam.workloadIdentityUser."
  value       = [for binding in google_service_account_iam_member.workload_identity : binding.member]
}
