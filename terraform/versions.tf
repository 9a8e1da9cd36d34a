terraform {
  # 1.11: write-only attributes (used by the RDS module v7) and the S3 backend's native lock file.
  required_version = ">= 1.11"

  required_providers {
    aws = {
      source = "hashicorp/aws"
      # Major 6. RDS module v7 needs at least 6.27, so the floor is raised to that minor.
      version = "~> 6.27"
    }
  }
}
