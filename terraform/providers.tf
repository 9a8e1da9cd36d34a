provider "aws" {
  region = var.aws_region

  # Guard rail: refuse to run against any other account when the list is set (for example in a
  # CI role or a local, untracked *.auto.tfvars). Empty means no restriction.
  allowed_account_ids = length(var.allowed_account_ids) > 0 ? var.allowed_account_ids : null

  default_tags {
    tags = local.tags
  }
}
