# terraform plan -var-file=environments/staging.tfvars
# (after: terraform init -reconfigure -backend-config=backend.hcl -backend-config="key=learning-portal/staging.tfstate")
environment = "staging"
aws_region  = "eu-west-1"

availability_zones = ["eu-west-1a", "eu-west-1b", "eu-west-1c"]

github_repository = "example-org/learning-portal"

# Staging is applied after production, which owns the shared ECR repositories, the CI push role
# and the account's GitHub OIDC provider.
create_shared_resources     = false
create_github_oidc_provider = false

vpc_cidr           = "10.10.0.0/16"
single_nat_gateway = true

kubernetes_version = "1.35"
# GitHub-hosted runners have no fixed address range; authentication is IAM either way.
# Narrow this when the deploy runs on self-hosted runners.
cluster_endpoint_public_access_cidrs = ["0.0.0.0/0"]

node_instance_types     = ["t3.small"]
node_group_min_size     = 1
node_group_max_size     = 3
node_group_desired_size = 2

db_instance_class        = "db.t4g.small"
db_multi_az              = false
db_backup_retention_days = 3
db_deletion_protection   = false
db_skip_final_snapshot   = true

log_retention_days = 30
