"""Terraform for AWS (terraform/), proven without a Terraform binary (none can be had here):
every file parses with python-hcl2, the structure matches what issue 7 asks for, no credentials or
account ids are committed, every variable is described, typed and (where it matters) validated,
references resolve, and checkov's Terraform checks pass for both environments.
`terraform fmt/init/validate` run in CI (.github/workflows/ci.yml, job "terraform")."""

import json
import re
import subprocess
from functools import cache
from pathlib import Path

import hcl2
import pytest
import yaml

from tests.tooling import REPO_ROOT, tool

TF_DIR = REPO_ROOT / "terraform"
ENV_DIR = TF_DIR / "environments"
TF_FILES = sorted(TF_DIR.glob("*.tf"))
TFVARS_FILES = sorted(ENV_DIR.glob("*.tfvars"))
CHECKOV_CONFIG = TF_DIR / ".checkov.yaml"

HCL_OPTIONS = hcl2.SerializationOptions(strip_string_quotes=True, explicit_blocks=False)

# Registry modules and the major each must be pinned to ("~> N.0").
EXPECTED_MODULES = {
    "vpc": ("terraform-aws-modules/vpc/aws", 6),
    "eks": ("terraform-aws-modules/eks/aws", 21),
    "db": ("terraform-aws-modules/rds/aws", 7),
    "aws_lb_controller_pod_identity": ("terraform-aws-modules/eks-pod-identity/aws", 2),
    "app_pod_identity": ("terraform-aws-modules/eks-pod-identity/aws", 2),
    "external_secrets_pod_identity": ("terraform-aws-modules/eks-pod-identity/aws", 2),
}

# Input names that were renamed in terraform-aws-modules/eks v21 (docs/UPGRADE-21.0.md): using
# one of them with "~> 21.0" is an "unsupported argument" error at plan time.
EKS_V20_INPUT_NAMES = {
    "cluster_name",
    "cluster_version",
    "cluster_addons",
    "cluster_enabled_log_types",
    "cluster_endpoint_public_access",
    "cluster_endpoint_private_access",
    "cluster_endpoint_public_access_cidrs",
    "cluster_security_group_additional_rules",
    "cluster_encryption_config",
    "cluster_timeouts",
}

CREDENTIAL_PATTERNS = {
    "AWS access key id": re.compile(r"\b(?:AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16}\b"),
    "AWS secret key assignment": re.compile(
        r"(?i)\b(aws_)?(secret_access_key|secret_key|access_key(_id)?)\b\s*[=:]"
    ),
    "12-digit AWS account id": re.compile(r"(?<![0-9A-Za-z])[0-9]{12}(?![0-9A-Za-z])"),
    "password literal": re.compile(r"(?i)\bpassword\s*=\s*\"[^\"$]+\""),
}


@cache
def parsed(path: Path) -> dict:
    with path.open(encoding="utf-8") as fh:
        return hcl2.load(fh, serialization_options=HCL_OPTIONS)


def blocks(kind: str) -> dict[str, dict]:
    """All blocks of one kind (variable, output, module) across terraform/*.tf, by name."""
    found: dict[str, dict] = {}
    for path in TF_FILES:
        for entry in parsed(path).get(kind, []):
            for name, body in entry.items():
                if name.startswith("__"):
                    continue
                assert name not in found, f"{kind} {name!r} declared twice"
                found[name] = body
    return found


def resources(rtype: str, data: bool = False) -> dict[str, dict]:
    found: dict[str, dict] = {}
    for path in TF_FILES:
        for entry in parsed(path).get("data" if data else "resource", []):
            for name, body in entry.get(rtype, {}).items() if rtype in entry else []:
                found[name] = body
    return found


def locals_defined() -> dict:
    merged: dict = {}
    for path in TF_FILES:
        for entry in parsed(path).get("locals", []):
            merged.update({k: v for k, v in entry.items() if not k.startswith("__")})
    return merged


def nested(body: dict, name: str) -> dict:
    """A nested block (python-hcl2 gives a list of one dict per block occurrence)."""
    value = body[name]
    if isinstance(value, list):
        assert len(value) == 1, f"expected one {name} block"
        return value[0]
    return value


def terraform_blocks() -> list[dict]:
    return [entry for path in TF_FILES for entry in parsed(path).get("terraform", [])]


def tfvars(path: Path) -> dict:
    return {k: v for k, v in parsed(path).items() if not k.startswith("__")}


def source_text() -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in TF_FILES)


def strip_comments(text: str) -> str:
    return "\n".join(re.sub(r"(^|\s)(#|//).*$", "", line) for line in text.splitlines())


# --- files and parsing ---------------------------------------------------------------------------


def test_layout_has_the_expected_files():
    for name in [
        "versions.tf",
        "providers.tf",
        "variables.tf",
        "outputs.tf",
        "main.tf",
        "backend.tf",
        "backend.hcl.example",
        "vpc.tf",
        "eks.tf",
        "rds.tf",
        "ecr.tf",
        "iam.tf",
        "pod-identity.tf",
        "README.md",
        ".checkov.yaml",
    ]:
        assert (TF_DIR / name).is_file(), f"terraform/{name} is missing"
    assert {p.name for p in TFVARS_FILES} == {"staging.tfvars", "production.tfvars"}


@pytest.mark.parametrize(
    "path", TF_FILES + TFVARS_FILES + [TF_DIR / "backend.hcl.example"], ids=lambda p: p.name
)
def test_file_parses_with_python_hcl2(path):
    result = parsed(path)
    assert isinstance(result, dict) and result, f"{path.name} parsed to nothing"


# --- versions, backend -----------------------------------------------------------------------------


def test_terraform_and_aws_provider_constraints():
    tf = terraform_blocks()
    required = [b["required_version"] for b in tf if "required_version" in b]
    assert len(required) == 1, "exactly one required_version"
    match = re.fullmatch(r">=\s*(\d+)\.(\d+)(?:\.\d+)?", required[0])
    assert match, f"required_version should be a lower bound, got {required[0]!r}"
    assert (int(match[1]), int(match[2])) >= (1, 11), "Terraform >= 1.11 is required"

    providers = [p for b in tf for entry in b.get("required_providers", []) for p in [entry]]
    aws = [entry["aws"] for entry in providers if "aws" in entry]
    assert len(aws) == 1
    assert aws[0]["source"] == "hashicorp/aws"
    assert re.fullmatch(r"~>\s*6\.\d+", aws[0]["version"]), (
        f"AWS provider must stay on major 6 (~> 6.x), got {aws[0]['version']!r}"
    )


def test_backend_is_partial_s3_with_native_lock_file():
    backends = [b for tf in terraform_blocks() for b in tf.get("backend", [])]
    assert len(backends) == 1 and list(backends[0]) == ["s3"]
    s3 = backends[0]["s3"]
    assert s3.get("use_lockfile") is True, "S3 native lock file (use_lockfile = true)"
    assert s3.get("encrypt") is True
    for key in ("bucket", "key", "dynamodb_table", "profile", "access_key", "secret_key"):
        assert key not in s3, f"backend must not hard-code {key!r} (partial configuration)"
    example = tfvars(TF_DIR / "backend.hcl.example")
    assert {"bucket", "region"} <= set(example)


# --- modules -----------------------------------------------------------------------------------------


def test_modules_are_terraform_aws_modules_pinned_to_their_major():
    modules = blocks("module")
    assert set(modules) == set(EXPECTED_MODULES)
    for name, body in modules.items():
        source, major = EXPECTED_MODULES[name]
        assert body["source"] == source, f"module {name}: source {body['source']!r}"
        assert body.get("version") == f"~> {major}.0", (
            f"module {name}: version must be '~> {major}.0', got {body.get('version')!r}"
        )


def test_eks_uses_v21_inputs_addons_access_entries_and_logging():
    eks = blocks("module")["eks"]
    assert not EKS_V20_INPUT_NAMES & set(eks), (
        f"v20 input names under eks ~> 21.0: {sorted(EKS_V20_INPUT_NAMES & set(eks))}"
    )
    for key in ("name", "kubernetes_version", "addons", "endpoint_public_access", "access_entries"):
        assert key in eks, f"eks module lacks {key}"
    assert eks["authentication_mode"] == "API", "access entries only, no aws-auth ConfigMap"
    assert {"api", "audit", "authenticator"} <= set(eks["enabled_log_types"])

    addons = eks["addons"]
    assert {"vpc-cni", "coredns", "kube-proxy", "eks-pod-identity-agent"} <= set(addons)
    assert re.search(
        r"enableNetworkPolicy\s*=\s*\"true\"", addons["vpc-cni"]["configuration_values"]
    )
    assert addons["vpc-cni"]["before_compute"] is True
    assert addons["eks-pod-identity-agent"]["before_compute"] is True

    groups = eks["eks_managed_node_groups"]
    assert len(groups) == 1
    group = next(iter(groups.values()))
    assert group["subnet_ids"] == "${module.vpc.private_subnets}"
    assert group["instance_types"] == "${var.node_instance_types}"
    variables = blocks("variable")
    assert variables["node_instance_types"]["default"] == ["t3.small"]
    assert variables["node_group_min_size"]["default"] == 1
    assert variables["node_group_max_size"]["default"] == 3
    assert eks["subnet_ids"] == "${module.vpc.private_subnets}"


def test_vpc_spans_three_zones_with_database_subnets_nat_and_lb_tags():
    vpc = blocks("module")["vpc"]
    for key in ("public_subnets", "private_subnets", "database_subnets"):
        assert key in vpc
    assert vpc["create_database_subnet_group"] is True
    assert vpc["enable_nat_gateway"] is True
    assert vpc["public_subnet_tags"] == {"kubernetes.io/role/elb": "1"}
    assert vpc["private_subnet_tags"] == {"kubernetes.io/role/internal-elb": "1"}
    assert vpc["enable_flow_log"] is True
    for path in TFVARS_FILES:
        zones = tfvars(path)["availability_zones"]
        assert len(zones) == 3 and len(set(zones)) == 3, f"{path.name}: three distinct AZs"


def test_database_is_private_encrypted_backed_up_and_reachable_only_from_nodes():
    db = blocks("module")["db"]
    assert db["engine"] == "postgres"
    assert db["manage_master_user_password"] is True, "master password managed in Secrets Manager"
    assert "password" not in db and "password_wo" not in db
    assert db["storage_encrypted"] is True
    assert db["publicly_accessible"] is False
    assert db["deletion_protection"] == "${var.db_deletion_protection}"
    assert db["backup_retention_period"] == "${var.db_backup_retention_days}"
    assert db["db_subnet_group_name"] == "${module.vpc.database_subnet_group_name}"
    assert db["vpc_security_group_ids"] == ["${aws_security_group.db.id}"]

    retention = blocks("variable")["db_backup_retention_days"]
    assert "var.db_backup_retention_days >= 1" in retention["validation"][0]["condition"]

    rules = resources("aws_vpc_security_group_ingress_rule")
    db_rules = [
        r for r in rules.values() if r["security_group_id"] == "${aws_security_group.db.id}"
    ]
    assert len(db_rules) == 1, "exactly one ingress rule on the database security group"
    rule = db_rules[0]
    assert rule["referenced_security_group_id"] == "${module.eks.node_security_group_id}"
    assert (rule["from_port"], rule["to_port"], rule["ip_protocol"]) == (5432, 5432, "tcp")
    assert not {"cidr_ipv4", "cidr_ipv6", "prefix_list_id"} & set(rule)
    assert not resources("aws_security_group_rule"), "use the per-rule resources only"
    assert "ingress" not in resources("aws_security_group")["db"]

    production = tfvars(ENV_DIR / "production.tfvars")
    assert production["db_deletion_protection"] is True
    assert production["db_multi_az"] is True
    assert production["db_skip_final_snapshot"] is False
    assert blocks("variable")["db_deletion_protection"]["default"] is True


def test_ecr_repositories_are_immutable_scanned_encrypted_with_lifecycle():
    contract = (REPO_ROOT / "docs" / "CONTRACTS.md").read_text(encoding="utf-8")
    names = locals_defined()["ecr_repository_names"]
    for name in ("learning-portal", "learning-portal-nginx"):
        assert name in names and f"`{name}`" in contract
    repo = resources("aws_ecr_repository")["this"]
    assert repo["image_tag_mutability"] == "IMMUTABLE"
    assert nested(repo, "image_scanning_configuration")["scan_on_push"] is True
    assert nested(repo, "encryption_configuration")["encryption_type"] == "KMS"
    assert repo["force_delete"] is False
    policy = resources("aws_ecr_lifecycle_policy")["this"]
    assert policy["for_each"] == "${aws_ecr_repository.this}"
    assert "imageCountMoreThan" in policy["policy"] and "untagged" in policy["policy"]


def test_pod_identity_for_the_load_balancer_controller_and_the_app():
    modules = blocks("module")
    lbc = modules["aws_lb_controller_pod_identity"]
    assert lbc["attach_aws_lb_controller_policy"] is True
    (assoc,) = lbc["associations"].values()
    assert (assoc["namespace"], assoc["service_account"]) == (
        "kube-system",
        "aws-load-balancer-controller",
    )

    app = modules["app_pod_identity"]
    (assoc,) = app["associations"].values()
    assert assoc["namespace"] == "${var.app_namespace}"
    assert assoc["service_account"] == "${var.app_service_account}"
    assert app["source_policy_documents"] == ["${data.aws_iam_policy_document.app.json}"]

    statements = resources("aws_iam_policy_document", data=True)["app"]["statement"]
    actions = sorted(a for s in statements for a in s["actions"])
    assert actions == [
        "kms:Decrypt",
        "secretsmanager:DescribeSecret",
        "secretsmanager:GetSecretValue",
    ]
    secret = next(s for s in statements if "secretsmanager:GetSecretValue" in s["actions"])
    assert secret["resources"] == ["${module.db.db_instance_master_user_secret_arn}"]

    # External Secrets Operator's controller (docs/aws-path.md 5b, the Helm release's service
    # account) reads the same secret with the same policy, and nothing more.
    eso = modules["external_secrets_pod_identity"]
    (assoc,) = eso["associations"].values()
    assert (assoc["namespace"], assoc["service_account"]) == (
        "external-secrets",
        "external-secrets",
    )
    assert eso["source_policy_documents"] == ["${data.aws_iam_policy_document.app.json}"]
    assert "attach_aws_lb_controller_policy" not in eso


def test_github_oidc_roles_are_scoped_to_the_repository():
    docs = resources("aws_iam_policy_document", data=True)
    push = docs["github_ecr_push_trust"]["statement"][0]
    deploy = docs["github_deploy_trust"]["statement"][0]
    for statement, sub in [
        (push, "repo:${var.github_repository}:ref:refs/heads/main"),
        (deploy, "repo:${var.github_repository}:environment:${var.environment}"),
    ]:
        assert statement["actions"] == ["sts:AssumeRoleWithWebIdentity"]
        conditions = {c["variable"]: c for c in statement["condition"]}
        assert conditions["${local.github_oidc_host}:sub"]["values"] == [sub]
        assert conditions["${local.github_oidc_host}:sub"]["test"] == "StringEquals"
        assert conditions["${local.github_oidc_host}:aud"]["values"] == ["sts.amazonaws.com"]


# --- hygiene: credentials, variables, references -----------------------------------------------


def find_credentials(text: str) -> list[str]:
    hits = []
    for label, pattern in CREDENTIAL_PATTERNS.items():
        hits += [f"{label}: {m.group(0)!r}" for m in pattern.finditer(text)]
    return hits


def test_credential_scanner_catches_what_it_is_meant_to_catch():
    # A scanner that finds nothing proves nothing: it must flag these.
    leaked = {
        'access_key = "AKIAABCDEFGHIJKLMNOP"',
        "owner = 123456789012",
        'role = "arn:aws:iam::123456789012:role/x"',
        'aws_secret_access_key = "abc"',
        'password = "hunter2hunter2"',
    }
    for text in leaked:
        assert find_credentials(text), f"not flagged: {text}"
    assert not find_credentials('password = var.db_password\nregex("^[0-9]{12}$", id)')


def committable_files() -> list[Path]:
    """Files under terraform/ that git would commit: tracked, or new and not ignored (an
    operator's backend.hcl and *.local.tfvars are ignored on purpose: terraform/.gitignore)."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "terraform"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    return sorted(REPO_ROOT / name for name in listed if (REPO_ROOT / name).is_file())


def test_operator_files_are_ignored_by_git():
    ignored = subprocess.run(
        ["git", "check-ignore", "--no-index", "terraform/backend.hcl", "terraform/x.local.tfvars"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
    ).stdout.split()
    assert ignored == ["terraform/backend.hcl", "terraform/x.local.tfvars"]


@pytest.mark.parametrize("path", committable_files(), ids=lambda p: str(p.relative_to(TF_DIR)))
def test_no_credentials_or_account_ids_committed(path):
    assert not find_credentials(path.read_text(encoding="utf-8"))


def test_every_variable_is_described_and_typed():
    variables = blocks("variable")
    assert len(variables) >= 20
    for name, body in variables.items():
        assert len(body.get("description", "").strip()) >= 15, f"var.{name}: describe it"
        assert body.get("type"), f"var.{name}: give it a type"


def test_variables_are_validated():
    variables = blocks("variable")
    must_validate = {
        "project",
        "environment",
        "aws_region",
        "availability_zones",
        "vpc_cidr",
        "kubernetes_version",
        "cluster_endpoint_public_access_cidrs",
        "node_group_min_size",
        "node_group_max_size",
        "node_group_desired_size",
        "db_engine_version",
        "db_instance_class",
        "db_backup_retention_days",
        "github_repository",
    }
    # Free-form maps and booleans have nothing to validate; everything else must be.
    exempt = {n for n, b in variables.items() if b["type"] in ("bool", "${map(string)}")}
    assert must_validate <= set(variables)
    for name, body in variables.items():
        if name in exempt and name not in must_validate:
            continue
        validations = body.get("validation", [])
        assert validations, f"var.{name} has no validation block"
        for v in validations:
            assert f"var.{name}" in v["condition"], f"var.{name}: validation must test the value"
            assert len(v["error_message"]) > 20


@pytest.mark.parametrize("path", TFVARS_FILES, ids=lambda p: p.name)
def test_tfvars_set_only_declared_variables_and_every_required_one(path):
    variables = blocks("variable")
    values = tfvars(path)
    assert set(values) <= set(variables), f"undeclared: {sorted(set(values) - set(variables))}"
    required = {n for n, b in variables.items() if "default" not in b}
    assert required <= set(values), f"missing required: {sorted(required - set(values))}"
    assert values["environment"] == path.stem


@pytest.mark.parametrize("path", TFVARS_FILES, ids=lambda p: p.name)
def test_tfvars_values_pass_simple_validations(path):
    values = tfvars(path)
    assert values["environment"] in ("staging", "production")
    assert re.fullmatch(r"[a-z]{2}-[a-z]+-\d", values["aws_region"])
    assert all(z.startswith(values["aws_region"]) for z in values["availability_zones"])
    assert re.fullmatch(r"1\.3\d", values["kubernetes_version"])
    assert values["node_group_min_size"] <= values["node_group_desired_size"]
    assert values["node_group_desired_size"] <= values["node_group_max_size"]
    assert values["db_backup_retention_days"] >= 1


def test_exactly_one_environment_owns_the_shared_resources():
    owners = [p.stem for p in TFVARS_FILES if tfvars(p).get("create_shared_resources") is True]
    assert owners == ["production"]


def test_references_resolve_to_declarations():
    text = strip_comments(source_text())
    variables, locals_, modules = blocks("variable"), locals_defined(), blocks("module")
    for name in set(re.findall(r"\bvar\.([a-z0-9_]+)", text)):
        assert name in variables, f"var.{name} is used but not declared"
    for name in set(re.findall(r"\blocal\.([a-z0-9_]+)", text)):
        assert name in locals_, f"local.{name} is used but not defined"
    for name in set(re.findall(r"\bmodule\.([a-z0-9_]+)", text)):
        assert name in modules, f"module.{name} is used but not declared"
    unused = set(variables) - set(re.findall(r"\bvar\.([a-z0-9_]+)", text))
    assert not unused, f"declared but never used: {sorted(unused)}"


def test_outputs_an_operator_needs_next():
    outputs = blocks("output")
    for name in (
        "cluster_name",
        "kubeconfig_command",
        "ecr_repository_urls",
        "db_endpoint",
        "db_master_secret_arn",
        "github_deploy_role_arn",
        "app_pod_identity_role_arn",
    ):
        assert name in outputs, f"output {name} is missing"
    for name, body in outputs.items():
        assert body.get("description"), f"output {name}: describe it"
    assert "aws eks update-kubeconfig" in outputs["kubeconfig_command"]["value"]


# --- formatting (what `terraform fmt -check` in CI would reject) -------------------------------

OPENING, CLOSING = "([{", ")]}"


def structural_chars(line: str) -> tuple[list[tuple[int, str]], int | None]:
    """(column, char) of every character outside strings and comments; the comment's column."""
    found, i, in_string, interpolation = [], 0, False, 0
    while i < len(line):
        c = line[i]
        if in_string:
            if c == "\\":
                i += 2
                continue
            if line.startswith("${", i):
                interpolation += 1
                i += 2
                continue
            if c == "}" and interpolation:
                interpolation -= 1
            elif c == '"' and not interpolation:
                in_string = False
        elif c == '"':
            in_string = True
        elif c == "#" or line.startswith("//", i):
            return found, i
        else:
            found.append((i, c))
        i += 1
    return found, None


def fmt_problems(text: str) -> list[str]:
    """hclwrite's layout rules, as `terraform fmt` applies them: two-space indentation from a stack
    of per-line bracket counts, `=` aligned one space after the longest name within each run of
    consecutive single-line attributes (a line opening a multi-line value, a blank line, a comment
    or a brace ends the run), trailing comments of consecutive lines aligned, no trailing spaces."""
    problems, rows, stack = [], [], []
    for number, line in enumerate(text.splitlines(), 1):
        chars, comment = structural_chars(line)
        code = line if comment is None else line[:comment]
        net = sum((c in OPENING) - (c in CLOSING) for _, c in chars)
        if net < 0:
            closed = -net
            while closed and stack:
                take = min(closed, stack[-1])
                stack[-1] -= take
                closed -= take
                if not stack[-1]:
                    stack.pop()
        indent = 2 * len(stack)
        if net > 0:
            stack.append(net)
        if code.strip() and len(line) - len(line.lstrip(" ")) != indent:
            problems.append(
                f"line {number}: indented {len(line) - len(line.lstrip())}, not {indent}"
            )
        if line != line.rstrip():
            problems.append(f"line {number}: trailing whitespace")
        equals = None
        for col, c in chars:
            if (
                c == "="
                and line[col - 1 : col] not in "=!<>"
                and line[col + 1 : col + 2] not in "=>"
            ):
                after = sum((ch in OPENING) - (ch in CLOSING) for j, ch in chars if j > col)
                equals = (col, len(line[:col].rstrip())) if after == 0 else None
                break
        rows.append((number, equals, comment, len(code.rstrip()), bool(code.strip())))

    def check_runs(key, target, label):
        run: list = []
        for row in rows + [(0, None, None, 0, False)]:
            if key(row) is not None:
                run.append(row)
                continue
            want = max((target(r) for r in run), default=0) + 1
            problems.extend(f"line {r[0]}: {label} not aligned" for r in run if key(r) != want)
            run = []

    check_runs(lambda r: r[1][0] if r[1] else None, lambda r: r[1][1], "'='")
    check_runs(lambda r: r[2] if r[4] else None, lambda r: r[3], "comment")
    return problems


def test_fmt_checker_knows_terraform_fmt_layout():
    good = (
        'locals {\n  a   = 1\n  bcd = 2\n  policy = jsonencode({\n    Version = "1"\n'
        '    Statement = [{\n      Sid    = "A"\n      Action = "x"\n    }]\n  })\n}\n'
    )
    assert fmt_problems(good) == []
    assert fmt_problems("locals {\n  a = 1\n  bcd = 2\n}\n")  # not aligned
    assert fmt_problems("locals {\n   a = 1\n}\n")  # three spaces
    assert fmt_problems('x = 1 # one\ny = "long" # two\n')  # comments not aligned


@pytest.mark.parametrize("path", TF_FILES + TFVARS_FILES, ids=lambda p: p.name)
def test_files_are_laid_out_as_terraform_fmt_would(path):
    assert fmt_problems(path.read_text(encoding="utf-8")) == []


# --- checkov ---------------------------------------------------------------------------------------


def checkov_skips() -> list[tuple[str, str]]:
    """(check id, reason) for each skip-check entry, the reason being the comment on its line."""
    config = yaml.safe_load(CHECKOV_CONFIG.read_text(encoding="utf-8"))
    skips = []
    for check_id in config.get("skip-check", []):
        line = next(
            line
            for line in CHECKOV_CONFIG.read_text(encoding="utf-8").splitlines()
            if re.match(rf"\s*-\s*{re.escape(check_id)}\b", line)
        )
        skips.append((check_id, line.partition("#")[2].strip()))
    return skips


def test_every_checkov_skip_has_a_written_reason():
    config = yaml.safe_load(CHECKOV_CONFIG.read_text(encoding="utf-8"))
    assert config["framework"] == ["terraform"]
    for check_id, reason in checkov_skips():
        assert len(reason) >= 40, f"{check_id}: give the reason for skipping it"


@pytest.mark.parametrize("path", TFVARS_FILES, ids=lambda p: p.stem)
def test_checkov_terraform_checks_pass(path):
    result = subprocess.run(
        [
            tool("checkov"),
            "--config-file",
            str(CHECKOV_CONFIG),
            "--directory",
            str(TF_DIR),
            "--var-file",
            str(path),
            "--download-external-modules",
            "false",
            "--output",
            "json",
        ],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.stdout.strip(), f"checkov printed nothing: {result.stderr[-2000:]}"
    report = json.loads(result.stdout)
    reports = report if isinstance(report, list) else [report]
    assert [r["check_type"] for r in reports] == ["terraform"]
    summary = reports[0]["summary"]
    failed = [
        f"{c['check_id']} {c['resource']} ({c['file_path']})"
        for c in reports[0]["results"]["failed_checks"]
    ]
    assert summary["failed"] == 0, "checkov failures:\n" + "\n".join(failed)
    assert summary["passed"] >= 50, f"checkov scanned too little: {summary}"
    assert summary["parsing_errors"] == 0
    passed_ids = {c["check_id"] for c in reports[0]["results"]["passed_checks"]}
    # The checks that matter most for this stack ran and passed (not silently absent).
    assert {"CKV_AWS_7", "CKV_AWS_358", "CKV_AWS_23"} <= passed_ids
    if tfvars(path).get("create_shared_resources"):
        assert {"CKV_AWS_51", "CKV_AWS_163", "CKV_AWS_136"} <= passed_ids  # ECR
