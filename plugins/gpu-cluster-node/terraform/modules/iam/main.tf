# Identities (seed 000 iam.tf, seed 003 Workload Identity steps 2-4):
# - a least-privilege service account for the GKE nodes,
# - a workload service account that a Kubernetes service account impersonates through
#   Workload Identity, with read-write access to the training bucket and read access to secrets.

locals {
  node_roles = toset([
    "roles/logging.logWriter",
    "roles/monitoring.metricWriter",
    "roles/monitoring.viewer",
    "roles/stackdriver.resourceMetadata.writer",
    "roles/artifactregistry.reader",
    "roles/storage.objectViewer",
  ])
  workload_member = "serviceAccount:${google_service_account.workload.email}"
}

resource "google_service_account" "nodes" {
  project      = var.project_id
  account_id   = var.node_service_account_id
  display_name = "GKE nodes of ${var.name_prefix}"
}

resource "google_project_iam_member" "nodes" {
  for_each = local.node_roles

  project = var.project_id
  role    = each.value
  member  = "serviceAccount:${google_service_account.nodes.email}"
}

resource "google_service_account" "workload" {
  project      = var.project_id
  account_id   = var.workload_identity.gcp_service_account_id
  display_name = "Workloads of ${var.name_prefix} (Workload Identity)"
}

# gcloud iam service-accounts add-iam-policy-binding --role roles/iam.workloadIdentityUser
#   --member "serviceAccount:<project>.svc.id.goog[<namespace>/<ksa>]"
resource "google_service_account_iam_member" "workload_identity" {
  for_each = {
    for binding in var.workload_identity.kubernetes_service_accounts :
    "${binding.namespace}/${binding.name}" => binding if var.workload_pool != null
  }

  service_account_id = google_service_account.workload.name
  role               = "roles/iam.workloadIdentityUser"
  member             = "serviceAccount:${var.workload_pool}[${each.value.namespace}/${each.value.name}]"
}

resource "google_storage_bucket_iam_member" "workload_bucket" {
  for_each = toset([for role in var.workload_identity.bucket_roles : role if var.bucket_name != null])

  bucket = var.bucket_name
  role   = each.value
  member = local.workload_member
}

# Extra buckets mounted through GCS FUSE (seed 004 GCS_MOUNT_LIST): read-only mounts get
# objectViewer, read-write mounts objectUser, on that bucket only.
resource "google_storage_bucket_iam_member" "workload_mounts" {
  for_each = { for binding in var.workload_identity.bucket_bindings : "${binding.bucket}/${binding.role}" => binding }

  bucket = each.value.bucket
  role   = each.value.role
  member = local.workload_member
}

resource "google_project_iam_member" "workload_secrets" {
  count = var.workload_identity.secret_access ? 1 : 0

  project = var.project_id
  role    = "roles/secretmanager.secretAccessor"
  member  = local.workload_member
}
