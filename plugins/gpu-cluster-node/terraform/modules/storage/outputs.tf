output "bucket_name" {
  description = "Training-data bucket name (null when not created)."
  value       = one(google_storage_bucket.training[*].name)
}

output "bucket_url" {
  description = "gs:// URL of the training-data bucket."
  value       = one(google_storage_bucket.training[*].url)
}

output "filestore_shares" {
  description = "NFS shares: name => { ip, share }."
  value = {
    for name, instance in google_filestore_instance.nfs : name => {
      ip    = try(instance.networks[0].ip_addresses[0], null)
      share = instance.file_shares[0].name
    }
  }
}
