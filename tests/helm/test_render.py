"""The chart lints and renders with the real Helm (v4), every render validates against the
schemas of the Kubernetes version the EKS clusters run (terraform var.kubernetes_version), and bad
values fail with a message that names the problem."""

import shutil
import tarfile

import pytest
import yaml

from tests.helm.chart import (
    CHART,
    CRD_KINDS,
    DASHBOARDS_DIR,
    KUBE_VERSION,
    NGINX_TEMPLATE,
    PRODUCTION_VALUES,
    RULES_DIR,
)
from tests.helm.conftest import SCENARIOS, kubernetes_validate


@pytest.mark.parametrize(
    "values", [[], ["-f", str(PRODUCTION_VALUES)]], ids=["default", "production"]
)
def test_helm_lint_strict(helm, values):
    result = helm.run("lint", "--strict", str(CHART), *values)
    assert "1 chart(s) linted, 0 chart(s) failed" in result.stdout, result.stdout + result.stderr
    assert "[ERROR]" not in result.stdout and "[WARNING]" not in result.stdout, result.stdout


def test_chart_metadata():
    chart = yaml.safe_load((CHART / "Chart.yaml").read_text())
    assert chart["apiVersion"] == "v2"
    assert chart["name"] == "learning-portal"
    assert chart["version"] and chart["appVersion"]
    assert chart["kubeVersion"] == ">=1.29.0-0"


def test_kubernetes_older_than_supported_is_refused(helm):
    result = helm.template(kube_version="1.28.0", check=False)
    assert result.returncode != 0
    assert "kubeVersion" in result.stderr or "incompatible" in result.stderr, result.stderr


@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_every_manifest_validates_strictly(validated, scenario):
    """kubernetes-validate --strict (unknown fields are errors) against the scenario's Kubernetes
    version. ServiceMonitor and PrometheusRule are Prometheus Operator CRDs: kubernetes-validate
    has no schema for them (it says so with a WARN, asserted here), so they are checked by the
    assertions of test_manifests.py instead."""
    r = validated[scenario]
    assert not r.errors, "\n".join(r.errors)
    expected = {
        f"{d['kind'].lower()}/{d['metadata']['name']}"
        for d in r.manifests.docs
        if d["kind"] not in CRD_KINDS
    }
    assert expected, "nothing rendered"
    assert r.passed == expected, f"not validated: {expected - r.passed}"
    crds = {d["kind"] for d in r.manifests.docs if d["kind"] in CRD_KINDS}
    for warning in r.warnings:
        assert "Couldn't find schema for kind" in warning, warning
        assert any(f"kind {kind} " in warning for kind in crds), warning
    assert len(r.warnings) == sum(1 for d in r.manifests.docs if d["kind"] in CRD_KINDS)


def test_validator_rejects_unknown_fields(rendered, tmp_path):
    """Negative control: the same validator call fails on a field Kubernetes does not know, so a
    pass above means something."""
    docs = list(rendered["default"].manifests.docs)
    broken = [yaml.safe_load(yaml.safe_dump(d)) for d in docs]
    deployment = next(d for d in broken if d["kind"] == "Deployment")
    deployment["spec"]["template"]["spec"]["containers"][0]["livenessProbes"] = {}
    path = tmp_path / "broken.yaml"
    path.write_text(yaml.safe_dump_all(broken))
    proc = kubernetes_validate([path], KUBE_VERSION)
    assert proc.returncode != 0
    assert "livenessProbes" in proc.stdout + proc.stderr


def test_scenarios_differ_as_intended(rendered):
    kinds = {s: r.manifests.kinds() for s, r in rendered.items()}
    assert "HorizontalPodAutoscaler" not in kinds["default"]
    assert "HorizontalPodAutoscaler" in kinds["autoscaling-on"]
    assert "PodDisruptionBudget" in kinds["default"]
    assert "PodDisruptionBudget" not in kinds["pdb-off"]
    assert "NetworkPolicy" in kinds["default"]
    assert "NetworkPolicy" not in kinds["networkpolicy-off"]
    assert "Ingress" in kinds["default"]
    assert "Ingress" not in kinds["ingress-off"]
    assert not CRD_KINDS & kinds["default"]
    assert kinds["monitoring-on"] >= CRD_KINDS
    assert not CRD_KINDS & kinds["monitoring-on-without-crds"]
    assert kinds["production"] >= CRD_KINDS
    assert not CRD_KINDS & kinds["production-without-monitoring-crds"]
    assert kinds["everything-off"] == {"ConfigMap", "Secret", "Service", "Deployment"}


# --- one source of truth: the chart's files are symlinks that Helm follows ---------------------


@pytest.mark.parametrize(
    ("link", "target"),
    [
        ("files/nginx/default.conf.template", NGINX_TEMPLATE),
        ("files/prometheus-rules", RULES_DIR),
        ("files/dashboards", DASHBOARDS_DIR),
    ],
)
def test_chart_files_are_symlinks_to_the_sources(link, target):
    path = CHART / link
    assert path.is_symlink(), f"{link} must be a symlink (one source of truth), not a copy"
    assert path.resolve() == target.resolve()
    assert not path.readlink().is_absolute(), "relative, so it works in every checkout"


def test_helm_package_resolves_the_symlinks(helm, tmp_path):
    """A packaged chart (what a chart repository or OCI registry would hold) carries the real
    content of the linked files, byte for byte."""
    helm.run("package", str(CHART), "--destination", str(tmp_path))
    (package,) = tmp_path.glob("learning-portal-*.tgz")
    with tarfile.open(package) as tar:
        members = {m.name: m for m in tar.getmembers()}

        def read(name: str) -> bytes:
            member = members[f"learning-portal/{name}"]
            assert member.isfile(), f"{name} is packaged as a link, not a file"
            return tar.extractfile(member).read()

        assert read("files/nginx/default.conf.template") == NGINX_TEMPLATE.read_bytes()
        for rule in RULES_DIR.glob("*.yaml"):
            assert read(f"files/prometheus-rules/{rule.name}") == rule.read_bytes()
        for dashboard in DASHBOARDS_DIR.glob("*.json"):
            assert read(f"files/dashboards/{dashboard.name}") == dashboard.read_bytes()
    # The package renders on its own, without the repository around it.
    result = helm.template("--set", "monitoring.grafanaDashboards.enabled=true", chart=package)
    assert "default.conf.template" in result.stdout


def test_chart_without_its_linked_files_fails_clearly(helm, tmp_path):
    """A copy of the chart that lost the nginx template (e.g. symlinks not followed by some tool)
    fails the render with a message saying what is missing, not with an empty ConfigMap."""
    copy = tmp_path / "learning-portal"
    shutil.copytree(CHART, copy, symlinks=True, ignore=shutil.ignore_patterns("files"))
    result = helm.template(chart=copy, check=False)
    assert result.returncode != 0
    assert "files/nginx/default.conf.template is missing" in result.stderr, result.stderr


# --- bad values fail the render with a clear message -------------------------------------------


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--set", "replicaCuont=2"], ["additional properties 'replicaCuont' not allowed"]),
        (["--set", "backend.replicaCuont=2"], ["/backend", "'replicaCuont' not allowed"]),
        (["--set", "backend.replicas=abc"], ["/backend/replicas", "want integer"]),
        (["--set", "ingress.alb.sheme=internal"], ["/ingress/alb", "'sheme' not allowed"]),
        (["--set", "ingress.alb.scheme=public"], ["/ingress/alb/scheme", "internet-facing"]),
        (["--set", "networkPolicy.database.port=99999"], ["/networkPolicy/database/port"]),
        (["--set", "secret.djangoSecretKey=too-short"], ["/secret/djangoSecretKey"]),
        (["--set", "backend.image.tag=latest"], ['the tag "latest" is not allowed']),
        (
            ["--set", "backend.terminationGracePeriodSeconds=20"],
            ["backend.terminationGracePeriodSeconds (20) must be at least", "= 40"],
        ),
        (
            ["--set", "frontend.terminationGracePeriodSeconds=10"],
            ["frontend.terminationGracePeriodSeconds (10) must exceed"],
        ),
        (
            ["--set", "config.extraEnv.DATABASE_URL=sqlite://"],
            ["config.extraEnv.DATABASE_URL: the chart sets DATABASE_URL itself"],
        ),
        (
            [
                "--set",
                "backend.autoscaling.enabled=true",
                "--set",
                "backend.autoscaling.minReplicas=30",
            ],
            ["backend.autoscaling: minReplicas (30) must not exceed maxReplicas (20)"],
        ),
        (["--set-json", "ingress.hosts=[]"], ["ingress.hosts: list at least one host name"]),
    ],
    ids=lambda v: " ".join(v) if isinstance(v, list) and v and v[0].startswith("--") else None,
)
def test_bad_values_fail_with_a_clear_message(helm, args, expected):
    result = helm.template(*args, check=False)
    assert result.returncode != 0, f"{args} rendered"
    for text in expected:
        assert text in result.stderr, f"{text!r} not in:\n{result.stderr}"


def test_values_file_typo_fails_too(helm, tmp_path):
    values = tmp_path / "typo.yaml"
    values.write_text("backend:\n  autoscaling:\n    enabeld: true\n")
    result = helm.template("-f", str(values), check=False)
    assert result.returncode != 0
    assert "/backend/autoscaling" in result.stderr and "'enabeld' not allowed" in result.stderr


# --- NOTES.txt ---------------------------------------------------------------------------------


def notes(helm, *args: str) -> str:
    result = helm.run(
        "install",
        "learning-portal",
        str(CHART),
        "--namespace",
        "learning-portal",
        "--dry-run=client",
        *args,
    )
    assert "NOTES:" in result.stdout, result.stdout
    return result.stdout.split("NOTES:", 1)[1]


def test_notes_tell_the_operator_what_to_do(helm):
    text = notes(helm)
    assert "ACTION REQUIRED: no database is configured" in text
    assert "ACTION REQUIRED: ingress.hosts still holds the example host" in text
    assert "helm test learning-portal" in text
    assert "kubectl -n learning-portal get ingress learning-portal" in text
    assert "createsuperuser" in text
    assert "helm rollback learning-portal" in text


def test_notes_of_a_configured_release_have_no_warnings(helm):
    text = notes(helm, "-f", str(PRODUCTION_VALUES), "--set", "secret.existingSecret=portal-env")
    assert "ACTION REQUIRED" not in text
    assert "https://portal.example.org/" in text
    # Monitoring asked for, but `install --dry-run=client` has no monitoring API: say so.
    assert "no ServiceMonitor was created" in text


def test_helm_is_v4(helm):
    version = helm.run("version", "--short").stdout
    assert version.startswith("v4."), version


def test_render_is_deterministic_with_explicit_secret_values(helm):
    args = ["--set", "secret.djangoSecretKey=" + "s" * 60]
    assert helm.template(*args).stdout == helm.template(*args).stdout
