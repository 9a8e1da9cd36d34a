"""Proof against a real Prometheus (issue 3).

The portal runs under gunicorn (3 workers, multiprocess metrics) on a throwaway PostgreSQL
database. Debian's Prometheus runs with the repository's own observability/prometheus/
prometheus.yml and rule files. The config is loaded and only these fields are changed: the scrape
target (app:8000 -> the test server), the Alertmanager target (-> an unused loopback port, so
nothing leaves the machine), scrape/evaluation intervals (1 s) and the rule file paths (absolute,
since the config is written to a temp dir). Rule groups that set their own `interval` (the 30-day
budget group: 5m) get 1 s too, in a copy made by `with_test_intervals` that changes nothing else.
Then, with learner traffic and lab errors flowing:

- every recording rule of the repository returns data (a finite value) via /api/v1/query;
- every expression of every dashboard panel, with its template variables substituted, does too;
- the availability burn-rate alert reaches pending or firing.

About the alert: PortalAvailabilityBudgetBurnFast looks at 1 h/5 m and 6 h/30 m windows and, by
design, never counts the lab (its views are excluded from the SLO). So the test adds a derived
copy of rules/portal-slo.yaml, built programmatically below (`short_window_copy`), in which:
windows are seconds instead of hours (5m -> 4s, ..., 30d -> 32s), `for` is 1 s, the recorded
series are renamed portal_test:* (no clash with the real ones), the alert gets the label
variant="test-short-windows", and the SLO selector is swapped for `view=~"lab-.*"` so that
lab-generated errors stand in for portal errors. Everything else (ratios, burn factors, both
window pairs, the minimum-traffic guard) is the real rule text. The real rules are loaded too,
and the test checks that they did NOT count the lab's errors.
"""

import json
import re
import subprocess
import threading
import time
from pathlib import Path

import pytest
import yaml

from tests.observability.client import Learner
from tests.support.gunicorn import free_port, run_gunicorn
from tests.support.prometheus import run_prometheus
from tests.tooling import REPO_ROOT, tool

PROM_DIR = REPO_ROOT / "observability" / "prometheus"
RULE_FILES = sorted((PROM_DIR / "rules").glob("*.yaml"))
DASHBOARDS = sorted((REPO_ROOT / "observability" / "grafana" / "dashboards").glob("*.json"))
SLO_SELECTOR = (
    'job="learning-portal", view!~"healthz|readyz|prometheus-django-metrics|admin:.*|lab-.*|'
    '<unnamed view>"'
)
LAB_SELECTOR = 'job="learning-portal", view=~"lab-.*"'
SHORT_WINDOWS = {
    "5m": "4s",
    "30m": "8s",
    "1h": "12s",
    "2h": "16s",
    "6h": "20s",
    "1d": "24s",
    "3d": "28s",
    "30d": "32s",
}
DASHBOARD_VARIABLES = {
    "$job": "learning-portal",
    "$namespace": ".*",
    "$__rate_interval": "1m",
    "$__range": "5m",
    "$__interval": "5s",
}
LESSONS = [
    "/tracks/kubernetes/health-probes/",
    "/tracks/service-levels/alerting-on-slos/",
    "/tracks/monitoring/histograms-and-percentiles/",
]


def short_window_copy(slo_rules: dict) -> dict:
    """The test-only variant of rules/portal-slo.yaml described in the module docstring."""
    copy = json.loads(json.dumps(slo_rules))  # a deep copy
    exprs = [rule["expr"] for group in copy["groups"] for rule in group["rules"]]
    # requests (1), errors (3) and latency (2) selectors per window: all swapped below.
    assert sum(expr.count(SLO_SELECTOR) for expr in exprs) == 6 * len(SHORT_WINDOWS)
    for group in copy["groups"]:
        group["name"] += ".test-short-windows"
        if "interval" in group:
            group["interval"] = "1s"
        for rule in group["rules"]:
            expr = rule["expr"].replace(SLO_SELECTOR, LAB_SELECTOR)
            expr = re.sub(r"portal:slo_", "portal_test:slo_", expr)
            for long, short in SHORT_WINDOWS.items():
                expr = expr.replace(f"[{long}]", f"[{short}]")
            assert "[1h]" not in expr and "portal:slo_" not in expr
            rule["expr"] = expr
            if "record" in rule:
                rule["record"] = rule["record"].replace("portal:slo_", "portal_test:slo_")
            else:
                rule["for"] = "1s"
                rule["labels"]["variant"] = "test-short-windows"
    return copy


def with_test_intervals(rules: dict) -> dict:
    """The same rules with every group's own `interval` set to 1 s (checked: nothing else)."""
    copy = json.loads(json.dumps(rules))
    for group in copy["groups"]:
        if "interval" in group:
            group["interval"] = "1s"
    strip = [{k: v for k, v in g.items() if k != "interval"} for g in rules["groups"]]
    assert [{k: v for k, v in g.items() if k != "interval"} for g in copy["groups"]] == strip
    return copy


def recording_rules() -> list[str]:
    return [
        rule["record"]
        for path in RULE_FILES
        for group in yaml.safe_load(path.read_text())["groups"]
        for rule in group["rules"]
        if "record" in rule
    ]


def dashboard_expressions() -> list[tuple[str, str, str]]:
    """(dashboard, panel title, expression with template variables substituted)."""
    found = []
    for path in DASHBOARDS:
        for panel in json.loads(path.read_text())["panels"]:
            for target in panel.get("targets", []):
                expr = target["expr"]
                # Longest names first: $__rate_interval before $__range.
                for name in sorted(DASHBOARD_VARIABLES, key=len, reverse=True):
                    expr = expr.replace(name, DASHBOARD_VARIABLES[name])
                assert "$" not in expr, expr
                found.append((path.name, panel["title"], expr))
    return found


class Traffic:
    """Learner-like traffic plus lab errors, in a background thread, until stopped."""

    def __init__(self, base_url: str):
        self.base_url = base_url
        self.stop_event = threading.Event()
        self.counts: dict[int, int] = {}
        self.thread = threading.Thread(target=self.run, daemon=True)

    def get(self, learner: Learner, path: str) -> None:
        try:
            status = learner.get(path)[0]
        except OSError:
            status = -1
        self.counts[status] = self.counts.get(status, 0) + 1

    def run(self) -> None:
        visitor = Learner(self.base_url)
        i = 0
        while not self.stop_event.is_set():
            self.get(visitor, LESSONS[i % len(LESSONS)])
            self.get(visitor, "/lab/status/?code=500")
            if i % 2 == 0:
                self.get(visitor, "/")
                self.get(visitor, "/lab/status/?code=200")
            if i % 5 == 0:
                self.get(visitor, "/tracks/kubernetes/")
                self.get(visitor, "/search/?q=burn+rate")
                self.get(visitor, "/no-such-page/")
                self.get(visitor, "/lab/delay/?ms=600")
                self.get(visitor, "/healthz")
                self.get(visitor, "/readyz")
            i += 1
            time.sleep(0.15)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop_event.set()
        self.thread.join(timeout=15)


def wait_until(check, timeout: float, interval: float = 0.5):
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result or time.monotonic() > deadline:
            return result
        time.sleep(interval)


@pytest.mark.integration
def test_real_prometheus_evaluates_every_rule_and_panel(portal_db_url, tmp_path):
    promtool = tool("promtool")
    slo_copy = tmp_path / "portal-slo-short-windows.yaml"
    slo_copy.write_text(
        yaml.safe_dump(
            short_window_copy(yaml.safe_load((PROM_DIR / "rules" / "portal-slo.yaml").read_text())),
            sort_keys=False,
        )
    )
    subprocess.run([promtool, "check", "rules", str(slo_copy)], check=True, capture_output=True)

    with run_gunicorn(database_url=portal_db_url, workers=3) as app:
        config = yaml.safe_load((PROM_DIR / "prometheus.yml").read_text())
        config["global"].update(
            {"scrape_interval": "1s", "scrape_timeout": "1s", "evaluation_interval": "1s"}
        )
        (job,) = config["scrape_configs"]
        assert job["job_name"] == "learning-portal"
        (static,) = job["static_configs"]
        assert static["targets"] == ["app:8000"]
        static["targets"] = [app.address]
        (alertmanager,) = config["alerting"]["alertmanagers"]
        alertmanager["static_configs"][0]["targets"] = [f"127.0.0.1:{free_port()}"]
        assert config["rule_files"] == ["rules/*.yaml"]
        rule_files = []
        for path in RULE_FILES:
            loaded = tmp_path / path.name
            loaded.write_text(yaml.safe_dump(with_test_intervals(yaml.safe_load(path.read_text()))))
            rule_files.append(str(loaded))
        config["rule_files"] = [*rule_files, str(slo_copy)]
        checked = tmp_path / "prometheus.yml"
        checked.write_text(yaml.safe_dump(config, sort_keys=False))
        result = subprocess.run(
            [promtool, "check", "config", str(checked)], capture_output=True, text=True
        )
        assert result.returncode == 0, result.stdout + result.stderr

        with run_prometheus(config) as prom, Traffic(app.url) as traffic:
            prom.wait_for_target_up("learning-portal")
            # Product events while Prometheus watches. Two learners, a few scrapes apart: a
            # labelled counter's series appears with its first increment already in it, and
            # increase() only sees what happens after the first scrape of a series.
            for name in ("prometheus-learner-1", "prometheus-learner-2"):
                time.sleep(2)
                learner = Learner(app.url)
                learner.sign_up(name)
                learner.answer_quiz(LESSONS[0])
                learner.complete(LESSONS[0])
            started = time.monotonic()

            # Every recording rule returns data.
            records = recording_rules()
            assert len(records) == 11 + 3 * len(SHORT_WINDOWS)

            def missing_records():
                return [r for r in records if not prom.finite_values(r)]

            missing = [] if wait_until(lambda: not missing_records(), 45) else missing_records()
            assert not missing, f"recording rules without data: {missing}\n{prom.logs()[-3000:]}"
            print(f"recording rules: data after {time.monotonic() - started:.1f}s")

            # Every dashboard panel expression returns data.
            expressions = dashboard_expressions()
            assert len(expressions) >= 50

            def missing_panels():
                return [(d, t, e) for d, t, e in expressions if not prom.finite_values(e)]

            missing = [] if wait_until(lambda: not missing_panels(), 20) else missing_panels()
            assert not missing, "panels without data:\n" + "\n".join(map(str, missing))
            print(f"dashboard panels: data after {time.monotonic() - started:.1f}s")

            # The availability burn-rate alert, on lab errors with the short-window copy.
            alert = (
                'ALERTS{alertname="PortalAvailabilityBudgetBurnFast", '
                'variant="test-short-windows", alertstate=~"pending|firing"}'
            )
            fired = wait_until(lambda: prom.query(alert), timeout=30)
            assert fired, (
                f"alert never pending/firing; test-copy ratio "
                f"{prom.query('portal_test:slo_errors:ratio_rate5m')}, guard "
                f"{prom.query('portal_test:slo_requests:rate1h')}"
            )
            print(
                f"alert {fired[0]['metric']['alertstate']} after {time.monotonic() - started:.1f}s"
            )
            assert fired[0]["metric"]["severity"] == "page"
            assert fired[0]["metric"]["job"] == "learning-portal"

            # The real SLO did not count the lab's errors: no error, no real alert.
            assert prom.finite_values("portal:slo_errors:ratio_rate5m") == [0.0]
            assert prom.finite_values("portal:slo_requests:rate5m")[0] > 0
            assert not prom.query(
                'ALERTS{alertname="PortalAvailabilityBudgetBurnFast", variant=""}'
            )
            # ...while the overview's error ratio for the lab view shows them.
            (lab_ratio,) = prom.finite_values(
                'job_view:django_http_errors:ratio_rate5m{view="lab-status"}'
            )
            assert lab_ratio > 0.3
            # Latency from the lab's 600 ms delays is visible per view.
            (lab_delay_p95,) = prom.finite_values(
                'job_view:django_http_request_duration_seconds:p95_5m{view="lab-delay"}'
            )
            assert lab_delay_p95 > 0.5
            # Product metrics made it through multiprocess mode into Prometheus.
            assert prom.finite_values('sum(portal_signups_total{job="learning-portal"})') == [2.0]
            assert prom.finite_values('sum(portal_worker_processes{job="learning-portal"})') == [
                3.0
            ]

        assert traffic.counts.get(500, 0) > 10, traffic.counts
        assert traffic.counts.get(-1, 0) == 0, traffic.counts


def test_dashboard_expressions_are_found_and_substituted():
    expressions = dashboard_expressions()
    assert {d for d, _, _ in expressions} == {p.name for p in DASHBOARDS}
    for _, _, expr in expressions:
        assert "$" not in expr and "{{" not in expr


def test_short_window_copy_keeps_the_alert_logic(tmp_path):
    original = yaml.safe_load((PROM_DIR / "rules" / "portal-slo.yaml").read_text())
    copy = short_window_copy(original)
    alerts = {r["alert"]: r for g in copy["groups"] for r in g["rules"] if "alert" in r}
    fast = alerts["PortalAvailabilityBudgetBurnFast"]
    assert "portal_test:slo_errors:ratio_rate1h" in fast["expr"]
    assert "(14.4 * 0.001)" in fast["expr"] and "(6 * 0.001)" in fast["expr"]
    assert ">= 100" in fast["expr"]
    records = [r for g in copy["groups"] for r in g["rules"] if "record" in r]
    assert all(r["record"].startswith("portal_test:") for r in records)
    assert all(LAB_SELECTOR in r["expr"] for r in records if "django_http" in r["expr"])
    assert not any(re.search(r"\[\d+[mhd]\]", r["expr"]) for r in records)
    out = Path(tmp_path / "copy.yaml")
    out.write_text(yaml.safe_dump(copy))
    subprocess.run([tool("promtool"), "check", "rules", str(out)], check=True, capture_output=True)
