# terraform plan -var-file=environments/production.tfvars
# (after: terraform init -reconfigure -backend-config=backend.hcl -backend-config="key=learning-portal/production.tfstate")
environment = "production"
aws_region  = "eu-west-1"

availability_zones = ["eu-west-1a", "eu-west-1b", "eu-west-1c"]

github_repository = "example-org/learning-portal"

# Production owns what all environments share: ECR repositories, the CI push role and the
# account's GitHub OIDC provider (set false if the account already has one).
create_shared_resources     = true
create_github_oidc_provider = true

vpc_cidr           = "10.20.0.0/16"
single_nat_gateway = false

kubernetes_version                   = "1.35"
cluster_endpoint_public_access_cidrs = ["0.0.0.0/0"]

node_instance_types     = ["t3.small"]
node_group_min_size     = 1
node_group_max_size     = 3
node_group_desired_size = 3

db_instance_class               = "db.t4g.medium"
db_multi_az                     = true
db_backup_retention_days        = 14
db_deletion_protection          = true
db_skip_final_snapshot          = false
db_performance_insights_enabled = true

log_retention_days = 365
