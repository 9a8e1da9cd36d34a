################################################################################
# EKS Pod Identity: IAM roles for Kubernetes service accounts
################################################################################

# AWS Load Balancer Controller (Helm release aws-load-balancer-controller in kube-system,
# service account aws-load-balancer-controller). The module carries the controller's
# upstream IAM policy.
module "aws_lb_controller_pod_identity" {
  source  = "terraform-aws-modules/eks-pod-identity/aws"
  version = "~> 2.0"

  name = "${local.name}-aws-lbc"

  attach_aws_lb_controller_policy = true

  associations = {
    this = {
      cluster_name    = module.eks.cluster_name
      namespace       = "kube-system"
      service_account = "aws-load-balancer-controller"
    }
  }
}

# The portal: may read exactly its own database secret (the RDS-managed master user secret)
# and decrypt it with the environment key, nothing else.
data "aws_iam_policy_document" "app" {
  statement {
    sid = "ReadDatabaseSecret"
    actions = [
      "secretsmanager:GetSecretValue",
      "secretsmanager:DescribeSecret",
    ]
    resources = [module.db.db_instance_master_user_secret_arn]
  }

  statement {
    sid       = "DecryptDatabaseSecret"
    actions   = ["kms:Decrypt"]
    resources = [aws_kms_key.main.arn]

    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["secretsmanager.${local.region}.amazonaws.com"]
    }
  }
}

module "app_pod_identity" {
  source  = "terraform-aws-modules/eks-pod-identity/aws"
  version = "~> 2.0"

  name        = "${local.name}-app"
  description = "Portal pods in ${var.app_namespace}: read the database secret"

  attach_custom_policy    = true
  source_policy_documents = [data.aws_iam_policy_document.app.json]

  associations = {
    this = {
      cluster_name    = module.eks.cluster_name
      namespace       = var.app_namespace
      service_account = var.app_service_account
    }
  }
}

# External Secrets Operator (Helm release external-secrets in namespace external-secrets, service
# account external-secrets): copies the database password into the portal's namespace every
# minute, so an RDS password rotation needs no human (docs/aws-path.md, step 5b). Same two
# permissions as the app, on the same one secret.
module "external_secrets_pod_identity" {
  source  = "terraform-aws-modules/eks-pod-identity/aws"
  version = "~> 2.0"

  name        = "${local.name}-external-secrets"
  description = "External Secrets Operator: read the database secret of ${local.name}"

  attach_custom_policy    = true
  source_policy_documents = [data.aws_iam_policy_document.app.json]

  associations = {
    this = {
      cluster_name    = module.eks.cluster_name
      namespace       = "external-secrets"
      service_account = "external-secrets"
    }
  }
}
