data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

# The three zones are named explicitly: subnet CIDRs are assigned by position, so the zone list
# must never change under the network. The lookup fails early on a typo or an unavailable zone.
data "aws_availability_zones" "selected" {
  state = "available"

  filter {
    name   = "zone-name"
    values = var.availability_zones
  }
}

locals {
  name       = "${var.project}-${var.environment}"
  account_id = data.aws_caller_identity.current.account_id
  partition  = data.aws_partition.current.partition
  region     = data.aws_region.current.region

  # The cluster, the NAT gateways and the database subnets span all three zones.
  azs = sort(data.aws_availability_zones.selected.names)

  # /16 -> private /20 (node and pod IPs: the VPC CNI gives every pod a VPC address),
  # public /24 (load balancers, NAT), database /24 (no route to the internet).
  private_subnets  = [for i, _ in local.azs : cidrsubnet(var.vpc_cidr, 4, i)]
  public_subnets   = [for i, _ in local.azs : cidrsubnet(var.vpc_cidr, 8, i + 48)]
  database_subnets = [for i, _ in local.azs : cidrsubnet(var.vpc_cidr, 8, i + 52)]

  # Image names are a contract (docs/CONTRACTS.md): the app and the nginx image.
  ecr_repository_names = toset(["learning-portal", "learning-portal-nginx"])

  # Repository URLs and ARNs are derived, so an environment that does not own the repositories
  # (create_shared_resources = false) can still grant access to them and print them.
  ecr_registry        = "${local.account_id}.dkr.ecr.${local.region}.amazonaws.com"
  ecr_repository_urls = { for r in local.ecr_repository_names : r => "${local.ecr_registry}/${r}" }
  ecr_repository_arns = [for r in local.ecr_repository_names : "arn:${local.partition}:ecr:${local.region}:${local.account_id}:repository/${r}"]

  github_oidc_host         = "token.actions.githubusercontent.com"
  github_oidc_provider_arn = "arn:${local.partition}:iam::${local.account_id}:oidc-provider/${local.github_oidc_host}"

  tags = merge(var.tags, {
    Project     = var.project
    Environment = var.environment
    ManagedBy   = "terraform"
  })
}
