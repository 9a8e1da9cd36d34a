################################################################################
# EKS (terraform-aws-modules/eks v21 input names)
################################################################################

module "eks" {
  source  = "terraform-aws-modules/eks/aws"
  version = "~> 21.0"

  name               = local.name
  kubernetes_version = var.kubernetes_version

  vpc_id                   = module.vpc.vpc_id
  subnet_ids               = module.vpc.private_subnets
  control_plane_subnet_ids = module.vpc.private_subnets

  endpoint_private_access      = true
  endpoint_public_access       = var.cluster_endpoint_public_access
  endpoint_public_access_cidrs = var.cluster_endpoint_public_access_cidrs

  # Access entries only (no aws-auth ConfigMap).
  authentication_mode                      = "API"
  enable_cluster_creator_admin_permissions = var.enable_cluster_creator_admin_permissions
  access_entries                           = local.eks_access_entries

  # All control plane log types, kept and encrypted like the other log groups.
  enabled_log_types                      = ["api", "audit", "authenticator", "controllerManager", "scheduler"]
  cloudwatch_log_group_retention_in_days = var.log_retention_days
  cloudwatch_log_group_kms_key_id        = aws_kms_key.main.arn

  addons = {
    vpc-cni = {
      # Installed before the nodes so they become Ready; network policy enforcement on, so the
      # chart's NetworkPolicies are actually enforced (the CNI's eBPF network policy agent).
      before_compute = true
      configuration_values = jsonencode({
        enableNetworkPolicy = "true"
      })
    }
    eks-pod-identity-agent = {
      before_compute = true
    }
    coredns    = {}
    kube-proxy = {}
  }

  eks_managed_node_groups = {
    default = {
      ami_type       = "AL2023_x86_64_STANDARD"
      instance_types = var.node_instance_types
      capacity_type  = "ON_DEMAND"

      subnet_ids   = module.vpc.private_subnets
      min_size     = var.node_group_min_size
      max_size     = var.node_group_max_size
      desired_size = var.node_group_desired_size

      update_config = {
        max_unavailable_percentage = 33
      }

      block_device_mappings = {
        xvda = {
          device_name = "/dev/xvda"
          ebs = {
            volume_size           = 30
            volume_type           = "gp3"
            encrypted             = true
            delete_on_termination = true
          }
        }
      }

      labels = {
        "${var.project}/node-group" = "default"
      }
    }
  }
}

locals {
  # Cluster administrators (operators, break-glass role).
  eks_admin_access_entries = {
    for i, arn in var.cluster_admin_principal_arns : "admin-${i}" => {
      principal_arn = arn
      policy_associations = {
        cluster_admin = {
          policy_arn   = "arn:${local.partition}:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy"
          access_scope = { type = "cluster" }
        }
      }
    }
  }

  # The deploy workflow of this environment: admin inside the app namespace only. The group lets
  # an RBAC RoleBinding add the aggregated ClusterRole `admin` (ServiceMonitor, PrometheusRule;
  # see docs/aws-path.md), which EKS access policies do not cover.
  eks_deploy_access_entry = {
    github-deploy = {
      principal_arn     = aws_iam_role.github_deploy.arn
      kubernetes_groups = ["${var.project}-deployers"]
      policy_associations = {
        namespace_admin = {
          policy_arn = "arn:${local.partition}:eks::aws:cluster-access-policy/AmazonEKSAdminPolicy"
          access_scope = {
            type       = "namespace"
            namespaces = [var.app_namespace]
          }
        }
      }
    }
  }

  eks_access_entries = merge(local.eks_admin_access_entries, local.eks_deploy_access_entry)
}
