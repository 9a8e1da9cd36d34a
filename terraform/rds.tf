################################################################################
# RDS PostgreSQL in the database subnets, reachable only from the EKS nodes
################################################################################

resource "aws_security_group" "db" {
  name_prefix = "${local.name}-db-"
  description = "PostgreSQL of ${local.name}: ingress from the EKS node security group only"
  vpc_id      = module.vpc.vpc_id

  # No egress rules: the database never opens connections (a security group without egress
  # rules denies all outbound traffic; replies to inbound connections are stateful).

  lifecycle {
    create_before_destroy = true
  }

  tags = {
    Name = "${local.name}-db"
  }
}

resource "aws_vpc_security_group_ingress_rule" "db_from_nodes" {
  security_group_id            = aws_security_group.db.id
  description                  = "PostgreSQL from EKS nodes and pods (VPC CNI pods use the node security group)"
  referenced_security_group_id = module.eks.node_security_group_id
  ip_protocol                  = "tcp"
  from_port                    = 5432
  to_port                      = 5432
}

locals {
  db_major_version = split(".", var.db_engine_version)[0]
}

module "db" {
  source  = "terraform-aws-modules/rds/aws"
  version = "~> 7.0"

  identifier = local.name

  engine               = "postgres"
  engine_version       = var.db_engine_version
  family               = "postgres${local.db_major_version}"
  major_engine_version = local.db_major_version
  instance_class       = var.db_instance_class

  storage_type          = "gp3"
  allocated_storage     = var.db_allocated_storage
  max_allocated_storage = var.db_max_allocated_storage
  storage_encrypted     = true
  kms_key_id            = aws_kms_key.main.arn

  db_name  = "portal"
  username = "portal"
  port     = 5432

  # The master password is generated and stored by RDS in Secrets Manager (never in state),
  # encrypted with the environment key and rotated on a schedule.
  manage_master_user_password                            = true
  master_user_secret_kms_key_id                          = aws_kms_key.main.arn
  manage_master_user_password_rotation                   = true
  master_user_password_rotate_immediately                = false
  master_user_password_rotation_automatically_after_days = var.db_password_rotation_days

  iam_database_authentication_enabled = true

  multi_az               = var.db_multi_az
  db_subnet_group_name   = module.vpc.database_subnet_group_name
  vpc_security_group_ids = [aws_security_group.db.id]
  publicly_accessible    = false

  maintenance_window               = "Sun:03:00-Sun:04:00"
  backup_window                    = "01:00-02:00"
  backup_retention_period          = var.db_backup_retention_days
  copy_tags_to_snapshot            = true
  delete_automated_backups         = false
  skip_final_snapshot              = var.db_skip_final_snapshot
  final_snapshot_identifier_prefix = "${local.name}-final"
  deletion_protection              = var.db_deletion_protection

  auto_minor_version_upgrade  = true
  allow_major_version_upgrade = false
  apply_immediately           = false

  enabled_cloudwatch_logs_exports        = ["postgresql", "upgrade"]
  create_cloudwatch_log_group            = true
  cloudwatch_log_group_retention_in_days = var.log_retention_days
  cloudwatch_log_group_kms_key_id        = aws_kms_key.main.arn

  create_monitoring_role = true
  monitoring_interval    = 60
  monitoring_role_name   = "${local.name}-rds-monitoring"

  performance_insights_enabled    = var.db_performance_insights_enabled
  performance_insights_kms_key_id = aws_kms_key.main.arn

  parameters = [
    # TLS only (the default since PostgreSQL 15 on RDS; stated so it cannot drift).
    { name = "rds.force_ssl", value = "1" },
    { name = "log_min_duration_statement", value = "500" },
    { name = "log_connections", value = "1" },
    { name = "log_disconnections", value = "1" },
  ]
}
