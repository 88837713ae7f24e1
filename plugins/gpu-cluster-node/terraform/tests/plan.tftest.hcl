# Plan-time checks of the default stack (seed 001): run with `terraform test` after
# `terraform init -backend=false`.

variables {
  project_id  = "demo-project"
  name_prefix = "demo"
  labels      = { aiinfra-cluster = "demo" }
}

run "default_stack_is_seed_001" {
  command = plan

  assert {
    condition     = module.node_pool["h200-dws"].name == "h200-dws"
    error_message = "The default GPU pool is h200-dws."
  }

  assert {
    condition     = module.node_pool["h200-dws"].provisioning.queued_provisioning && module.node_pool["h200-dws"].provisioning.flex_start
    error_message = "The default pool uses DWS flex-start with queued provisioning."
  }

  assert {
    condition     = module.node_pool["h200-dws"].provisioning.additional_networks == 9
    error_message = "The GPU pool attaches 9 additional node networks."
  }

  assert {
    condition     = length(module.network.additional_node_networks) == 9
    error_message = "An A3 Ultra node gets 9 additional networks: 1 gVNIC + 8 RDMA."
  }

  assert {
    condition     = length([for n in module.network.additional_node_networks : n if n.network == "demo-rdma-net"]) == 8
    error_message = "8 additional networks are on the RDMA VPC."
  }

  assert {
    condition     = module.network.rdma_network == "demo-rdma-net"
    error_message = "The RDMA VPC is created when a pool uses RDMA."
  }

  assert {
    condition     = output.workload_pool == "demo-project.svc.id.goog"
    error_message = "Workload Identity uses the project's pool."
  }
}

run "spot_pool_without_rdma" {
  command = plan

  variables {
    node_pools = [{
      name                 = "l4-spot"
      machine_type         = "g2-standard-8"
      gpu_type             = "nvidia-l4"
      gpu_count            = 1
      node_locations       = ["us-central1-b"]
      max_nodes            = 2
      spot                 = true
      disk_type            = "pd-balanced"
      reservation_affinity = { type = "NO_RESERVATION" }
    }]
  }

  assert {
    condition     = module.network.rdma_network == null && length(module.network.rdma_subnets) == 0
    error_message = "No RDMA VPC without an RDMA pool."
  }

  assert {
    condition     = output.node_pool_names == ["l4-spot"]
    error_message = "The spot pool is planned."
  }
}

run "flex_start_requires_no_autorepair" {
  command = plan

  variables {
    node_pools = [{
      name           = "bad-flex"
      machine_type   = "a3-ultragpu-8g"
      gpu_type       = "nvidia-h200-141gb"
      gpu_count      = 8
      node_locations = ["us-central1-b"]
      max_nodes      = 2
      flex_start     = true
      auto_repair    = true
    }]
  }

  expect_failures = [var.node_pools]
}

run "auto_upgrade_off_needs_the_unspecified_channel" {
  command = plan

  variables {
    node_pools = [{
      name                = "h200-dws"
      machine_type        = "a3-ultragpu-8g"
      gpu_type            = "nvidia-h200-141gb"
      gpu_count           = 8
      node_locations      = ["us-central1-b"]
      max_nodes           = 4
      flex_start          = true
      queued_provisioning = true
      auto_repair         = false
      auto_upgrade        = false
      rdma                = true
    }]
  }

  expect_failures = [var.node_pools]
}

run "control_plane_is_never_open_to_the_internet" {
  command = plan

  variables {
    cluster = {
      authorized_networks = [{ cidr_block = "0.0.0.0/0" }]
    }
  }

  expect_failures = [var.cluster]
}

run "control_plane_needs_a_way_in" {
  command = plan

  variables {
    cluster = {
      dns_endpoint = false
    }
  }

  expect_failures = [var.cluster]
}

run "identities_wait_for_the_apis" {
  command = plan

  assert {
    condition     = contains(var.enabled_services, "cloudresourcemanager.googleapis.com")
    error_message = "Project IAM needs the Resource Manager API."
  }
}
