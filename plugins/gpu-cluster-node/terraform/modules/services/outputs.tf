output "enabled_services" {
  description = "Enabled API service names (depend on this to order resources after the APIs)."
  value       = [for service in google_project_service.this : service.service]
}
