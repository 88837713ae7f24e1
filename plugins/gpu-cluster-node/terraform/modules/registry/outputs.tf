output "repository_urls" {
  description = "Repository id => URL to push to or pull from (docker host path or python simple index)."
  value = {
    for id, repository in merge(google_artifact_registry_repository.this, google_artifact_registry_repository.virtual) : id => (
      repository.format == "DOCKER"
      ? "${var.location}-docker.pkg.dev/${var.project_id}/${id}"
      : "https://${var.location}-python.pkg.dev/${var.project_id}/${id}/simple/"
    )
  }
}
