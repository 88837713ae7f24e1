output "worker_pool_id" {
  description = "Worker pool id (gcloud builds submit --worker-pool)."
  value       = google_cloudbuild_worker_pool.this.id
}
