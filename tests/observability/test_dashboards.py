"""Grafana dashboards and provisioning: generated from one script, portable (a `datasource`
variable, no import placeholders), with job/namespace variables. That every expression returns
data from a real Prometheus is proven in test_prometheus_integration.py."""

import importlib.util
import json
import re

import pytest
import yaml

from tests.tooling import REPO_ROOT

GRAFANA = REPO_ROOT / "observability" / "grafana"
DASHBOARD_FILES = sorted((GRAFANA / "dashboards").glob("*.json"))


def load_builder():
    spec = importlib.util.spec_from_file_location(
        "build_dashboards", GRAFANA / "build_dashboards.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def dashboards():
    return [(path.name, json.loads(path.read_text())) for path in DASHBOARD_FILES]


def test_the_three_dashboards_exist():
    assert {p.name for p in DASHBOARD_FILES} == {
        "portal-overview.json",
        "portal-slo.json",
        "lesson-engagement.json",
    }


def test_json_files_are_what_the_builder_writes():
    rendered = load_builder().render()
    for path in DASHBOARD_FILES:
        assert path.read_text() == rendered[path.name], (
            f"{path.name} differs from build_dashboards.py: run "
            "`uv run python observability/grafana/build_dashboards.py`"
        )


@pytest.mark.parametrize("name,board", dashboards(), ids=lambda v: v if isinstance(v, str) else "")
def test_dashboard_is_portable(name, board):
    text = json.dumps(board)
    assert "__inputs" not in board and "${DS_" not in text
    variables = {v["name"]: v for v in board["templating"]["list"]}
    assert variables["datasource"]["type"] == "datasource"
    assert variables["datasource"]["query"] == "prometheus"
    for var in ("job", "namespace"):
        assert variables[var]["type"] == "query"
        assert variables[var]["datasource"] == {"type": "prometheus", "uid": "${datasource}"}
    # "All" namespaces must also match series without the label (compose has none).
    assert variables["namespace"]["allValue"] == ".*"
    assert len({board["uid"] for _, board in dashboards()}) == len(DASHBOARD_FILES)
    panels = [p for p in board["panels"] if p["type"] != "row"]
    assert panels
    ids = [p["id"] for p in board["panels"]]
    assert len(ids) == len(set(ids))
    for panel in panels:
        assert panel["datasource"] == {"type": "prometheus", "uid": "${datasource}"}, panel["title"]
        assert panel["targets"], panel["title"]
        assert panel.get("description"), panel["title"]
        for target in panel["targets"]:
            expr = target["expr"]
            assert target["datasource"]["uid"] == "${datasource}"
            # Every selector is scoped by the job and namespace variables.
            for selector in re.findall(r"[a-z_:]+\{([^}]*)\}", expr):
                assert 'job=~"$job"' in selector and 'namespace=~"$namespace"' in selector, (
                    panel["title"],
                    expr,
                )


def test_panels_cover_what_issue_3_lists():
    titles = {
        name: {p["title"] for p in board["panels"] if p["type"] != "row"}
        for name, board in dashboards()
    }
    assert {
        "Request rate by view",
        "Request rate by status class",
        "Error ratio by view",
        "Latency percentiles (all views)",
        "Database queries per second",
        "Database query latency",
        "Active workers",
    } <= titles["portal-overview.json"]
    assert {
        "Availability SLI (30 days)",
        "Latency SLI (30 days)",
        "Availability error budget remaining",
        "Latency error budget remaining",
        "Availability burn rate per window",
        "Latency burn rate per window",
    } <= titles["portal-slo.json"]
    assert {
        "Lesson views by track",
        "Completions by track",
        "Quiz accuracy in range",
    } <= titles["lesson-engagement.json"]


def test_grafana_provisioning_for_compose():
    datasource = yaml.safe_load(
        (GRAFANA / "provisioning" / "datasources" / "prometheus.yaml").read_text()
    )
    (source,) = datasource["datasources"]
    assert source["type"] == "prometheus"
    assert source["url"] == "http://prometheus:9090"
    provider = yaml.safe_load(
        (GRAFANA / "provisioning" / "dashboards" / "learning-portal.yaml").read_text()
    )
    (entry,) = provider["providers"]
    assert entry["type"] == "file"
    assert entry["options"]["path"].startswith("/var/lib/grafana/dashboards")
