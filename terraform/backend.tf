# Remote state in S3 with S3's native lock file (no DynamoDB table).
# Partial configuration: bucket, key and region are passed at init time so no account-specific
# name is committed. See backend.hcl.example and docs/aws-path.md:
#   terraform init -backend-config=backend.hcl -backend-config="key=learning-portal/staging.tfstate"
terraform {
  backend "s3" {
    use_lockfile = true
    encrypt      = true
  }
}
