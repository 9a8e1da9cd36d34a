################################################################################
# General
################################################################################

variable "project" {
  description = "Short project name; prefixes every resource name (cluster, database, roles)."
  type        = string
  default     = "learning-portal"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,22}[a-z0-9]$", var.project))
    error_message = "project must be 3-24 characters of lower-case letters, digits and dashes, starting with a letter."
  }
}

variable "environment" {
  description = "Deployment environment this state describes. One state (backend key) per environment."
  type        = string

  validation {
    condition     = contains(["staging", "production"], var.environment)
    error_message = "environment must be \"staging\" or \"production\"."
  }
}

variable "aws_region" {
  description = "AWS region for every resource of this environment, for example eu-west-1."
  type        = string

  validation {
    condition     = can(regex("^[a-z]{2}(-gov)?-[a-z]+-[0-9]$", var.aws_region))
    error_message = "aws_region must look like a region code, for example eu-west-1."
  }
}

variable "allowed_account_ids" {
  description = "If not empty, the AWS provider refuses to run against any other account (protects production from a wrong profile). Set it outside version control, e.g. in an untracked *.auto.tfvars."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for id in var.allowed_account_ids : can(regex("^[0-9]{12}$", id))])
    error_message = "Each allowed account id must be exactly 12 digits."
  }
}

variable "tags" {
  description = "Extra tags added to every resource (on top of Project, Environment and ManagedBy)."
  type        = map(string)
  default     = {}
}

variable "log_retention_days" {
  description = "Retention of the CloudWatch log groups (EKS control plane, VPC flow logs, PostgreSQL logs)."
  type        = number
  default     = 90

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be a value CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, ...)."
  }
}

################################################################################
# Network
################################################################################

variable "availability_zones" {
  description = "Exactly three availability zone names of aws_region, e.g. [\"eu-west-1a\", \"eu-west-1b\", \"eu-west-1c\"]. Pinned so that adding zones to the region never moves subnets."
  type        = list(string)

  validation {
    condition     = length(var.availability_zones) == 3 && length(distinct(var.availability_zones)) == 3 && alltrue([for z in var.availability_zones : startswith(z, var.aws_region)])
    error_message = "availability_zones must be three distinct zone names of aws_region."
  }
}

variable "vpc_cidr" {
  description = "IPv4 CIDR of the VPC. Split into three /20-sized private subnets (nodes and pods), three public and three database subnets."
  type        = string
  default     = "10.0.0.0/16"

  validation {
    condition     = can(cidrhost(var.vpc_cidr, 0)) && tonumber(split("/", var.vpc_cidr)[1]) >= 16 && tonumber(split("/", var.vpc_cidr)[1]) <= 18
    error_message = "vpc_cidr must be a valid IPv4 CIDR with a prefix between /16 and /18."
  }
}

variable "single_nat_gateway" {
  description = "One shared NAT gateway (cheaper, staging) instead of one per availability zone (zone-failure tolerant, production)."
  type        = bool
  default     = false
}

################################################################################
# EKS
################################################################################

variable "kubernetes_version" {
  description = "EKS Kubernetes minor version (<major>.<minor>). Stay within EKS standard support (extended support costs six times as much); upgrade one minor version at a time."
  type        = string
  default     = "1.35"

  validation {
    condition     = can(regex("^1\\.(3[0-9])$", var.kubernetes_version))
    error_message = "kubernetes_version must be an EKS minor version such as \"1.35\"."
  }
}

variable "cluster_endpoint_public_access" {
  description = "Expose the Kubernetes API endpoint publicly (restricted by cluster_endpoint_public_access_cidrs). GitHub-hosted runners need it for the deploy workflow; self-hosted runners in the VPC do not."
  type        = bool
  default     = true
}

variable "cluster_endpoint_public_access_cidrs" {
  description = "CIDR blocks allowed to reach the public Kubernetes API endpoint. Authentication is still IAM; narrow this to your office/VPN and runner ranges."
  type        = list(string)

  validation {
    condition     = length(var.cluster_endpoint_public_access_cidrs) > 0 && alltrue([for c in var.cluster_endpoint_public_access_cidrs : can(cidrhost(c, 0))])
    error_message = "cluster_endpoint_public_access_cidrs must be a non-empty list of valid IPv4 CIDR blocks."
  }
}

variable "enable_cluster_creator_admin_permissions" {
  description = "Give the identity that runs terraform apply cluster-admin through an EKS access entry."
  type        = bool
  default     = true
}

variable "cluster_admin_principal_arns" {
  description = "IAM role or user ARNs that get cluster-admin through EKS access entries (operators, break-glass role)."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for arn in var.cluster_admin_principal_arns : can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:(role|user)/.+$", arn))])
    error_message = "Each cluster admin principal must be an IAM role or user ARN."
  }
}

variable "node_instance_types" {
  description = "Instance types of the managed node group (the first that has capacity is used)."
  type        = list(string)
  default     = ["t3.small"]

  validation {
    condition     = length(var.node_instance_types) > 0 && alltrue([for t in var.node_instance_types : can(regex("^[a-z][a-z0-9-]*\\.[a-z0-9]+$", t))])
    error_message = "node_instance_types must be a non-empty list of EC2 instance types such as t3.small."
  }
}

variable "node_group_min_size" {
  description = "Minimum number of nodes of the managed node group."
  type        = number
  default     = 1

  validation {
    condition     = var.node_group_min_size >= 1 && floor(var.node_group_min_size) == var.node_group_min_size
    error_message = "node_group_min_size must be a whole number of at least 1."
  }
}

variable "node_group_max_size" {
  description = "Maximum number of nodes of the managed node group."
  type        = number
  default     = 3

  validation {
    condition     = var.node_group_max_size >= var.node_group_min_size && var.node_group_max_size <= 20
    error_message = "node_group_max_size must be between node_group_min_size and 20."
  }
}

variable "node_group_desired_size" {
  description = "Initial number of nodes. Terraform ignores later drift of this value (the module sets ignore_changes), so scale with an autoscaler or the console afterwards."
  type        = number
  default     = 2

  validation {
    condition     = var.node_group_desired_size >= var.node_group_min_size && var.node_group_desired_size <= var.node_group_max_size
    error_message = "node_group_desired_size must be between node_group_min_size and node_group_max_size."
  }
}

################################################################################
# Application identity
################################################################################

variable "app_namespace" {
  description = "Kubernetes namespace the portal's Helm release is installed into."
  type        = string
  default     = "learning-portal"

  validation {
    condition     = can(regex("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$", var.app_namespace))
    error_message = "app_namespace must be a valid Kubernetes namespace name (DNS label)."
  }
}

variable "app_service_account" {
  description = "Name of the portal's Kubernetes ServiceAccount (the Helm chart's serviceAccount.name); it gets the Pod Identity role that reads the database secret."
  type        = string
  default     = "learning-portal"

  validation {
    condition     = can(regex("^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$", var.app_service_account))
    error_message = "app_service_account must be a valid Kubernetes object name."
  }
}

################################################################################
# Database
################################################################################

variable "db_engine_version" {
  description = "PostgreSQL version: a major (\"17\", RDS picks the default minor) or major.minor (\"17.5\")."
  type        = string
  default     = "17"

  validation {
    condition     = can(regex("^1[5-8](\\.[0-9]+)?$", var.db_engine_version))
    error_message = "db_engine_version must be PostgreSQL 15 to 18, e.g. \"17\" or \"17.5\"."
  }
}

variable "db_instance_class" {
  description = "RDS instance class."
  type        = string
  default     = "db.t4g.small"

  validation {
    condition     = can(regex("^db\\.[a-z0-9]+\\.[a-z0-9]+$", var.db_instance_class))
    error_message = "db_instance_class must look like db.t4g.small."
  }
}

variable "db_allocated_storage" {
  description = "Initial storage in GiB (gp3)."
  type        = number
  default     = 20

  validation {
    condition     = var.db_allocated_storage >= 20 && var.db_allocated_storage <= 1000
    error_message = "db_allocated_storage must be between 20 and 1000 GiB."
  }
}

variable "db_max_allocated_storage" {
  description = "Upper bound for storage autoscaling in GiB."
  type        = number
  default     = 100

  validation {
    condition     = var.db_max_allocated_storage >= var.db_allocated_storage && var.db_max_allocated_storage <= 2000
    error_message = "db_max_allocated_storage must be at least db_allocated_storage and at most 2000 GiB."
  }
}

variable "db_multi_az" {
  description = "Run a synchronous standby in another availability zone (production)."
  type        = bool
  default     = false
}

variable "db_backup_retention_days" {
  description = "Days of automated backups and point-in-time recovery. Backups are always on (minimum 1)."
  type        = number
  default     = 7

  validation {
    condition     = var.db_backup_retention_days >= 1 && var.db_backup_retention_days <= 35
    error_message = "db_backup_retention_days must be between 1 and 35 (0 would turn backups off)."
  }
}

variable "db_deletion_protection" {
  description = "Refuse to delete the database (through Terraform or the console) until this is turned off. Keep true in production."
  type        = bool
  default     = true
}

variable "db_skip_final_snapshot" {
  description = "Skip the final snapshot when the database is destroyed. Only sensible for throw-away staging data."
  type        = bool
  default     = false
}

variable "db_performance_insights_enabled" {
  description = "Enable Performance Insights (check that the instance class supports it)."
  type        = bool
  default     = false
}

variable "db_password_rotation_days" {
  description = "Secrets Manager rotates the RDS-managed master password every N days. After a rotation the Kubernetes database secret must be refreshed (docs/aws-path.md, 'Database secret')."
  type        = number
  default     = 30

  validation {
    condition     = var.db_password_rotation_days >= 1 && var.db_password_rotation_days <= 365
    error_message = "db_password_rotation_days must be between 1 and 365."
  }
}

################################################################################
# Registry and CI/CD identities
################################################################################

variable "create_shared_resources" {
  description = "Create the resources shared by all environments: the ECR repositories and the CI role that pushes images. Exactly one environment (production) sets this to true; the images are built once and promoted by tag."
  type        = bool
  default     = false
}

variable "create_github_oidc_provider" {
  description = "Create the account's IAM OIDC provider for token.actions.githubusercontent.com. Only one per account: set true in the environment applied first, false if the account already has one."
  type        = bool
  default     = false
}

variable "github_repository" {
  description = "GitHub repository (owner/name) whose workflows may assume the CI roles through OIDC."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$", var.github_repository))
    error_message = "github_repository must be \"owner/name\"."
  }
}

variable "ecr_keep_image_count" {
  description = "The ECR lifecycle policy keeps this many most recent images per repository (older ones expire; rollback targets must be newer than that)."
  type        = number
  default     = 200

  validation {
    condition     = var.ecr_keep_image_count >= 10 && var.ecr_keep_image_count <= 10000
    error_message = "ecr_keep_image_count must be between 10 and 10000."
  }
}
