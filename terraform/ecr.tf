################################################################################
# ECR: learning-portal and learning-portal-nginx (shared by all environments)
#
# Created only where create_shared_resources = true (production). Images are built once in CI,
# tagged with the commit SHA and promoted from staging to production by that tag, so both
# environments read the same repositories.
################################################################################

resource "aws_kms_key" "ecr" {
  count = var.create_shared_resources ? 1 : 0

  description             = "${var.project}: ECR image encryption"
  enable_key_rotation     = true
  rotation_period_in_days = 365
  deletion_window_in_days = 30

  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      # ECR uses grants on behalf of the IAM principals of this account.
      Sid       = "AccountAdministration"
      Effect    = "Allow"
      Principal = { AWS = "arn:${local.partition}:iam::${local.account_id}:root" }
      Action    = "kms:*"
      Resource  = "*"
    }]
  })
}

resource "aws_kms_alias" "ecr" {
  count = var.create_shared_resources ? 1 : 0

  name          = "alias/${var.project}-ecr"
  target_key_id = aws_kms_key.ecr[0].key_id
}

resource "aws_ecr_repository" "this" {
  for_each = var.create_shared_resources ? local.ecr_repository_names : toset([])

  name = each.key

  # A tag (the commit SHA) always means the same image: deploys and rollbacks are reproducible.
  image_tag_mutability = "IMMUTABLE"

  image_scanning_configuration {
    scan_on_push = true
  }

  encryption_configuration {
    encryption_type = "KMS"
    kms_key         = aws_kms_key.ecr[0].arn
  }

  # Refuse to delete a repository that still holds images.
  force_delete = false
}

resource "aws_ecr_lifecycle_policy" "this" {
  for_each = aws_ecr_repository.this

  repository = each.value.name

  policy = jsonencode({
    rules = [
      {
        rulePriority = 1
        description  = "Expire untagged images (failed or superseded pushes) after 7 days"
        selection = {
          tagStatus   = "untagged"
          countType   = "sinceImagePushed"
          countUnit   = "days"
          countNumber = 7
        }
        action = { type = "expire" }
      },
      {
        rulePriority = 2
        description  = "Keep the ${var.ecr_keep_image_count} most recent images"
        selection = {
          tagStatus   = "any"
          countType   = "imageCountMoreThan"
          countNumber = var.ecr_keep_image_count
        }
        action = { type = "expire" }
      },
    ]
  })
}
