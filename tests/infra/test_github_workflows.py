"""GitHub Actions (.github/workflows/): actionlint (with shellcheck) and checkov's GitHub Actions
checks pass on every workflow, every third-party action is pinned to a full commit SHA, every job
has explicit least-privilege permissions, and CI/deploy do what issue 7 asks for."""

import json
import os
import re
import shlex
import subprocess
from functools import cache
from pathlib import Path

import pytest
import yaml

from tests.tooling import REPO_ROOT, VENV_BIN, tool

GITHUB_DIR = REPO_ROOT / ".github"
WORKFLOWS = sorted((GITHUB_DIR / "workflows").glob("*.y*ml"))
CI = GITHUB_DIR / "workflows" / "ci.yml"
DEPLOY = GITHUB_DIR / "workflows" / "deploy.yml"
DEPLOY_ENV = GITHUB_DIR / "workflows" / "deploy-environment.yml"

SHA_PIN = re.compile(r"^[^@\s]+@[0-9a-f]{40}$")
USES_LINE = re.compile(r"^\s*(?:-\s+)?uses:\s*(?P<ref>\S+)(?P<comment>\s+#.*)?$")
VERSION_COMMENT = re.compile(r"#\s*v\d+(\.\d+){1,2}\b")

# What a job may be granted beyond reading the repository, and why.
ALLOWED_WRITE_SCOPES = {"id-token"}  # GitHub OIDC for AWS; nothing writes to the repository


@cache
def load(path: Path) -> dict:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    # YAML 1.1 reads the bare key `on` as True.
    if True in data:
        data["on"] = data.pop(True)
    return data


def kube_version() -> str:
    """The clusters' Kubernetes version as CI renders and validates the chart (x.y.0)."""
    return f"{load(CI)['env']['KUBERNETES_VERSION']}.0"


def jobs(path: Path) -> dict[str, dict]:
    return load(path)["jobs"]


def steps(job: dict) -> list[dict]:
    return job.get("steps", [])


def all_run_scripts(path: Path) -> str:
    return "\n".join(s.get("run", "") for j in jobs(path).values() for s in steps(j))


def step_using(job: dict, action: str) -> dict:
    found = [s for s in steps(job) if s.get("uses", "").startswith(action + "@")]
    assert found, f"no step uses {action}"
    return found[0]


def test_the_expected_workflows_exist():
    assert {p.name for p in WORKFLOWS} >= {"ci.yml", "deploy.yml", "deploy-environment.yml"}


# --- linters ------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_actionlint_with_shellcheck_passes(path):
    env = {**os.environ, "PATH": f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    tool("shellcheck")  # actionlint checks every run: script with it; it must be there
    result = subprocess.run(
        [tool("actionlint"), "-verbose", "-no-color", str(path.relative_to(REPO_ROOT))],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert 'Rule "shellcheck" was disabled' not in output, output


@pytest.fixture(scope="module")
def checkov_report() -> dict:
    result = subprocess.run(
        [
            tool("checkov"),
            "--config-file",
            str(GITHUB_DIR / "checkov.yaml"),
            "--directory",
            str(REPO_ROOT),
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
    assert isinstance(report, dict) and report.get("check_type") == "github_actions", report
    return report


def test_checkov_github_actions_checks_pass(checkov_report):
    summary = checkov_report["summary"]
    failed = [
        f"{c['check_id']} {c['file_path']} {c['resource']}"
        for c in checkov_report["results"]["failed_checks"]
    ]
    assert summary["failed"] == 0, "\n".join(failed)
    assert summary["passed"] > 0
    assert summary["parsing_errors"] == 0


def test_checkov_scanned_every_workflow(checkov_report):
    # checkov silently ignores a workflow its bundled schema rejects (for example a newer key at
    # workflow level); "0 failed" would then prove nothing about that file.
    scanned = {Path(c["file_path"].lstrip("/")) for c in checkov_report["results"]["passed_checks"]}
    expected = {p.relative_to(REPO_ROOT) for p in WORKFLOWS}
    assert expected <= scanned, f"not scanned by checkov: {sorted(map(str, expected - scanned))}"
    ids = {c["check_id"] for c in checkov_report["results"]["passed_checks"]}
    assert {"CKV2_GHA_1", "CKV_GHA_2", "CKV_GHA_7"} <= ids


# --- supply chain: pinning -----------------------------------------------------------------------


def uses_lines(path: Path) -> list[tuple[int, str, str]]:
    found = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        match = USES_LINE.match(line)
        if match:
            found.append((number, match["ref"].strip("'\""), match["comment"] or ""))
    return found


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_every_third_party_action_is_pinned_to_a_full_commit_sha(path):
    refs = uses_lines(path)
    assert refs, f"{path.name} uses no action at all?"
    # The line scan and the YAML agree on how many `uses:` there are (nothing slipped past).
    yaml_uses = [s["uses"] for j in jobs(path).values() for s in steps(j) if "uses" in s]
    yaml_uses += [j["uses"] for j in jobs(path).values() if "uses" in j]
    assert sorted(r for _, r, _ in refs) == sorted(yaml_uses)
    for number, ref, comment in refs:
        if ref.startswith("./"):
            continue  # a workflow or action of this repository, pinned by the checkout itself
        assert SHA_PIN.match(ref), f"{path.name}:{number}: {ref} is not pinned to a 40-hex SHA"
        assert VERSION_COMMENT.search(comment), (
            f"{path.name}:{number}: say which release the SHA is, e.g. '# v1.2.3'"
        )


def test_one_sha_per_action_across_workflows():
    shas: dict[str, set[str]] = {}
    for path in WORKFLOWS:
        for _, ref, comment in uses_lines(path):
            if not ref.startswith("./"):
                action, sha = ref.split("@")
                shas.setdefault(action, set()).add(f"{sha} {comment.strip()}")
    mixed = {a: s for a, s in shas.items() if len(s) > 1}
    assert not mixed, f"different pins of the same action: {mixed}"


def test_pin_checker_rejects_tags_and_short_shas():
    for bad in ("actions/checkout@v5", "actions/checkout@08c6903", "actions/checkout@main"):
        assert not SHA_PIN.match(bad)
    assert SHA_PIN.match("actions/checkout@08c6903cd8c0fde910a37f88322edcfb5dd907a8")


# --- permissions, credentials, concurrency ----------------------------------------------------


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_workflow_permissions_are_read_only(path):
    assert load(path).get("permissions") == {"contents": "read"}


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_every_job_has_explicit_least_privilege_permissions(path):
    for name, job in jobs(path).items():
        assert "permissions" in job, f"{path.name}: job {name} has no explicit permissions"
        permissions = job["permissions"]
        assert isinstance(permissions, dict), f"{path.name}: {name}: no read-all/write-all"
        for scope, level in permissions.items():
            if level == "write":
                assert scope in ALLOWED_WRITE_SCOPES, f"{path.name}: {name} writes {scope}"
        uses_aws = any(
            s.get("uses", "").startswith("aws-actions/configure-aws-credentials@")
            for s in steps(job)
        ) or job.get("uses", "").startswith("./.github/workflows/deploy-environment")
        assert (permissions.get("id-token") == "write") == uses_aws, (
            f"{path.name}: {name}: id-token: write exactly where OIDC to AWS is used"
        )


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_no_long_lived_cloud_credentials(path):
    text = path.read_text(encoding="utf-8")
    for needle in ("aws-access-key-id", "aws-secret-access-key", "AWS_SECRET_ACCESS_KEY"):
        assert needle not in text
    assert not re.search(r"\b\d{12}\b", text), "no account ids in workflows"
    assert "secrets." not in text, "no repository secrets are needed (OIDC and variables)"
    for job in jobs(path).values():
        for step in steps(job):
            if step.get("uses", "").startswith("aws-actions/configure-aws-credentials@"):
                assert re.fullmatch(r"\$\{\{ vars\.[A-Z_]+ \}\}", step["with"]["role-to-assume"])


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_untrusted_event_data_never_reaches_a_shell_directly(path):
    # github.event.* in a run: script is a script-injection hole; pass it through env: instead.
    for name, job in jobs(path).items():
        for step in steps(job):
            assert "github.event." not in step.get("run", ""), f"{path.name}: {name}"
            assert "inputs." not in step.get("run", ""), f"{path.name}: {name}"


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_checkouts_do_not_persist_the_token(path):
    for job in jobs(path).values():
        for step in steps(job):
            if step.get("uses", "").startswith("actions/checkout@"):
                assert step["with"]["persist-credentials"] is False


def test_concurrency_groups():
    ci = load(CI)["concurrency"]
    assert "github.ref" in ci["group"] and ci["cancel-in-progress"] is True
    assert "github.sha" in ci["group"], "main runs get their own group: never cancelled"
    assert load(DEPLOY)["concurrency"]["cancel-in-progress"] is False
    (deploy_job,) = jobs(DEPLOY_ENV).values()
    assert deploy_job["concurrency"]["cancel-in-progress"] is False
    assert "inputs.environment" in deploy_job["concurrency"]["group"]


# --- CI content ------------------------------------------------------------------------------------


def test_ci_runs_on_push_and_pull_request():
    on = load(CI)["on"]
    assert "pull_request" in on and on["push"]["branches"] == ["main"]
    assert "pull_request_target" not in on


def test_ci_runs_every_check_of_the_issue():
    scripts = all_run_scripts(CI)
    for command in [
        "uv run ruff check",
        "uv run ruff format --check",
        "manage.py makemigrations --check --dry-run",
        "promtool test rules observability/prometheus/tests/*.yaml",
        "helm lint --strict",
        "helm template",
        "kubernetes-validate --strict",
        "hadolint Dockerfile deploy/nginx/Dockerfile",
        "checkov --config-file terraform/.checkov.yaml",
        "checkov --config-file .github/checkov.yaml",
        "checkov --config-file tests/serving/checkov-dockerfile.yaml",
        "terraform fmt -check",
        "terraform init -backend=false",
        "terraform validate",
        "pytest -m browser",
        "scripts/install-test-tools.sh",
    ]:
        assert command in scripts, f"CI does not run: {command}"
    setup_tf = step_using(jobs(CI)["terraform"], "hashicorp/setup-terraform")
    assert setup_tf["with"]["terraform_wrapper"] is False


def test_ci_tests_run_on_sqlite_and_on_a_postgresql_service():
    ci_jobs = jobs(CI)
    pg = ci_jobs["tests-postgres"]
    assert pg["services"]["postgres"]["image"].startswith("postgres:17")
    assert pg["env"]["DATABASE_URL"].startswith("postgres://")
    assert "@postgres:5432/" in pg["env"]["DATABASE_URL"]
    sqlite_run = " ".join(s.get("run", "") for s in steps(ci_jobs["tests-sqlite"]))
    assert "env -u DATABASE_URL uv run pytest" in sqlite_run
    assert "DATABASE_URL" not in ci_jobs["tests-sqlite"].get("env", {})


def test_ci_validates_manifests_for_the_version_terraform_deploys():
    terraform = (REPO_ROOT / "terraform" / "variables.tf").read_text(encoding="utf-8")
    block = terraform.split('variable "kubernetes_version"', 1)[1].split("\n}\n", 1)[0]
    default = re.search(r'default\s*=\s*"([0-9.]+)"', block)[1]
    assert kube_version() == f"{default}.0"
    for tfvars in sorted((REPO_ROOT / "terraform" / "environments").glob("*.tfvars")):
        pinned = re.search(r'kubernetes_version\s*=\s*"([0-9.]+)"', tfvars.read_text("utf-8"))
        assert pinned and pinned[1] == default, tfvars.name


def test_uv_is_cached_wherever_dependencies_are_installed():
    for name, job in jobs(CI).items():
        if any("uv sync" in s.get("run", "") for s in steps(job)):
            setup = step_using(job, "astral-sh/setup-uv")
            assert setup["with"]["enable-cache"] is True, name
            assert setup["with"]["cache-dependency-glob"] == "uv.lock", name


def test_images_are_built_scanned_and_pushed_only_from_main():
    ci_jobs = jobs(CI)
    images = ci_jobs["images"]
    checks = set(ci_jobs) - {"images"}
    assert set(images["needs"]) == checks, "images wait for every check"
    assert {i["image"] for i in images["strategy"]["matrix"]["include"]} == {
        "learning-portal",
        "learning-portal-nginx",
    }
    step_using(images, "docker/setup-buildx-action")
    build = step_using(images, "docker/build-push-action")
    assert build["with"]["push"] is False and build["with"]["load"] is True
    assert "type=gha" in build["with"]["cache-from"]
    trivy = step_using(images, "aquasecurity/trivy-action")
    assert str(trivy["with"]["exit-code"]) == "1"
    assert set(trivy["with"]["severity"].split(",")) == {"HIGH", "CRITICAL"}
    main_only = "github.event_name == 'push' && github.ref == 'refs/heads/main'"
    aws = step_using(images, "aws-actions/configure-aws-credentials")
    login = step_using(images, "aws-actions/amazon-ecr-login")
    push = next(s for s in steps(images) if "docker push" in s.get("run", ""))
    for step in (aws, login, push):
        assert step["if"] == main_only
    order = [steps(images).index(s) for s in (build, trivy, aws, login, push)]
    assert order == sorted(order), "build, then scan, then (main only) push"
    assert "$IMAGE_TAG" in push["run"] and images["env"]["IMAGE_TAG"] == "${{ github.sha }}"


# --- deploy ------------------------------------------------------------------------------------------


def test_deploy_triggers_on_successful_ci_of_main_and_by_hand_without_inputs():
    on = load(DEPLOY)["on"]
    assert on["workflow_run"] == {"workflows": ["CI"], "types": ["completed"], "branches": ["main"]}
    assert on["workflow_dispatch"] in (None, {}), "no dispatch inputs (checkov CKV_GHA_7)"
    guard = jobs(DEPLOY)["commit"]["if"]
    for needle in (
        "workflow_run.conclusion == 'success'",
        "workflow_run.event == 'push'",
        "head_repository.full_name == github.repository",
    ):
        assert needle in guard


def test_deploy_goes_to_staging_then_to_production_with_the_same_sha():
    deploy_jobs = jobs(DEPLOY)
    staging, production = deploy_jobs["staging"], deploy_jobs["production"]
    for job, env in ((staging, "staging"), (production, "production")):
        assert job["uses"] == "./.github/workflows/deploy-environment.yml"
        assert job["with"]["environment"] == env
        assert job["with"]["image-tag"] == "${{ needs.commit.outputs.sha }}"
    assert "staging" in production["needs"]
    (helm_job,) = jobs(DEPLOY_ENV).values()
    assert helm_job["environment"]["name"] == "${{ inputs.environment }}"


def test_deploy_runs_helm_upgrade_install_atomically_with_the_commit_sha_as_tag():
    (helm_job,) = jobs(DEPLOY_ENV).values()
    upgrade = next(s["run"] for s in steps(helm_job) if "helm upgrade" in s.get("run", ""))
    assert "helm upgrade --install" in upgrade
    # Helm 4 renamed --atomic to --rollback-on-failure (the old flag is deprecated).
    assert "--rollback-on-failure" in upgrade or "--atomic" in upgrade
    assert "--wait" in upgrade and "--timeout" in upgrade
    for key in ("backend.image.tag", "frontend.image.tag"):
        assert f'{key}="$IMAGE_TAG"' in upgrade
    # The chart's EKS profile first, the environment's own values over it.
    profile = upgrade.index('--values "$CHART/values-production.yaml"')
    assert profile < upgrade.index('--values "$RUNNER_TEMP/environment-values.yaml"')
    chart = REPO_ROOT / "deploy" / "helm" / "learning-portal"
    values = yaml.safe_load((chart / "values.yaml").read_text(encoding="utf-8"))
    for section in ("backend", "frontend"):
        assert {"repository", "tag"} <= set(values[section]["image"]), "chart value names"
    assert "existingSecret" in values["secret"]
    assert helm_job["env"]["IMAGE_TAG"] == "${{ inputs.image-tag }}"
    checkout = step_using(helm_job, "actions/checkout")
    assert checkout["with"]["ref"] == "${{ inputs.image-tag }}"
    assert any("helm test" in s.get("run", "") for s in steps(helm_job))


def documented_environment_values() -> dict:
    """The HELM_VALUES example of docs/aws-path.md (the first yaml block after its heading)."""
    doc = (REPO_ROOT / "docs" / "aws-path.md").read_text(encoding="utf-8")
    after = doc.split("`HELM_VALUES` for production", 1)[1]
    block = re.search(r"```yaml\n(.*?)```", after, re.S)
    assert block, "docs/aws-path.md: no HELM_VALUES example"
    return yaml.safe_load(block[1])


def test_deploy_command_renders_the_chart_with_the_documented_values(tmp_path):
    """Run the workflow's own helm arguments through `helm template`: the chart's schema
    (which rejects unknown keys) accepts every --set-string, and the images land where expected."""
    (helm_job,) = jobs(DEPLOY_ENV).values()
    script = next(s["run"] for s in steps(helm_job) if "helm upgrade" in s.get("run", ""))
    command = next(
        line
        for line in script.replace("\\\n", " ").splitlines()
        if line.strip().startswith("helm upgrade")
    )
    env_file = tmp_path / "environment-values.yaml"
    env_file.write_text(yaml.safe_dump(documented_environment_values()), encoding="utf-8")
    sha = "0123456789abcdef0123456789abcdef01234567"
    variables = {
        **load(DEPLOY_ENV)["env"],
        "RUNNER_TEMP": str(tmp_path),
        "REGISTRY": "registry.example/portal",
        "IMAGE_TAG": sha,
    }
    args = [re.sub(r"\$(\w+)", lambda m: variables[m[1]], a) for a in shlex.split(command)]
    assert args[:4] == ["helm", "upgrade", "--install", variables["RELEASE"]]
    template_args, i = [], 5
    while i < len(args):
        if args[i] in ("--namespace", "--values", "--set-string"):
            template_args += args[i : i + 2]
            i += 2
        else:
            i += 1  # --rollback-on-failure, --wait, --timeout 15m, --history-max 20: install-only
            if args[i - 1] in ("--timeout", "--history-max"):
                i += 1
    helm_home = tmp_path / "helm"
    result = subprocess.run(
        [tool("helm"), "template", variables["RELEASE"], args[4], "--kube-version", kube_version()]
        + template_args,
        cwd=REPO_ROOT,
        env={
            **os.environ,
            "HELM_CACHE_HOME": str(helm_home / "cache"),
            "HELM_CONFIG_HOME": str(helm_home / "config"),
            "HELM_DATA_HOME": str(helm_home / "data"),
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    docs = [d for d in yaml.safe_load_all(result.stdout) if d]
    images = {
        c["image"]
        for d in docs
        if d["kind"] in ("Deployment", "Job")
        for c in d["spec"]["template"]["spec"]["containers"]
    }
    assert f"registry.example/portal/learning-portal:{sha}" in images
    assert f"registry.example/portal/learning-portal-nginx:{sha}" in images
    assert not {i for i in images if not i.endswith(sha)}, images
    (ingress,) = [d for d in docs if d["kind"] == "Ingress"]
    assert ingress["spec"]["rules"][0]["host"] == "portal.example.org"
    assert "alb.ingress.kubernetes.io/certificate-arn" in ingress["metadata"]["annotations"]
    assert variables["SECRET_NAME"] in result.stdout
    for secret in (d for d in docs if d["kind"] == "Secret"):
        assert "DATABASE_URL" not in {**secret.get("data", {}), **secret.get("stringData", {})}, (
            "with existingSecret the chart must not render a database Secret of its own"
        )


def test_deploy_documents_rollback():
    text = DEPLOY.read_text(encoding="utf-8")
    assert "ROLLBACK" in text and "helm rollback" in text and "helm history" in text


# --- dependabot -----------------------------------------------------------------------------------


def test_dependabot_keeps_the_pins_fresh():
    config = yaml.safe_load((GITHUB_DIR / "dependabot.yml").read_text(encoding="utf-8"))
    ecosystems = {u["package-ecosystem"] for u in config["updates"]}
    assert {"github-actions", "uv", "terraform", "docker"} <= ecosystems
