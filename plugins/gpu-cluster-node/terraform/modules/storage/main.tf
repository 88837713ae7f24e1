# Training-data bucket (seed 000 gcs.tf; mounted in pods through the GCS FUSE CSI driver) and
# optional Filestore NFS shares (seed 004 NFS_FILESHARE_LIST).

resource "google_storage_bucket" "training" {
  count = var.bucket.enabled ? 1 : 0

  project                     = var.project_id
  name                        = var.bucket.name
  location                    = var.bucket.location
  storage_class               = var.bucket.storage_class
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
  force_destroy               = var.bucket.force_destroy
  labels                      = var.labels

  # Hierarchical namespace speeds up FUSE directory operations; it needs uniform access.
  dynamic "hierarchical_namespace" {
    for_each = var.bucket.hierarchical_namespace ? [1] : []
    content {
      enabled = true
    }
  }

  versioning {
    enabled = false
  }
}

resource "google_filestore_instance" "nfs" {
  for_each = { for share in var.filestore : share.name => share }

  project  = var.project_id
  name     = each.value.name
  location = each.value.location
  tier     = each.value.tier
  labels   = var.labels

  file_shares {
    name        = each.value.share_name
    capacity_gb = each.value.capacity_gb
  }

  networks {
    network = var.network
    modes   = ["MODE_IPV4"]
  }
}
