"""observability/prometheus and observability/alertmanager: promtool checks and unit tests, and
the conventions every alert must follow (docs/CONTRACTS.md)."""

import re
import subprocess

import pytest
import yaml

from lessons.curriculum import parse_curriculum
from tests.tooling import REPO_ROOT, tool

PROM_DIR = REPO_ROOT / "observability" / "prometheus"
RULE_FILES = sorted((PROM_DIR / "rules").glob("*.yaml"))
TEST_FILES = sorted((PROM_DIR / "tests").glob("*.yaml"))
CONTRACT_ALERTS = {
    "PortalAvailabilityBudgetBurnFast",
    "PortalAvailabilityBudgetBurnSlow",
    "PortalLatencyBudgetBurnFast",
    "PortalLatencyBudgetBurnSlow",
    "PortalTargetDown",
    "PortalNotReady",
}
SLO_SELECTOR = (
    'job="learning-portal", view!~"healthz|readyz|prometheus-django-metrics|admin:.*|lab-.*|'
    '<unnamed view>"'
)


def promtool(*args: str, cwd=PROM_DIR) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [tool("promtool"), *args], cwd=cwd, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, f"promtool {' '.join(args)}:\n{result.stdout}\n{result.stderr}"
    return result


def all_rules():
    for path in RULE_FILES:
        for group in yaml.safe_load(path.read_text())["groups"]:
            for rule in group["rules"]:
                yield path, group, rule


def alerts():
    return [(path, rule) for path, _, rule in all_rules() if "alert" in rule]


def test_rule_and_test_files_exist():
    assert {p.name for p in RULE_FILES} >= {
        "portal-requests.yaml",
        "portal-slo.yaml",
        "portal-health.yaml",
    }
    assert TEST_FILES


def test_promtool_check_config():
    out = promtool("check", "config", "prometheus.yml").stdout
    assert "SUCCESS" in out
    # The config loads exactly the repository's rule files.
    assert f"{len(RULE_FILES)} rule files found" in out


def test_promtool_check_rules():
    out = promtool("check", "rules", *[str(p.relative_to(PROM_DIR)) for p in RULE_FILES]).stdout
    assert out.count("SUCCESS") == len(RULE_FILES)


def test_promtool_unit_tests_pass():
    out = promtool("test", "rules", *[str(p.relative_to(PROM_DIR)) for p in TEST_FILES])
    assert "FAILED" not in out.stdout + out.stderr


@pytest.mark.parametrize(
    "original,mutant",
    [
        ("> (14.4 * 0.001)", "> (1440 * 0.001)"),  # the 1h/5m pair never burns
        ("> (6 * 0.001)", "> (600 * 0.001)"),  # the 6h/30m pair never burns
        ("* 3600 >= 100", "* 3600 >= 0"),  # no minimum-traffic guard
        ("|lab-.*|", "|"),  # lab traffic counted in the SLO
    ],
)
def test_unit_tests_fail_when_a_rule_is_broken(tmp_path, original, mutant):
    """The unit tests can fail: each of these mutations of the fast-burn rules must be caught."""
    (tmp_path / "rules").mkdir()
    (tmp_path / "tests").mkdir()
    slo = (PROM_DIR / "rules" / "portal-slo.yaml").read_text()
    broken = slo.replace(original, mutant)
    assert broken != slo
    (tmp_path / "rules" / "portal-slo.yaml").write_text(broken)
    test_file = PROM_DIR / "tests" / "portal-slo-test.yaml"
    (tmp_path / "tests" / test_file.name).write_text(test_file.read_text())
    result = subprocess.run(
        [tool("promtool"), "test", "rules", f"tests/{test_file.name}"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode != 0
    assert "PortalAvailabilityBudgetBurnFast" in result.stdout + result.stderr


def test_alert_names_are_the_contract():
    assert {rule["alert"] for _, rule in alerts()} == CONTRACT_ALERTS
    contracts = (REPO_ROOT / "docs" / "CONTRACTS.md").read_text()
    for name in CONTRACT_ALERTS:
        assert f"`{name}`" in contracts


def _lesson_paths() -> set[str]:
    return {
        f"/tracks/{track.slug}/{lesson.slug}/"
        for track in parse_curriculum()
        for lesson in track.lessons
        if lesson.status == "published" and track.status == "published"
    }


@pytest.mark.parametrize("path,rule", alerts(), ids=lambda v: getattr(v, "name", None))
def test_every_alert_has_severity_summary_description_and_a_lesson_runbook(path, rule):
    assert rule["labels"]["severity"] in {"page", "ticket"}
    annotations = rule["annotations"]
    assert annotations["summary"].strip()
    assert len(annotations["description"].strip()) > 40
    # A lesson of the built-in curriculum: the runbook is part of the portal itself.
    assert annotations["runbook_url"] in _lesson_paths(), annotations["runbook_url"]


def test_every_alert_has_a_firing_and_a_quiet_unit_test():
    fires: set[str] = set()
    quiet: set[str] = set()
    for path in TEST_FILES:
        for case in yaml.safe_load(path.read_text())["tests"]:
            for check in case.get("alert_rule_test", []):
                (fires if check.get("exp_alerts") else quiet).add(check["alertname"])
    assert fires >= CONTRACT_ALERTS, f"no firing case for {CONTRACT_ALERTS - fires}"
    assert quiet >= CONTRACT_ALERTS, f"no quiet case for {CONTRACT_ALERTS - quiet}"


def test_slo_rules_all_use_the_one_exclusion_selector():
    slo_rules = [
        rule for path, _, rule in all_rules() if path.name == "portal-slo.yaml" and "record" in rule
    ]
    raw = [r for r in slo_rules if "django_http_" in r["expr"]]
    assert len(raw) == 3 * 8  # requests, errors, latency for 8 windows
    for rule in raw:
        selectors = re.findall(r"django_http_\w+\{([^}]*)\}", rule["expr"])
        assert selectors, rule["record"]
        for selector in selectors:
            assert selector.startswith(SLO_SELECTOR), (rule["record"], selector)


def test_recording_rules_read_the_names_metrics_really_expose():
    """Counters are exposed with `_total`; the names without it return nothing."""
    for _, _, rule in all_rules():
        for name in re.findall(r"\b(django_[a-z_]+)\{", rule["expr"]):
            assert name.endswith(("_total", "_bucket", "_count", "_sum")), name


def test_alertmanager_example_routes_every_severity_and_inhibits_known_alerts():
    config = yaml.safe_load(
        (REPO_ROOT / "observability" / "alertmanager" / "alertmanager.yml").read_text()
    )
    receivers = {r["name"] for r in config["receivers"]}
    route = config["route"]
    assert route["receiver"] in receivers
    routed = {}
    for sub in route["routes"]:
        assert sub["receiver"] in receivers
        for matcher in sub["matchers"]:
            m = re.fullmatch(r'severity="(\w+)"', matcher)
            if m:
                routed[m.group(1)] = sub["receiver"]
    assert routed == {"page": "pager", "ticket": "tickets"}
    severities = {rule["labels"]["severity"] for _, rule in alerts()}
    assert severities <= set(routed)
    for inhibit in config["inhibit_rules"]:
        for matcher in inhibit["source_matchers"] + inhibit["target_matchers"]:
            m = re.fullmatch(r'alertname(=~|=)"([^"]+)"', matcher)
            if m:
                pattern = m.group(2) if m.group(1) == "=~" else re.escape(m.group(2))
                assert any(re.fullmatch(pattern, a) for a in CONTRACT_ALERTS), matcher
