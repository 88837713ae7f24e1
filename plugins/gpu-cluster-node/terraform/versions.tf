terraform {
  required_version = ">= 1.5.0"

  required_providers {
    # 6.50 is the schema the project checks against offline. Every attribute used here is also
    # GA in 7.x (e.g. 7.45); 7.x adds network_config.accelerator_network_profile (DRANET),
    # which this module does not use.
    google = {
      source  = "hashicorp/google"
      version = "~> 6.50"
    }
  }
}

provider "google" {
  project = var.project_id
  region  = var.region
}
