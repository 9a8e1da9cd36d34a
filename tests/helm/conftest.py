"""Session fixtures: one Helm home, every values scenario rendered once, and one
kubernetes-validate run over all of them (the validator's start-up dominates its run time)."""

import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.helm.chart import (
    KUBE_VERSION,
    MONITORING_API,
    PRODUCTION_VALUES,
    Helm,
    Manifests,
)
from tests.tooling import tool

MONITORING_ON = [
    "--set",
    "monitoring.serviceMonitor.enabled=true",
    "--set",
    "monitoring.prometheusRule.enabled=true",
    "--set",
    "monitoring.grafanaDashboards.enabled=true",
]
AUTOSCALING_ON = [
    "--set",
    "backend.autoscaling.enabled=true",
    "--set",
    "frontend.autoscaling.enabled=true",
]
EVERYTHING_OFF = [
    "--set",
    "backend.podDisruptionBudget.enabled=false",
    "--set",
    "frontend.podDisruptionBudget.enabled=false",
    "--set",
    "backend.topologySpread.enabled=false",
    "--set",
    "frontend.topologySpread.enabled=false",
    "--set",
    "networkPolicy.enabled=false",
    "--set",
    "ingress.enabled=false",
    "--set",
    "migrations.enabled=false",
    "--set",
    "tests.enabled=false",
    "--set",
    "serviceAccount.create=false",
]

# The password Secret of the "database-password-file" scenario.
PASSWORD_SECRET = "portal-db-password"
PASSWORD_KEY = "db-password"

# Scenario id -> (helm template arguments, Kubernetes version). Every optional feature appears
# switched on and off; the CRD-based monitoring objects with and without the monitoring API.
SCENARIOS: dict[str, tuple[list[str], str]] = {
    "default": ([], KUBE_VERSION),
    "production": (["-f", str(PRODUCTION_VALUES), "--api-versions", MONITORING_API], KUBE_VERSION),
    "production-without-monitoring-crds": (["-f", str(PRODUCTION_VALUES)], KUBE_VERSION),
    "autoscaling-on": (AUTOSCALING_ON, KUBE_VERSION),
    "pdb-off": (
        [
            "--set",
            "backend.podDisruptionBudget.enabled=false",
            "--set",
            "frontend.podDisruptionBudget.enabled=false",
        ],
        KUBE_VERSION,
    ),
    "networkpolicy-off": (["--set", "networkPolicy.enabled=false"], KUBE_VERSION),
    "ingress-off": (["--set", "ingress.enabled=false"], KUBE_VERSION),
    "ingress-group-and-certificate": (
        [
            "--set",
            "ingress.alb.groupName=shared",
            "--set",
            "ingress.alb.groupOrder=10",
            "--set",
            "ingress.alb.certificateArn=arn:aws:acm:eu-west-1:111122223333:certificate/abc",
            "--set",
            "ingress.alb.sslRedirect=0",
        ],
        KUBE_VERSION,
    ),
    "monitoring-on": ([*MONITORING_ON, "--api-versions", MONITORING_API], KUBE_VERSION),
    "monitoring-on-without-crds": (MONITORING_ON, KUBE_VERSION),
    "existing-secret": (["--set", "secret.existingSecret=portal-env"], KUBE_VERSION),
    "chart-secret-values": (
        [
            "--set",
            "secret.djangoSecretKey=" + "k" * 64,
            "--set",
            "secret.databaseUrl=postgres://portal:pw@db.internal:5432/portal",
        ],
        KUBE_VERSION,
    ),
    # The database password from a mounted Secret (DATABASE_PASSWORD_FILE), with a non-default key
    # and the chart's own Secret for the rest (production sets it with existingSecret).
    "database-password-file": (
        [
            "--set",
            f"database.passwordSecret.name={PASSWORD_SECRET}",
            "--set",
            f"database.passwordSecret.key={PASSWORD_KEY}",
        ],
        KUBE_VERSION,
    ),
    "everything-off": (EVERYTHING_OFF, KUBE_VERSION),
    "everything-on": (
        [*MONITORING_ON, *AUTOSCALING_ON, "--api-versions", MONITORING_API],
        KUBE_VERSION,
    ),
    # Kubernetes 1.33, the version the chart was first validated for (clusters not yet upgraded).
    "kubernetes-1.33": ([], "1.33.0"),
    # The oldest Kubernetes the chart supports (Chart.yaml kubeVersion): no preStop sleep action.
    "kubernetes-1.29": ([], "1.29.0"),
}


@pytest.fixture(scope="session")
def helm(tmp_path_factory) -> Helm:
    return Helm(tmp_path_factory.mktemp("helm-home"))


@dataclass
class Rendered:
    manifests: Manifests
    path: Path
    kube_version: str
    # Filled by the kubernetes-validate run:
    passed: set[str] = field(default_factory=set)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


@pytest.fixture(scope="session")
def rendered(helm, tmp_path_factory) -> dict[str, Rendered]:
    """Every scenario rendered (into files, for the validators) and parsed."""
    out = tmp_path_factory.mktemp("rendered")
    result = {}
    for scenario, (args, kube_version) in SCENARIOS.items():
        text = helm.template(*args, kube_version=kube_version).stdout
        path = out / f"{scenario}.yaml"
        path.write_text(text)
        result[scenario] = Rendered(Manifests.parse(text), path, kube_version)
    return result


LINE = re.compile(r"^(INFO|WARN|ERROR) (\S+) (.*)$")
PASSED = re.compile(r"passed for resource (\S+) against version")


def kubernetes_validate(paths: list[Path], kube_version: str) -> subprocess.CompletedProcess:
    minor = ".".join(kube_version.split(".")[:2])
    return subprocess.run(
        [tool("kubernetes-validate"), "--strict", "-k", minor, *map(str, paths)],
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture(scope="session")
def validated(rendered) -> dict[str, Rendered]:
    """kubernetes-validate --strict once per Kubernetes version over all scenarios' files."""
    by_version: dict[str, list[Rendered]] = {}
    for r in rendered.values():
        by_version.setdefault(r.kube_version, []).append(r)
    by_path = {str(r.path): r for r in rendered.values()}
    for kube_version, items in by_version.items():
        proc = kubernetes_validate([r.path for r in items], kube_version)
        for line in (proc.stdout + proc.stderr).splitlines():
            m = LINE.match(line.strip())
            if not m or m.group(2) not in by_path:
                continue
            level, target, message = m.group(1), by_path[m.group(2)], m.group(3)
            if level == "ERROR":
                target.errors.append(message)
            elif level == "WARN":
                target.warnings.append(message)
            elif passed := PASSED.search(message):
                target.passed.add(passed.group(1))
        if proc.returncode != 0:
            assert any(r.errors for r in items), (
                f"kubernetes-validate failed without a per-file error:\n{proc.stdout}{proc.stderr}"
            )
    return rendered
