"""Writes the portal's Grafana dashboards (observability/grafana/dashboards/*.json).

    uv run python observability/grafana/build_dashboards.py

The JSON files are what Grafana loads (compose provisioning, the Helm chart's ConfigMaps); this
script is their source, so the three dashboards share one layout, one set of template variables
and the same selectors. tests/observability/test_dashboards.py fails when a JSON file differs
from what this script writes, and the Prometheus integration test runs every expression below.

Every dashboard has the template variables `datasource` (type datasource: pick any Prometheus,
no import placeholders), `job` and `namespace` (absent in compose: "All" matches series without
the label). Queries use the recording rules of observability/prometheus/rules/ where one exists.
"""

import json
from pathlib import Path

OUT = Path(__file__).resolve().parent / "dashboards"
DS = {"type": "prometheus", "uid": "${datasource}"}
SEL = 'job=~"$job", namespace=~"$namespace"'
AVAILABILITY_BUDGET = 0.001  # 99.9%
LATENCY_BUDGET = 0.01  # 99% within 0.5 s
BURN_WINDOWS = ["5m", "30m", "1h", "2h", "6h", "1d", "3d"]


def variables() -> list[dict]:
    return [
        {
            "name": "datasource",
            "label": "Data source",
            "type": "datasource",
            "query": "prometheus",
            "current": {},
            "hide": 0,
            "includeAll": False,
            "multi": False,
            "options": [],
            "refresh": 1,
            "regex": "",
        },
        {
            "name": "job",
            "label": "Job",
            "type": "query",
            "datasource": DS,
            "definition": "label_values(job:django_http_responses:rate5m, job)",
            "query": {
                "query": "label_values(job:django_http_responses:rate5m, job)",
                "refId": "PrometheusVariableQueryEditor-VariableQuery",
            },
            "current": {"selected": True, "text": "learning-portal", "value": "learning-portal"},
            "hide": 0,
            "includeAll": False,
            "multi": False,
            "options": [],
            "refresh": 2,
            "regex": "",
            "sort": 1,
        },
        {
            "name": "namespace",
            "label": "Namespace",
            "type": "query",
            "datasource": DS,
            "definition": 'label_values(job:django_http_responses:rate5m{job=~"$job"}, namespace)',
            "query": {
                "query": 'label_values(job:django_http_responses:rate5m{job=~"$job"}, namespace)',
                "refId": "PrometheusVariableQueryEditor-VariableQuery",
            },
            # "All" is ".*", which also matches series without a namespace label (compose).
            "allValue": ".*",
            "current": {"selected": True, "text": ["All"], "value": ["$__all"]},
            "hide": 0,
            "includeAll": True,
            "multi": True,
            "options": [],
            "refresh": 2,
            "regex": "",
            "sort": 1,
        },
    ]


class Layout:
    """Places panels left to right on Grafana's 24-column grid and numbers them."""

    def __init__(self):
        self.panels: list[dict] = []
        self.x = 0
        self.y = 0
        self.row_height = 0
        self.next_id = 1

    def row(self, title: str) -> None:
        self._newline()
        self.panels.append(
            {
                "id": self._id(),
                "type": "row",
                "title": title,
                "collapsed": False,
                "gridPos": {"h": 1, "w": 24, "x": 0, "y": self.y},
                "panels": [],
            }
        )
        self.y += 1

    def add(self, panel: dict, w: int, h: int) -> None:
        if self.x + w > 24:
            self._newline()
        panel["id"] = self._id()
        panel["gridPos"] = {"h": h, "w": w, "x": self.x, "y": self.y}
        self.panels.append(panel)
        self.x += w
        self.row_height = max(self.row_height, h)

    def _newline(self) -> None:
        if self.x:
            self.y += self.row_height
        self.x = 0
        self.row_height = 0

    def _id(self) -> int:
        self.next_id += 1
        return self.next_id - 1


def target(expr: str, legend: str = "", ref: str = "A", instant: bool = False) -> dict:
    t = {"datasource": DS, "refId": ref, "expr": expr, "legendFormat": legend or "__auto"}
    if instant:
        t["instant"] = True
        t["range"] = False
    else:
        t["range"] = True
    return t


def targets(*pairs: tuple[str, str]) -> list[dict]:
    return [target(expr, legend, ref=chr(ord("A") + i)) for i, (expr, legend) in enumerate(pairs)]


def thresholds(*steps: tuple[float | None, str]) -> dict:
    return {"mode": "absolute", "steps": [{"color": c, "value": v} for v, c in steps]}


def timeseries(
    title: str,
    description: str,
    tgts: list[dict],
    unit: str,
    *,
    stack: bool = False,
    min_: float | None = 0,
    max_: float | None = None,
    threshold_lines: list[tuple[float, str]] | None = None,
) -> dict:
    defaults: dict = {
        "unit": unit,
        "custom": {
            "drawStyle": "line",
            "lineWidth": 1,
            "fillOpacity": 10 if stack else 0,
            "showPoints": "never",
            "spanNulls": False,
            "stacking": {"mode": "normal" if stack else "none", "group": "A"},
        },
    }
    if min_ is not None:
        defaults["min"] = min_
    if max_ is not None:
        defaults["max"] = max_
    if threshold_lines:
        defaults["thresholds"] = thresholds(
            (None, "transparent"), *[(v, c) for v, c in threshold_lines]
        )
        defaults["custom"]["thresholdsStyle"] = {"mode": "line+area"}
    return {
        "type": "timeseries",
        "title": title,
        "description": description,
        "datasource": DS,
        "targets": tgts,
        "fieldConfig": {"defaults": defaults, "overrides": []},
        "options": {
            "legend": {"displayMode": "table", "placement": "bottom", "calcs": ["mean", "max"]},
            "tooltip": {"mode": "multi", "sort": "desc"},
        },
    }


def stat(
    title: str,
    description: str,
    tgts: list[dict],
    unit: str,
    steps: dict | None = None,
    decimals: int | None = None,
    text_mode: str = "auto",
) -> dict:
    defaults: dict = {"unit": unit, "thresholds": steps or thresholds((None, "blue"))}
    if decimals is not None:
        defaults["decimals"] = decimals
    return {
        "type": "stat",
        "title": title,
        "description": description,
        "datasource": DS,
        "targets": tgts,
        "fieldConfig": {"defaults": defaults, "overrides": []},
        "options": {
            "reduceOptions": {"calcs": ["lastNotNull"], "fields": "", "values": False},
            "colorMode": "value",
            "graphMode": "area",
            "justifyMode": "auto",
            "textMode": text_mode,
        },
    }


def bargauge(title: str, description: str, tgts: list[dict], unit: str) -> dict:
    return {
        "type": "bargauge",
        "title": title,
        "description": description,
        "datasource": DS,
        "targets": tgts,
        "fieldConfig": {
            "defaults": {"unit": unit, "min": 0, "thresholds": thresholds((None, "blue"))},
            "overrides": [],
        },
        "options": {
            "displayMode": "basic",
            "orientation": "horizontal",
            "reduceOptions": {"calcs": ["lastNotNull"], "fields": "", "values": False},
            "showUnfilled": True,
        },
    }


def dashboard(uid: str, title: str, description: str, layout: Layout, time_from: str) -> dict:
    return {
        "uid": uid,
        "title": title,
        "description": description,
        "tags": ["learning-portal"],
        "timezone": "utc",
        "editable": True,
        "graphTooltip": 1,
        "refresh": "30s",
        "schemaVersion": 39,
        "version": 1,
        "time": {"from": time_from, "to": "now"},
        "timepicker": {},
        "annotations": {"list": []},
        "links": [
            {
                "title": "Portal dashboards",
                "type": "dashboards",
                "tags": ["learning-portal"],
                "asDropdown": True,
                "includeVars": True,
                "keepTime": True,
            }
        ],
        "templating": {"list": variables()},
        "panels": layout.panels,
    }


# --- Portal overview ----------------------------------------------------------------------------
def overview() -> dict:
    lay = Layout()
    lay.row("Traffic and errors")
    lay.add(
        stat(
            "Request rate",
            "Responses per second over 5 minutes, all views (probes, /metrics and the lab too).",
            [target(f"sum(job:django_http_responses:rate5m{{{SEL}}})", "requests/s")],
            "reqps",
        ),
        w=6,
        h=4,
    )
    lay.add(
        stat(
            "Error ratio (5xx)",
            "Share of responses with a 5xx status over 5 minutes, all views. The SLO dashboard "
            "shows the ratio that counts against the error budget (no lab, no probes).",
            [
                target(
                    "(sum(job_view_status_class:django_http_responses:rate5m"
                    f'{{{SEL}, status_class="5xx"}}) or vector(0))\n'
                    f"/ sum(job:django_http_responses:rate5m{{{SEL}}})",
                    "5xx ratio",
                )
            ],
            "percentunit",
            thresholds((None, "green"), (0.001, "orange"), (0.01, "red")),
            decimals=2,
        ),
        w=6,
        h=4,
    )
    lay.add(
        stat(
            "Latency p95",
            "95th percentile of request duration over 5 minutes, all views (the slowest "
            "namespace when several are selected).",
            [target(f"max(job:django_http_request_duration_seconds:p95_5m{{{SEL}}})", "p95")],
            "s",
            thresholds((None, "green"), (0.25, "orange"), (0.5, "red")),
        ),
        w=4,
        h=4,
    )
    lay.add(
        stat(
            "Active workers",
            "gunicorn workers that loaded the app (portal_worker_processes, summed over live "
            "workers of every pod).",
            [target(f"sum(portal_worker_processes{{{SEL}}})", "workers")],
            "none",
        ),
        w=4,
        h=4,
    )
    lay.add(
        stat(
            "Running versions",
            "portal_build_info: pods per version and git commit. Two versions = a rollout.",
            [
                target(
                    f"count by (version, commit) (portal_build_info{{{SEL}}})",
                    "{{version}} ({{commit}})",
                )
            ],
            "none",
            text_mode="value_and_name",
        ),
        w=4,
        h=4,
    )
    lay.add(
        timeseries(
            "Request rate by view",
            "Responses per second by Django view name (the `view` label). lab-* views are the "
            "failure lab; healthz/readyz are probes; prometheus-django-metrics is the scrape.",
            [
                target(
                    f"sum by (view) (job_view:django_http_responses:rate5m{{{SEL}}})",
                    "{{view}}",
                )
            ],
            "reqps",
            stack=True,
        ),
        w=12,
        h=8,
    )
    lay.add(
        timeseries(
            "Request rate by status class",
            "Responses per second by status class (2xx, 3xx, 4xx, 5xx).",
            [
                target(
                    "sum by (status_class) "
                    f"(job_view_status_class:django_http_responses:rate5m{{{SEL}}})",
                    "{{status_class}}",
                )
            ],
            "reqps",
            stack=True,
        ),
        w=12,
        h=8,
    )
    lay.add(
        timeseries(
            "Error ratio by view",
            "Share of 5xx responses per view (only views that had a 5xx in the window) and over "
            "all views.",
            targets(
                (
                    "sum by (view) (job_view_status_class:django_http_responses:rate5m"
                    f'{{{SEL}, status_class="5xx"}})\n'
                    f"/ sum by (view) (job_view:django_http_responses:rate5m{{{SEL}}})",
                    "{{view}}",
                ),
                (
                    "(sum(job_view_status_class:django_http_responses:rate5m"
                    f'{{{SEL}, status_class="5xx"}}) or vector(0))\n'
                    f"/ sum(job:django_http_responses:rate5m{{{SEL}}})",
                    "all views",
                ),
            ),
            "percentunit",
            max_=1,
        ),
        w=12,
        h=8,
    )
    lay.add(
        timeseries(
            "Exceptions by type",
            "Unhandled exceptions in views, by exception class (each one is a 500 for a user).",
            [
                target(
                    "sum by (type) (rate(django_http_exceptions_total_by_type_total"
                    f"{{{SEL}}}[$__rate_interval]))\nor on () vector(0)",
                    "{{type}}",
                )
            ],
            "reqps",
        ),
        w=12,
        h=8,
    )
    lay.row("Latency")
    lay.add(
        timeseries(
            "Latency percentiles (all views)",
            "p50, p95 and p99 of request duration over 5 minutes, from the per-view histogram "
            "(django_http_requests_latency_seconds_by_view_method). The line at 0.5 s is the "
            "latency SLO's threshold.",
            targets(
                (f"job:django_http_request_duration_seconds:p50_5m{{{SEL}}}", "p50 {{namespace}}"),
                (f"job:django_http_request_duration_seconds:p95_5m{{{SEL}}}", "p95 {{namespace}}"),
                (f"job:django_http_request_duration_seconds:p99_5m{{{SEL}}}", "p99 {{namespace}}"),
            ),
            "s",
            threshold_lines=[(0.5, "red")],
        ),
        w=12,
        h=8,
    )
    lay.add(
        timeseries(
            "Latency p95 by view",
            "95th percentile per view over 5 minutes. Try /lab/delay/?ms=800 and watch lab-delay.",
            [
                target(
                    f"job_view:django_http_request_duration_seconds:p95_5m{{{SEL}}}",
                    "{{view}} {{namespace}}",
                )
            ],
            "s",
            threshold_lines=[(0.5, "red")],
        ),
        w=12,
        h=8,
    )
    lay.row("Database")
    lay.add(
        timeseries(
            "Database queries per second",
            "Statements executed by the instrumented database backend, by alias and vendor.",
            [
                target(
                    "sum by (alias, vendor) (rate(django_db_execute_total"
                    f"{{{SEL}}}[$__rate_interval]))",
                    "{{alias}} ({{vendor}})",
                )
            ],
            "ops",
        ),
        w=8,
        h=8,
    )
    lay.add(
        timeseries(
            "Database query latency",
            "p50, p95 and p99 of query duration (django_db_query_duration_seconds).",
            targets(
                *[
                    (
                        f"histogram_quantile({q}, sum by (le) "
                        "(rate(django_db_query_duration_seconds_bucket"
                        f"{{{SEL}}}[$__rate_interval])))",
                        f"p{int(q * 100)}",
                    )
                    for q in (0.5, 0.95, 0.99)
                ]
            ),
            "s",
        ),
        w=8,
        h=8,
    )
    lay.add(
        timeseries(
            "Database connections and errors",
            "New connections per second (CONN_MAX_AGE keeps them: this stays low) and failed "
            "connections or statements.",
            targets(
                (
                    f"sum(rate(django_db_new_connections_total{{{SEL}}}[$__rate_interval]))",
                    "new connections",
                ),
                (
                    "sum(rate(django_db_new_connection_errors_total"
                    f"{{{SEL}}}[$__rate_interval])) or on () vector(0)",
                    "connection errors",
                ),
                (
                    f"sum(rate(django_db_errors_total{{{SEL}}}[$__rate_interval]))"
                    " or on () vector(0)",
                    "statement errors",
                ),
            ),
            "ops",
        ),
        w=8,
        h=8,
    )
    return dashboard(
        "learning-portal-overview",
        "SRE Learning Portal / Overview",
        "Request rate, errors and latency by view, database and workers of the portal.",
        lay,
        "now-1h",
    )


# --- SLOs ---------------------------------------------------------------------------------------
def slo() -> dict:
    lay = Layout()
    lay.row("Availability: 99.9% of requests without a 5xx over 30 days")
    slo_steps_availability = thresholds((None, "red"), (0.999, "green"))
    budget_steps = thresholds((None, "red"), (0.25, "orange"), (0.5, "green"))
    lay.add(
        stat(
            "Availability SLI (30 days)",
            "Share of eligible requests (no probes, /metrics, admin, static, lab) answered "
            "without a 5xx over the last 30 days.",
            [target(f"1 - portal:slo_errors:ratio_rate30d{{{SEL}}}", "{{namespace}}")],
            "percentunit",
            slo_steps_availability,
            decimals=3,
        ),
        w=6,
        h=5,
    )
    lay.add(
        stat(
            "Availability error budget remaining",
            "1 - (30-day error ratio / 0.1%). Below 0 the SLO is missed.",
            [
                target(
                    f"1 - portal:slo_errors:ratio_rate30d{{{SEL}}} / {AVAILABILITY_BUDGET}",
                    "{{namespace}}",
                )
            ],
            "percentunit",
            budget_steps,
            decimals=1,
        ),
        w=6,
        h=5,
    )
    lay.add(
        timeseries(
            "Availability burn rate per window",
            "Error ratio / budget (0.1%) over each alert window. 1 = spending exactly the "
            "budget. Pages at 14.4 (1h and 5m) or 6 (6h and 30m); tickets at 3 (1d and 2h) "
            "or 1 (3d and 6h).",
            targets(
                *[
                    (
                        f"portal:slo_errors:ratio_rate{w}{{{SEL}}} / {AVAILABILITY_BUDGET}",
                        f"{w} {{{{namespace}}}}",
                    )
                    for w in BURN_WINDOWS
                ]
            ),
            "x",
            threshold_lines=[(1, "yellow"), (6, "orange"), (14.4, "red")],
        ),
        w=12,
        h=10,
    )
    lay.add(
        timeseries(
            "Availability SLI (5 minutes and 1 hour)",
            "Share of eligible requests without a 5xx.",
            targets(
                (f"1 - portal:slo_errors:ratio_rate5m{{{SEL}}}", "5m {{namespace}}"),
                (f"1 - portal:slo_errors:ratio_rate1h{{{SEL}}}", "1h {{namespace}}"),
            ),
            "percentunit",
            min_=None,
            max_=1,
        ),
        w=12,
        h=5,
    )
    lay.row("Latency: 99% of requests within 0.5 s over 30 days")
    lay.add(
        stat(
            "Latency SLI (30 days)",
            "Share of eligible requests completed within 0.5 s over the last 30 days.",
            [target(f"1 - portal:slo_latency_slow:ratio_rate30d{{{SEL}}}", "{{namespace}}")],
            "percentunit",
            thresholds((None, "red"), (0.99, "green")),
            decimals=2,
        ),
        w=6,
        h=5,
    )
    lay.add(
        stat(
            "Latency error budget remaining",
            "1 - (30-day share of slow requests / 1%). Below 0 the SLO is missed.",
            [
                target(
                    f"1 - portal:slo_latency_slow:ratio_rate30d{{{SEL}}} / {LATENCY_BUDGET}",
                    "{{namespace}}",
                )
            ],
            "percentunit",
            budget_steps,
            decimals=1,
        ),
        w=6,
        h=5,
    )
    lay.add(
        timeseries(
            "Latency burn rate per window",
            "Share of requests slower than 0.5 s / budget (1%) over each alert window.",
            targets(
                *[
                    (
                        f"portal:slo_latency_slow:ratio_rate{w}{{{SEL}}} / {LATENCY_BUDGET}",
                        f"{w} {{{{namespace}}}}",
                    )
                    for w in BURN_WINDOWS
                ]
            ),
            "x",
            threshold_lines=[(1, "yellow"), (6, "orange"), (14.4, "red")],
        ),
        w=12,
        h=10,
    )
    lay.add(
        timeseries(
            "Latency SLI (5 minutes and 1 hour)",
            "Share of eligible requests completed within 0.5 s.",
            targets(
                (f"1 - portal:slo_latency_slow:ratio_rate5m{{{SEL}}}", "5m {{namespace}}"),
                (f"1 - portal:slo_latency_slow:ratio_rate1h{{{SEL}}}", "1h {{namespace}}"),
            ),
            "percentunit",
            min_=None,
            max_=1,
        ),
        w=12,
        h=5,
    )
    lay.row("Traffic the SLOs count")
    lay.add(
        timeseries(
            "Eligible requests per second",
            "Requests the SLOs count. A page needs at least 100 in the last hour (the line at "
            "0.028/s), a ticket 1000 in the last day: fewer make the ratios too noisy.",
            targets(
                (f"portal:slo_requests:rate5m{{{SEL}}}", "5m {{namespace}}"),
                (f"portal:slo_requests:rate1h{{{SEL}}}", "1h {{namespace}}"),
            ),
            "reqps",
            threshold_lines=[(100 / 3600, "orange")],
        ),
        w=24,
        h=7,
    )
    return dashboard(
        "learning-portal-slo",
        "SRE Learning Portal / SLOs",
        "Availability and latency SLIs, error budgets and burn rates (observability/prometheus/"
        "rules/portal-slo.yaml). Lab traffic is excluded.",
        lay,
        "now-6h",
    )


# --- Lesson engagement --------------------------------------------------------------------------
def engagement() -> dict:
    lay = Layout()
    lay.row("Learners")
    lay.add(
        stat(
            "Lesson views in range",
            "Published lesson pages served in the selected time range.",
            [
                target(
                    f"sum(increase(portal_lesson_views_total{{{SEL}}}[$__range]))",
                    "views",
                    instant=True,
                )
            ],
            "short",
            decimals=0,
        ),
        w=6,
        h=4,
    )
    lay.add(
        stat(
            "Completions in range",
            "Lessons marked complete in the selected time range.",
            [
                target(
                    f"sum(increase(portal_lesson_completions_total{{{SEL}}}[$__range]))",
                    "completions",
                    instant=True,
                )
            ],
            "short",
            decimals=0,
        ),
        w=6,
        h=4,
    )
    lay.add(
        stat(
            "Quiz accuracy in range",
            "Correct answers / all answers recorded in the selected time range.",
            [
                target(
                    f'sum(increase(portal_quiz_answers_total{{{SEL}, result="correct"}}'
                    "[$__range]))\n"
                    f"/ sum(increase(portal_quiz_answers_total{{{SEL}}}[$__range]))",
                    "accuracy",
                    instant=True,
                )
            ],
            "percentunit",
            thresholds((None, "orange"), (0.6, "green")),
            decimals=1,
        ),
        w=6,
        h=4,
    )
    lay.add(
        stat(
            "Sign-ups in range",
            "Learner accounts created in the selected time range.",
            [
                target(
                    f"sum(increase(portal_signups_total{{{SEL}}}[$__range]))",
                    "sign-ups",
                    instant=True,
                )
            ],
            "short",
            decimals=0,
        ),
        w=6,
        h=4,
    )
    lay.add(
        timeseries(
            "Lesson views by track",
            "Lesson pages served per second, by track.",
            [
                target(
                    f"sum by (track) (rate(portal_lesson_views_total{{{SEL}}}[$__rate_interval]))",
                    "{{track}}",
                )
            ],
            "reqps",
            stack=True,
        ),
        w=12,
        h=8,
    )
    lay.add(
        bargauge(
            "Most viewed lessons in range",
            "Top 10 lessons by views in the selected time range.",
            [
                target(
                    "topk(10, sum by (track, lesson) "
                    f"(increase(portal_lesson_views_total{{{SEL}}}[$__range])))",
                    "{{track}} / {{lesson}}",
                    instant=True,
                )
            ],
            "short",
        ),
        w=12,
        h=8,
    )
    lay.add(
        timeseries(
            "Completions by track",
            "Lessons marked complete per second, by track.",
            [
                target(
                    "sum by (track) (rate(portal_lesson_completions_total"
                    f"{{{SEL}}}[$__rate_interval]))",
                    "{{track}}",
                )
            ],
            "ops",
            stack=True,
        ),
        w=12,
        h=8,
    )
    lay.add(
        bargauge(
            "Most completed lessons in range",
            "Top 10 lessons by completions in the selected time range.",
            [
                target(
                    "topk(10, sum by (track, lesson) "
                    f"(increase(portal_lesson_completions_total{{{SEL}}}[$__range])))",
                    "{{track}} / {{lesson}}",
                    instant=True,
                )
            ],
            "short",
        ),
        w=12,
        h=8,
    )
    lay.add(
        timeseries(
            "Quiz answers by result",
            "Quiz answers recorded per second, correct and incorrect.",
            [
                target(
                    f"sum by (result) (rate(portal_quiz_answers_total{{{SEL}}}[$__rate_interval]))",
                    "{{result}}",
                )
            ],
            "ops",
            stack=True,
        ),
        w=12,
        h=8,
    )
    lay.add(
        timeseries(
            "Sign-ups",
            "Learner accounts created per second.",
            [
                target(
                    f"sum(rate(portal_signups_total{{{SEL}}}[$__rate_interval]))",
                    "sign-ups",
                )
            ],
            "ops",
        ),
        w=12,
        h=8,
    )
    return dashboard(
        "learning-portal-engagement",
        "SRE Learning Portal / Lesson engagement",
        "Lesson views, completions, quiz accuracy and sign-ups (the portal's product metrics).",
        lay,
        "now-7d",
    )


DASHBOARDS = {
    "portal-overview.json": overview,
    "portal-slo.json": slo,
    "lesson-engagement.json": engagement,
}


def render() -> dict[str, str]:
    """File name -> JSON text, exactly as written to disk."""
    return {name: json.dumps(build(), indent=2) + "\n" for name, build in DASHBOARDS.items()}


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for name, text in render().items():
        (OUT / name).write_text(text)
        print(f"wrote {OUT / name}")


if __name__ == "__main__":
    main()
