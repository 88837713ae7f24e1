# Private GKE Standard cluster with multi-networking (seed 000 gke.tf, seed 001 step 3):
#   gcloud container clusters create --addons=RayOperator,GcsFuseCsiDriver --workload-pool
#   --enable-dataplane-v2 --enable-ip-alias --enable-multi-networking
# The default node pool is removed; a small CPU system pool runs system workloads, Kueue and
# the Ray head.

resource "google_container_cluster" "this" {
  project  = var.project_id
  name     = var.name
  location = var.location

  network    = var.network
  subnetwork = var.subnetwork

  remove_default_node_pool = true
  initial_node_count       = 1
  deletion_protection      = var.deletion_protection

  # A version pin (seed 001 --cluster-version) or the release channel's default.
  min_master_version = var.min_master_version
  release_channel {
    channel = var.release_channel
  }

  # Dataplane V2 is required by multi-networking; network_policy stays off so DPv2 takes effect.
  datapath_provider       = var.dataplane_v2 ? "ADVANCED_DATAPATH" : "LEGACY_DATAPATH"
  enable_multi_networking = var.multi_networking

  network_policy {
    enabled  = false
    provider = "PROVIDER_UNSPECIFIED"
  }

  ip_allocation_policy {
    cluster_secondary_range_name  = var.pods_range_name
    services_secondary_range_name = var.services_range_name
  }

  private_cluster_config {
    enable_private_nodes    = var.private_nodes
    enable_private_endpoint = var.private_endpoint
    master_ipv4_cidr_block  = var.master_ipv4_cidr_block

    master_global_access_config {
      enabled = var.master_global_access
    }
  }

  # The DNS-based endpoint (gke-<id>.<region>.gke.goog) admits only callers IAM authorizes
  # (container.clusters.connect), from anywhere: the runner reaches a private control plane
  # without an IP allow-list, and the IP endpoints stay as private as configured.
  control_plane_endpoints_config {
    dns_endpoint_config {
      allow_external_traffic = var.dns_endpoint
    }
  }

  # Always present so that only the listed CIDRs reach the control plane's IP endpoints.
  master_authorized_networks_config {
    gcp_public_cidrs_access_enabled = false

    dynamic "cidr_blocks" {
      for_each = var.authorized_networks
      content {
        cidr_block   = cidr_blocks.value.cidr_block
        display_name = cidr_blocks.value.display_name
      }
    }
  }

  dynamic "workload_identity_config" {
    for_each = var.workload_identity ? [1] : []
    content {
      workload_pool = "${var.project_id}.svc.id.goog"
    }
  }

  addons_config {
    gcs_fuse_csi_driver_config {
      enabled = var.gcs_fuse_csi
    }

    ray_operator_config {
      enabled = var.ray_operator

      ray_cluster_logging_config {
        enabled = var.ray_operator
      }

      ray_cluster_monitoring_config {
        enabled = var.ray_operator
      }
    }

    gcp_filestore_csi_driver_config {
      enabled = var.filestore_csi
    }
  }

  logging_config {
    enable_components = var.logging_components
  }

  monitoring_config {
    enable_components = var.monitoring_components

    managed_prometheus {
      enabled = var.managed_prometheus
    }
  }

  resource_labels = var.labels
}

resource "google_container_node_pool" "system" {
  project        = var.project_id
  name           = var.system_pool.name
  cluster        = google_container_cluster.this.id
  location       = var.location
  node_locations = var.node_locations
  node_count     = var.system_pool.node_count

  management {
    auto_repair  = true
    auto_upgrade = true
  }

  node_config {
    machine_type    = var.system_pool.machine_type
    disk_type       = "pd-balanced"
    disk_size_gb    = 100
    service_account = var.node_service_account
    oauth_scopes    = ["https://www.googleapis.com/auth/cloud-platform"]
    resource_labels = var.labels

    gvnic {
      enabled = true
    }

    workload_metadata_config {
      mode = var.workload_identity ? "GKE_METADATA" : "GCE_METADATA"
    }

    shielded_instance_config {
      enable_secure_boot = true
    }
  }
}
