"""gunicorn.conf.py and exact Prometheus metrics across several gunicorn workers.

The integration test runs the portal under the repository's gunicorn.conf.py with 3 workers on a
throwaway PostgreSQL database, in prometheus_client multiprocess mode, and checks that /metrics
(answered by whichever worker) counts exactly what was sent, summed over all workers."""

import os
import runpy
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from prometheus_client.mmap_dict import MmapedDict

from tests.observability import scrape
from tests.observability.client import Learner
from tests.support.gunicorn import GUNICORN_CONF, http_get, run_gunicorn
from tests.tooling import REPO_ROOT

LESSON = "/tracks/kubernetes/health-probes/"
N = 40
REQUESTS_BY_VIEW = "django_http_requests_total_by_view_transport_method_total"
RESPONSES = "django_http_responses_total_by_status_view_method_total"


def load_conf(monkeypatch, **env):
    for key in ("GUNICORN_WORKERS", "GUNICORN_BIND", "PROMETHEUS_MULTIPROC_DIR"):
        monkeypatch.delenv(key, raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return runpy.run_path(str(GUNICORN_CONF))


# --- gunicorn.conf.py, without starting anything ----------------------------------------------
@pytest.mark.parametrize("cpus,workers", [(0.25, 3), (0.5, 3), (1, 3), (1.5, 5), (2, 5), (64, 12)])
def test_default_workers_follow_the_cpu_limit(monkeypatch, cpus, workers):
    assert load_conf(monkeypatch)["default_workers"](cpus) == workers


def test_cpu_limit_comes_from_cgroup_cpu_max(monkeypatch, tmp_path):
    conf = load_conf(monkeypatch)
    affinity = len(os.sched_getaffinity(0))
    cpu_max = tmp_path / "cpu.max"
    cpu_max.write_text("50000 100000\n")  # limits.cpu: 500m
    assert conf["container_cpus"](str(cpu_max)) == 0.5
    cpu_max.write_text("max 100000\n")  # no limit: the CPUs we may run on
    assert conf["container_cpus"](str(cpu_max)) == affinity
    cpu_max.write_text(f"{100000 * (affinity + 8)} 100000\n")  # limit above the host: host wins
    assert conf["container_cpus"](str(cpu_max)) == affinity
    assert conf["container_cpus"](str(tmp_path / "missing")) == affinity  # cgroup v1 / no file


def test_settings_from_the_environment(monkeypatch):
    conf = load_conf(monkeypatch, GUNICORN_WORKERS="7", GUNICORN_BIND="127.0.0.1:9999")
    assert conf["workers"] == 7
    assert conf["bind"] == ["127.0.0.1:9999"]
    assert conf["worker_class"] == "sync" and conf["threads"] == 1
    assert conf["accesslog"] is None  # the app logs one JSON line per request itself
    assert conf["timeout"] > 2  # above the lab's maximum delay
    assert conf["graceful_timeout"] < 30  # below Kubernetes' default grace period
    assert conf["max_requests"] > 0 and 0 < conf["max_requests_jitter"] < conf["max_requests"]
    assert conf["worker_tmp_dir"] in ("/dev/shm", None)  # noqa: S108
    defaults = load_conf(monkeypatch)
    assert defaults["bind"] == ["0.0.0.0:8000"]
    assert defaults["workers"] == defaults["default_workers"](defaults["container_cpus"]())


def test_bad_worker_count_stops_with_a_clear_message():
    result = subprocess.run(
        [sys.executable, "-c", f"import runpy; runpy.run_path({str(GUNICORN_CONF)!r})"],
        env={**os.environ, "GUNICORN_WORKERS": "many"},
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
    )
    assert result.returncode != 0
    assert "GUNICORN_WORKERS must be a whole number" in result.stderr


# --- The real thing ------------------------------------------------------------------------------
def _stale_counter_file(directory):
    """What a previous run (same emptyDir after a container restart) leaves behind: 1000 lesson
    views by a long-dead pid. on_starting must delete it, or every total below is off by 1000."""
    code = (
        "from prometheus_client import Counter\n"
        f"c = Counter({REQUESTS_BY_VIEW[: -len('_total')]!r}, 'x', ['view', 'transport', 'method'])\n"
        "c.labels(view='lessons:lesson', transport='http', method='GET').inc(1000)\n"
    )
    subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(directory)},
        check=True,
    )
    assert list(directory.glob("counter_*.db"))


def _per_worker_lesson_counts(directory) -> dict[int, float]:
    """Lesson-page requests each worker counted in its own file: proves the load was spread."""
    counts = {}
    for path in directory.glob("counter_*.db"):
        pid = int(path.stem.split("_")[1])
        for key, value, _, _ in MmapedDict.read_all_values_from_file(str(path)):
            if REQUESTS_BY_VIEW[: -len("_total")] in key and '"lessons:lesson"' in key:
                counts[pid] = counts.get(pid, 0) + value
    return counts


@pytest.mark.integration
def test_exact_counts_across_three_gunicorn_workers(portal_db_url, tmp_path):
    multiproc = tmp_path / "prometheus-multiproc"
    multiproc.mkdir()
    _stale_counter_file(multiproc)
    env = {"PORTAL_VERSION": "9.8.7", "PORTAL_GIT_COMMIT": "0123abc"}
    with run_gunicorn(
        database_url=portal_db_url, workers=3, multiproc_dir=multiproc, env=env
    ) as server:
        workers = server.worker_pids()
        assert len(workers) == 3

        # Exactly N lesson pages, 6 at a time so every worker gets some.
        with ThreadPoolExecutor(max_workers=6) as pool:
            statuses = list(pool.map(lambda _: server.get(LESSON)[0], range(N)))
        assert statuses == [200] * N
        spread = _per_worker_lesson_counts(multiproc)
        assert sum(spread.values()) == N
        assert len([pid for pid, count in spread.items() if count]) >= 2, spread

        # Whichever worker answers the scrape, the totals are the sum over all of them.
        for _ in range(5):
            status, headers, body = server.get("/metrics")
            assert status == 200
            assert headers["Content-Type"].startswith("text/plain")
            text = body.decode()
            assert scrape.total(text, REQUESTS_BY_VIEW, view="lessons:lesson") == N
            assert scrape.total(text, RESPONSES, view="lessons:lesson", status="200") == N
            assert (
                scrape.total(
                    text,
                    "django_http_requests_latency_seconds_by_view_method_count",
                    view="lessons:lesson",
                )
                == N
            )
            # The product counter, by track and lesson slug.
            assert (
                scrape.total(
                    text, "portal_lesson_views_total", track="kubernetes", lesson="health-probes"
                )
                == N
            )
            assert scrape.total(text, "portal_worker_processes") == 3
            assert scrape.series(text, "portal_build_info") == [
                {"version": "9.8.7", "commit": "0123abc"}
            ]
            assert scrape.total(text, "portal_build_info") == 1
            assert scrape.total(text, "django_db_execute_total") > 0

        # A sign-up counts once; quiz answers and completions by result and lesson.
        learner = Learner(server.url)
        learner.sign_up("metrics-learner")
        answered = learner.answer_quiz(LESSON)
        learner.complete(LESSON)
        text = server.get("/metrics")[2].decode()
        assert scrape.total(text, "portal_signups_total") == 1
        assert scrape.total(text, "portal_quiz_answers_total") == answered
        assert (
            scrape.total(
                text, "portal_lesson_completions_total", track="kubernetes", lesson="health-probes"
            )
            == 1
        )
        # Two more lesson views by the learner (answer_quiz and complete each GET it once).
        lesson_views = N + 2
        assert scrape.total(text, REQUESTS_BY_VIEW, view="lessons:lesson") == lesson_views

        # A worker dies (OOM kill, crash): gunicorn replaces it; child_exit marks it dead.
        victim = workers[0]
        os.kill(victim, signal.SIGKILL)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            pids = server.worker_pids()
            if victim not in pids and len(pids) == 3:
                break
            time.sleep(0.1)
        server.wait_for_workers(3)
        assert victim not in server.worker_pids()
        assert not list(multiproc.glob(f"gauge_live*_{victim}.db"))
        for _ in range(5):
            text = server.get("/metrics")[2].decode()
            # Counters keep the dead worker's share: totals never go down.
            assert scrape.total(text, REQUESTS_BY_VIEW, view="lessons:lesson") == lesson_views
            # The live-worker gauge forgets it: 3 workers, not 4.
            assert scrape.total(text, "portal_worker_processes") == 3
            assert scrape.total(text, "portal_build_info") == 1

        logs = server.logs()

    # Every line on stdout is one JSON object: gunicorn's own lines and the app's.
    import json

    lines = [line for line in logs.splitlines() if line.strip()]
    entries = [json.loads(line) for line in lines]
    access = [e for e in entries if e.get("logger") == "portal.access"]
    lesson_lines = [e for e in access if e["path"] == LESSON and e["method"] == "GET"]
    assert len(lesson_lines) == lesson_views
    assert all(e["view"] == "lessons:lesson" and e["status"] == 200 for e in lesson_lines)
    assert any(
        "metrics directory" in e["message"] and "1 stale files" in e["message"] for e in entries
    )


@pytest.mark.integration
def test_without_multiprocess_mode_a_scrape_sees_one_worker(portal_db_url):
    """Why multiprocess mode matters: without it each scrape reads one worker's registry."""
    with run_gunicorn(database_url=portal_db_url, workers=3, multiprocess=False) as server:
        with ThreadPoolExecutor(max_workers=6) as pool:
            list(pool.map(lambda _: server.get(LESSON), range(N)))
        seen = {
            scrape.total(
                server.get("/metrics")[2].decode(), REQUESTS_BY_VIEW, view="lessons:lesson"
            )
            for _ in range(10)
        }
        assert max(seen) < N, seen  # no single worker served them all
        assert "PROMETHEUS_MULTIPROC_DIR is not set" in server.logs()


@pytest.mark.integration
def test_metrics_answer_on_the_app_port_only_with_an_allowed_host(portal_db_url):
    """Prometheus scrapes the pod IP: a Host not in ALLOWED_HOSTS gets 400, not metrics."""
    with run_gunicorn(database_url=portal_db_url, workers=1) as server:
        status, _, body = http_get(server.url + "/metrics", headers={"Host": "10.1.2.3:8000"})
        assert status == 400
        assert b"django_http" not in body
        status, _, _ = http_get(server.url + "/metrics")
        assert status == 200


# --- Worker recycling (max_requests) ------------------------------------------------------------
def test_child_exit_does_not_import_in_the_signal_handler():
    """gunicorn runs child_exit from its SIGCHLD handler: an import there can be interrupted by
    the next worker's exit and fail on a half-initialised module (it crashed the master)."""
    import ast

    tree = ast.parse(GUNICORN_CONF.read_text())
    hook = next(n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "child_exit")
    imports = [n for n in ast.walk(hook) if isinstance(n, ast.Import | ast.ImportFrom)]
    assert imports == [], "import prometheus_client at the top of gunicorn.conf.py instead"


@pytest.mark.integration
def test_workers_recycled_together_keep_the_master_serving(portal_db_url):
    """Every worker reaches max_requests at the same moment, several times over: the master
    replaces them all, keeps its socket, and every request gets an answer."""
    workers = 4
    env = {"GUNICORN_MAX_REQUESTS": "8"}  # jitter 0: they all exit within the same burst
    with run_gunicorn(database_url=portal_db_url, workers=workers, env=env) as server:
        first = set(server.worker_pids())
        statuses = []
        for _ in range(3):
            with ThreadPoolExecutor(max_workers=2 * workers) as pool:
                statuses += [
                    status
                    for status, _, _ in pool.map(
                        lambda _: server.get("/healthz", timeout=60), range(8 * workers)
                    )
                ]
            server.wait_for_workers(workers, timeout=60)
        assert statuses == [200] * len(statuses)
        assert server.process.poll() is None, "the gunicorn master died"
        assert not first & set(server.worker_pids()), "every worker was replaced"
        logs = server.logs()
    assert "Unhandled exception in main loop" not in logs
    assert logs.count("Autorestarting worker") >= 2 * workers
