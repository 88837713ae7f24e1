# One GPU node pool (seed 001 step 4, seed 000 gke.tf). The provisioning mode decides the
# arguments:
#   queued-provisioning  flex_start + queued_provisioning, NO_RESERVATION, starts empty, no auto-repair
#   flex-start           flex_start, NO_RESERVATION, no auto-repair
#   spot                 spot VMs, NO_RESERVATION
#   reservation          reservation_affinity SPECIFIC_RESERVATION (or ANY_RESERVATION)
#   on-demand            neither
# Preconditions of Cluster Toolkit's gke-node-pool module are enforced by the root variables.

locals {
  pool = var.pool
}

resource "google_container_node_pool" "this" {
  project        = var.project_id
  name           = local.pool.name
  cluster        = var.cluster
  location       = var.location
  node_locations = local.pool.node_locations

  # Autoscaled pools start from initial_node_count (0 for DWS: --num-nodes=0); fixed pools
  # use node_count.
  initial_node_count = local.pool.autoscaling ? local.pool.min_nodes : null
  node_count         = local.pool.autoscaling ? null : local.pool.min_nodes

  dynamic "autoscaling" {
    for_each = local.pool.autoscaling ? [1] : []
    content {
      # Totals across zones (--total-min-nodes / --total-max-nodes).
      total_min_node_count = local.pool.min_nodes
      total_max_node_count = local.pool.max_nodes
      location_policy      = local.pool.location_policy
    }
  }

  management {
    auto_repair  = local.pool.auto_repair
    auto_upgrade = local.pool.auto_upgrade
  }

  dynamic "queued_provisioning" {
    for_each = local.pool.queued_provisioning ? [1] : []
    content {
      enabled = true
    }
  }

  dynamic "placement_policy" {
    for_each = local.pool.compact_placement ? [1] : []
    content {
      type = "COMPACT"
    }
  }

  network_config {
    dynamic "additional_node_network_configs" {
      for_each = var.additional_node_networks
      content {
        network    = additional_node_network_configs.value.network
        subnetwork = additional_node_network_configs.value.subnetwork
      }
    }
  }

  node_config {
    machine_type     = local.pool.machine_type
    disk_type        = local.pool.disk_type
    disk_size_gb     = local.pool.disk_size_gb
    image_type       = "COS_CONTAINERD"
    service_account  = var.node_service_account
    oauth_scopes     = ["https://www.googleapis.com/auth/cloud-platform"]
    spot             = local.pool.spot
    flex_start       = local.pool.flex_start
    max_run_duration = local.pool.max_run_duration_seconds == null ? null : "${local.pool.max_run_duration_seconds}s"
    labels           = local.pool.node_labels
    resource_labels  = var.labels

    guest_accelerator {
      type  = local.pool.gpu_type
      count = local.pool.gpu_count

      gpu_driver_installation_config {
        gpu_driver_version = local.pool.gpu_driver_version
      }
    }

    # The additional networks need gVNIC on the primary NIC.
    gvnic {
      enabled = true
    }

    workload_metadata_config {
      mode = "GKE_METADATA"
    }

    reservation_affinity {
      consume_reservation_type = local.pool.reservation_affinity.type
      key                      = local.pool.reservation_affinity.key
      values                   = local.pool.reservation_affinity.values
    }

    dynamic "taint" {
      for_each = local.pool.taints
      content {
        key    = taint.value.key
        value  = taint.value.value
        effect = taint.value.effect
      }
    }

    shielded_instance_config {
      enable_secure_boot = true
    }
  }

  lifecycle {
    # The autoscaler (and DWS) own the node count once the pool exists.
    ignore_changes = [initial_node_count]
  }
}
