################################################################################
# GitHub Actions -> AWS through OIDC (no long-lived keys anywhere)
################################################################################

# One OIDC provider per account. AWS verifies GitHub's tokens against its own trust store, so
# no thumbprint is pinned here.
resource "aws_iam_openid_connect_provider" "github" {
  count = var.create_github_oidc_provider ? 1 : 0

  url            = "https://${local.github_oidc_host}"
  client_id_list = ["sts.amazonaws.com"]
}

#-------------------------------------------------------------------------------
# CI: push images to ECR, only from the main branch (shared; with the repositories)
#-------------------------------------------------------------------------------

data "aws_iam_policy_document" "github_ecr_push_trust" {
  statement {
    sid     = "GitHubActionsMainBranch"
    actions = ["sts:AssumeRoleWithWebIdentity"]

    principals {
      type        = "Federated"
      identifiers = [local.github_oidc_provider_arn]
    }

    condition {
      test     = "StringEquals"
      variable = "${local.github_oidc_host}:aud"
      values   = ["sts.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "${local.github_oidc_host}:sub"
      values   = ["repo:${var.github_repository}:ref:refs/heads/main"]
    }
  }
}

resource "aws_iam_role" "github_ecr_push" {
  count = var.create_shared_resources ? 1 : 0

  name                 = "${var.project}-github-ecr-push"
  description          = "GitHub Actions (${var.github_repository}, main) pushes images to ECR"
  assume_role_policy   = data.aws_iam_policy_document.github_ecr_push_trust.json
  max_session_duration = 3600
}

data "aws_iam_policy_document" "github_ecr_push" {
  statement {
    sid = "PushToPortalRepositories"
    actions = [
      "ecr:BatchCheckLayerAvailability",
      "ecr:BatchGetImage",
      "ecr:CompleteLayerUpload",
      "ecr:DescribeImages",
      "ecr:GetDownloadUrlForLayer",
      "ecr:InitiateLayerUpload",
      "ecr:PutImage",
      "ecr:UploadLayerPart",
    ]
    resources = local.ecr_repository_arns
  }

  statement {
    # GetAuthorizationToken cannot be scoped to a repository.
    sid       = "RegistryLogin"
    actions   = ["ecr:GetAuthorizationToken"]
    resources = ["*"]
  }
}

resource "aws_iam_role_policy" "github_ecr_push" {
  count = var.create_shared_resources ? 1 : 0

  name   = "ecr-push"
  role   = aws_iam_role.github_ecr_push[0].id
  policy = data.aws_iam_policy_document.github_ecr_push.json
}

#-------------------------------------------------------------------------------
# Deploy: helm upgrade into this environment's cluster, only from jobs that run in
# the GitHub environment of the same name (so production needs its approval)
#-------------------------------------------------------------------------------

data "aws_iam_policy_document" "github_deploy_trust" {
  statement {
    sid     = "GitHubActionsEnvironment"
    actions = ["sts:AssumeRoleWithWebIdentity"]

    principals {
      type        = "Federated"
      identifiers = [local.github_oidc_provider_arn]
    }

    condition {
      test     = "StringEquals"
      variable = "${local.github_oidc_host}:aud"
      values   = ["sts.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "${local.github_oidc_host}:sub"
      values   = ["repo:${var.github_repository}:environment:${var.environment}"]
    }
  }
}

resource "aws_iam_role" "github_deploy" {
  name                 = "${local.name}-github-deploy"
  description          = "GitHub Actions environment ${var.environment} deploys the Helm release"
  assume_role_policy   = data.aws_iam_policy_document.github_deploy_trust.json
  max_session_duration = 3600
}

data "aws_iam_policy_document" "github_deploy" {
  statement {
    # aws eks update-kubeconfig; Kubernetes permissions come from the EKS access entry.
    sid       = "DescribeCluster"
    actions   = ["eks:DescribeCluster"]
    resources = [module.eks.cluster_arn]
  }

  statement {
    # Check that the images of the commit exist before Helm is asked to run them.
    sid       = "CheckImagesExist"
    actions   = ["ecr:DescribeImages"]
    resources = local.ecr_repository_arns
  }
}

resource "aws_iam_role_policy" "github_deploy" {
  name   = "deploy"
  role   = aws_iam_role.github_deploy.id
  policy = data.aws_iam_policy_document.github_deploy.json
}
