"""checkov's Kubernetes checks on the rendered manifests (default values, the production example
and the database password mounted from a Secret): zero failures. Skips live in
deploy/helm/.checkov.yaml, each with its reason."""

import json
import re
import shutil
import subprocess

import pytest
import yaml

from tests.helm.chart import CHECKOV_CONFIG
from tests.tooling import tool

SCANNED = ["default", "production", "database-password-file"]


@pytest.fixture(scope="module")
def checkov_report(rendered, tmp_path_factory):
    """One checkov run over all the renders (checkov takes seconds to start)."""
    directory = tmp_path_factory.mktemp("checkov")
    for scenario in SCANNED:
        shutil.copy(rendered[scenario].path, directory / f"{scenario}.yaml")
    proc = subprocess.run(
        [tool("checkov"), "--config-file", str(CHECKOV_CONFIG), "-d", str(directory), "-o", "json"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    try:
        report = json.loads(proc.stdout)
    except json.JSONDecodeError:
        pytest.fail(f"checkov gave no JSON (exit {proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    reports = report if isinstance(report, list) else [report]
    (k8s,) = [r for r in reports if r.get("check_type") == "kubernetes"]
    return k8s, proc.returncode


def test_checkov_finds_no_failures(checkov_report):
    report, returncode = checkov_report
    failed = [
        f"{c['check_id']} {c['check_name']}: {c['resource']} ({c['file_path']})"
        for c in report["results"]["failed_checks"]
    ]
    assert not failed, "\n".join(failed)
    assert report["summary"]["failed"] == 0
    assert report["summary"]["parsing_errors"] == 0
    assert returncode == 0


def test_checkov_scanned_every_render(checkov_report, rendered):
    report, _ = checkov_report
    passed = report["results"]["passed_checks"]
    files = {c["file_path"].rsplit("/", 1)[-1] for c in passed}
    assert files == {f"{s}.yaml" for s in SCANNED}
    resources = {c["resource"] for c in passed}
    for scenario in SCANNED:
        for doc in rendered[scenario].manifests.of_kind("Deployment"):
            assert any(doc["metadata"]["name"] in r for r in resources), doc["metadata"]["name"]
    assert report["summary"]["passed"] > 100


def test_every_checkov_skip_has_a_written_reason():
    """Each skipped check is preceded by a comment that says why (at least a sentence)."""
    config = yaml.safe_load(CHECKOV_CONFIG.read_text())
    assert config["framework"] == ["kubernetes"]
    skips = config.get("skip-check", [])
    lines = CHECKOV_CONFIG.read_text().splitlines()
    for skip in skips:
        (index,) = [n for n, line in enumerate(lines) if re.fullmatch(rf"\s*- {skip}", line)]
        reason = []
        n = index - 1
        while n >= 0 and lines[n].strip().startswith("#"):
            reason.insert(0, lines[n].strip("# ").strip())
            n -= 1
        assert len(" ".join(reason)) >= 60, f"{skip}: no written reason above it"
