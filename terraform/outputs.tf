output "cluster_name" {
  description = "EKS cluster name."
  value       = module.eks.cluster_name
}

output "cluster_endpoint" {
  description = "Kubernetes API endpoint."
  value       = module.eks.cluster_endpoint
}

output "kubeconfig_command" {
  description = "Run this to point kubectl and helm at the cluster."
  value       = "aws eks update-kubeconfig --region ${local.region} --name ${module.eks.cluster_name} --alias ${module.eks.cluster_name}"
}

output "vpc_id" {
  description = "VPC id (the AWS Load Balancer Controller chart needs it: --set vpcId=...)."
  value       = module.vpc.vpc_id
}

output "aws_region" {
  description = "Region of this environment."
  value       = local.region
}

output "ecr_registry" {
  description = "ECR registry host (docker login / image prefix)."
  value       = local.ecr_registry
}

output "ecr_repository_urls" {
  description = "Repository URL per image name (learning-portal, learning-portal-nginx)."
  value       = local.ecr_repository_urls
}

output "db_endpoint" {
  description = "PostgreSQL endpoint (host:port), reachable from the cluster only."
  value       = module.db.db_instance_endpoint
}

output "db_address" {
  description = "PostgreSQL host name."
  value       = module.db.db_instance_address
}

output "db_name" {
  description = "Database name."
  value       = module.db.db_instance_name
}

output "db_master_secret_arn" {
  description = "Secrets Manager ARN of the RDS-managed master credentials (JSON with username and password)."
  value       = module.db.db_instance_master_user_secret_arn
}

output "app_pod_identity_role_arn" {
  description = "IAM role associated (Pod Identity) with the portal's service account; it may read the database secret."
  value       = module.app_pod_identity.iam_role_arn
}

output "external_secrets_role_arn" {
  description = "IAM role associated (Pod Identity) with external-secrets/external-secrets; it may read the database secret."
  value       = module.external_secrets_pod_identity.iam_role_arn
}

output "aws_lb_controller_role_arn" {
  description = "IAM role associated (Pod Identity) with kube-system/aws-load-balancer-controller."
  value       = module.aws_lb_controller_pod_identity.iam_role_arn
}

output "github_deploy_role_arn" {
  description = "Set as the GitHub environment variable AWS_DEPLOY_ROLE_ARN of this environment."
  value       = aws_iam_role.github_deploy.arn
}

output "github_ecr_push_role_arn" {
  description = "Set as the GitHub repository variable AWS_ECR_PUSH_ROLE_ARN (only the environment with create_shared_resources)."
  value       = try(aws_iam_role.github_ecr_push[0].arn, null)
}

output "kms_key_arn" {
  description = "Customer managed key of this environment (RDS, its secret, log groups)."
  value       = aws_kms_key.main.arn
}

output "public_subnets_cidr_blocks" {
  description = "Public subnets (the ALB's addresses): the chart's networkPolicy.loadBalancer.cidrs."
  value       = module.vpc.public_subnets_cidr_blocks
}

output "database_subnets_cidr_blocks" {
  description = "Database subnets: the chart's networkPolicy.database.cidrs."
  value       = module.vpc.database_subnets_cidr_blocks
}
