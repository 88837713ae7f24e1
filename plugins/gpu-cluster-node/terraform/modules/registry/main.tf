# Artifact Registry (seed 000 registry.tf): per format a local (STANDARD) repository, a REMOTE
# one caching the public upstream (Docker Hub, PyPI), and a VIRTUAL one that serves both, local
# first. Builds push to the local repository and pods pull through the virtual one.

locals {
  # Virtual repositories are created after their upstreams, so they are a separate resource.
  repositories = { for repository in var.repositories : repository.id => repository if repository.mode != "VIRTUAL_REPOSITORY" }
  virtual      = { for repository in var.repositories : repository.id => repository if repository.mode == "VIRTUAL_REPOSITORY" }
  upstream     = { DOCKER = "DOCKER_HUB", PYTHON = "PYPI" }
}

resource "google_artifact_registry_repository" "this" {
  for_each = local.repositories

  project       = var.project_id
  location      = var.location
  repository_id = each.value.id
  format        = each.value.format
  mode          = each.value.mode
  description   = each.value.description
  labels        = var.labels

  dynamic "remote_repository_config" {
    for_each = each.value.mode == "REMOTE_REPOSITORY" ? [1] : []
    content {
      description = "Cache of ${local.upstream[each.value.format]}"

      dynamic "docker_repository" {
        for_each = each.value.format == "DOCKER" ? [1] : []
        content {
          public_repository = "DOCKER_HUB"
        }
      }

      dynamic "python_repository" {
        for_each = each.value.format == "PYTHON" ? [1] : []
        content {
          public_repository = "PYPI"
        }
      }
    }
  }
}

resource "google_artifact_registry_repository" "virtual" {
  for_each = local.virtual

  project       = var.project_id
  location      = var.location
  repository_id = each.value.id
  format        = each.value.format
  mode          = each.value.mode
  description   = each.value.description
  labels        = var.labels

  virtual_repository_config {
    dynamic "upstream_policies" {
      for_each = each.value.upstreams
      content {
        id         = upstream_policies.value
        repository = google_artifact_registry_repository.this[upstream_policies.value].id
        priority   = 100 - upstream_policies.key * 10
      }
    }
  }
}
