# State lives in GCS (seed 004: a bucket per project, a folder per deployment). The bucket and
# prefix are supplied at init time, never written here:
#   terraform init -backend-config=bucket=<bucket> -backend-config=prefix=<prefix>
terraform {
  backend "gcs" {}
}
