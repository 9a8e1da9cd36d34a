"""The benchmark scripts still run end to end (a short run; the figures are not judged here:
timing assertions on shared machines prove nothing, and docs/serving.md records real runs)."""

import json
import subprocess
import sys

import pytest

from tests.tooling import REPO_ROOT

pytestmark = pytest.mark.integration


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args], cwd=REPO_ROOT, capture_output=True, text=True, timeout=600
    )


def test_serving_benchmark_measures_every_scenario(tmp_path):
    out = tmp_path / "bench.json"
    result = run("bench/run.py", "--duration", "1s", "--json", str(out))
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    data = json.loads(out.read_text())
    scenarios = {r["name"]: r for r in data["results"]}
    assert list(scenarios) == ["static", "minimal", "uncached", "microcache", "signed-in"]
    for name, r in scenarios.items():
        assert r["requests"] > 0 and r["requests_per_second"] > 0, name
        assert r["non_2xx_3xx"] == 0, name  # every response was a page, not an error page
        assert set(r["cpu_ms"]) == {"gunicorn", "nginx", "postgres"}, name
    # The CPU accounting sees the right servers: Django pages cost gunicorn time and nginx's
    # cache does not; only the signed-in page queries PostgreSQL.
    assert scenarios["minimal"]["cpu_ms"]["gunicorn"] > 0
    assert (
        scenarios["microcache"]["cpu_ms"]["gunicorn"] < scenarios["minimal"]["cpu_ms"]["gunicorn"]
    )
    assert (
        scenarios["signed-in"]["cpu_ms"]["postgres"] > scenarios["uncached"]["cpu_ms"]["postgres"]
    )
    assert set(data["ratios"]) == {
        "microcache / static",
        "uncached / minimal",
        "signed-in / minimal",
    }
    assert "signed-in / minimal" in result.stdout and "CPU ms per request" in result.stdout


def test_lesson_page_costs_times_every_part():
    result = run("bench/lesson_page_costs.py", "--repeat", "50")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    rows = [line.split() for line in result.stdout.splitlines()]
    parts = {row[0]: float(row[1]) for row in rows if len(row) == 3 and row[0] != "part"}
    assert set(parts) == {
        "healthz",
        "anonymous",
        "signed-in",
        "healthcheck",
        "session",
        "user",
        "state",
        "content",
        "layout",
    }
    assert all(ms > 0 for ms in parts.values())
