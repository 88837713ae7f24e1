# Three VPCs (seed 000 network.tf, seed 001 step 2): the primary VPC for the nodes' first NIC
# (north-south traffic), a second standard VPC for the additional gVNIC, and an RDMA VPC created
# with the zone's RoCE network profile, one subnet per RDMA NIC.

locals {
  # The partial URL form accepted by google_compute_network.network_profile.
  rdma_network_profile = coalesce(
    var.rdma.network_profile,
    "projects/${var.project_id}/global/networkProfiles/${var.rdma.zone}-vpc-roce",
  )
}

resource "google_compute_network" "primary" {
  project                 = var.project_id
  name                    = var.primary.network
  auto_create_subnetworks = false
  routing_mode            = "REGIONAL"
}

resource "google_compute_subnetwork" "primary" {
  project                  = var.project_id
  name                     = var.primary.subnet
  region                   = var.region
  network                  = google_compute_network.primary.id
  ip_cidr_range            = var.primary.subnet_cidr
  private_ip_google_access = true

  # VPC-native cluster ranges (--enable-ip-alias).
  secondary_ip_range {
    range_name    = var.primary.pods_range_name
    ip_cidr_range = var.primary.pods_cidr
  }

  secondary_ip_range {
    range_name    = var.primary.services_range_name
    ip_cidr_range = var.primary.services_cidr
  }
}

# Private nodes have no external IPs; Cloud NAT gives them egress (image pulls, pip).
resource "google_compute_router" "primary" {
  project = var.project_id
  name    = "${var.primary.network}-router"
  region  = var.region
  network = google_compute_network.primary.id
}

resource "google_compute_router_nat" "primary" {
  project                            = var.project_id
  name                               = "${var.primary.network}-nat"
  region                             = var.region
  router                             = google_compute_router.primary.name
  nat_ip_allocate_option             = "AUTO_ONLY"
  source_subnetwork_ip_ranges_to_nat = "ALL_SUBNETWORKS_ALL_IP_RANGES"

  log_config {
    enable = true
    filter = "ERRORS_ONLY"
  }
}

resource "google_compute_firewall" "primary_internal" {
  project       = var.project_id
  name          = "${var.primary.network}-internal"
  network       = google_compute_network.primary.id
  direction     = "INGRESS"
  source_ranges = [var.primary.subnet_cidr, var.primary.pods_cidr, var.primary.services_cidr]

  allow {
    protocol = "tcp"
    ports    = ["0-65535"]
  }

  allow {
    protocol = "udp"
    ports    = ["0-65535"]
  }

  allow {
    protocol = "icmp"
  }
}

resource "google_compute_firewall" "primary_iap_ssh" {
  count = var.firewall.allow_iap_ssh ? 1 : 0

  project       = var.project_id
  name          = "${var.primary.network}-iap-ssh"
  network       = google_compute_network.primary.id
  direction     = "INGRESS"
  source_ranges = ["35.235.240.0/20"]

  allow {
    protocol = "tcp"
    ports    = ["22"]
  }
}

resource "google_compute_network" "gvnic" {
  project                 = var.project_id
  name                    = var.gvnic.network
  auto_create_subnetworks = false
  mtu                     = var.gvnic.mtu
}

resource "google_compute_subnetwork" "gvnic" {
  project       = var.project_id
  name          = var.gvnic.subnet
  region        = var.region
  network       = google_compute_network.gvnic.id
  ip_cidr_range = var.gvnic.subnet_cidr
}

# seed 001: --action=ALLOW --rules=tcp:0-65535,udp:0-65535,icmp --source-ranges=192.168.0.0/16
resource "google_compute_firewall" "gvnic_internal" {
  project       = var.project_id
  name          = "${var.gvnic.network}-internal"
  network       = google_compute_network.gvnic.id
  direction     = "INGRESS"
  source_ranges = var.firewall.internal_source_ranges

  allow {
    protocol = "tcp"
    ports    = ["0-65535"]
  }

  allow {
    protocol = "udp"
    ports    = ["0-65535"]
  }

  allow {
    protocol = "icmp"
  }
}

resource "google_compute_network" "rdma" {
  count = var.rdma.enabled ? 1 : 0

  project                 = var.project_id
  name                    = var.rdma.network
  auto_create_subnetworks = false
  routing_mode            = "REGIONAL"
  mtu                     = var.rdma.mtu
  network_profile         = local.rdma_network_profile
}

resource "google_compute_subnetwork" "rdma" {
  count = var.rdma.enabled ? length(var.rdma.subnets) : 0

  project       = var.project_id
  name          = var.rdma.subnets[count.index].name
  region        = var.region
  network       = google_compute_network.rdma[0].id
  ip_cidr_range = var.rdma.subnets[count.index].cidr
}
