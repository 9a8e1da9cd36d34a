"""What does django-prometheus' middleware cost a lesson page? (issue 3: at most 10%)

    uv run python bench/metrics_overhead.py              # about 3 minutes; PostgreSQL and wrk
    uv run python bench/metrics_overhead.py --rounds 20 --strict
    uv run python bench/metrics_overhead.py --variants with-metrics without-metrics

Starts the portal three times, side by side on loopback, the way production runs it: production
settings, static files collected as the image build does, the repository's gunicorn.conf.py (its
default worker count for this machine), prometheus_client multiprocess mode, one throwaway
PostgreSQL database with the built-in lessons (tests/support, tests/serving/stack.py), and the
metrics directory in memory (/dev/shm; the pod's is an emptyDir with medium: Memory):

  with-metrics      portal.settings.production as it is
  without-metrics   the same, minus PrometheusBeforeMiddleware and PrometheusAfterMiddleware
                    (a settings module written to a temp dir; the instrumented database backend
                    and the product counters stay, so only the middleware's cost is measured)
  lean-metrics      the two replaced by portal.metrics.PrometheusMiddleware, which records only
                    the request metrics the rules and dashboards use, under the same names

Then `wrk -t2 -c16 -d4s --latency` against the anonymous lesson page of each, one after the other
(the order rotating from round to round) for --rounds rounds so that other work on the machine
hits all alike, and prints per variant the median of:

  requests/s           what wrk measured (client and servers share the cores: compare ratios)
  CPU ms per request   user+system CPU time the server's processes used during the run, divided
                       by the requests served (from /proc): the cost of a page, and nearly
                       independent of whatever else the machine is doing. Sync workers are
                       CPU-bound, so throughput at saturation is inversely proportional to it.

and, for each variant with metrics, its throughput ratio to without-metrics by both measures: the
median over rounds of each round's ratio (the runs of a round are back to back, so they share the
machine's conditions). Workers are not recycled
during the benchmark (GUNICORN_MAX_REQUESTS=0), so no process's CPU time goes missing.
"""

import argparse
import os
import re
import runpy
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import ExitStack
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from bench.cpu import server_seconds  # noqa: E402
from tests.serving.stack import BEHIND_TLS, collect_static, production_env  # noqa: E402
from tests.support.gunicorn import run_gunicorn  # noqa: E402
from tests.support.postgres import portal_database  # noqa: E402
from tests.tooling import tool  # noqa: E402

LESSON = "/tracks/kubernetes/health-probes/"
NO_METRICS_SETTINGS = '''"""Production settings minus django-prometheus' middlewares (benchmark)."""
from portal.settings.production import *  # noqa: F403
from portal.settings.production import MIDDLEWARE

MIDDLEWARE = [m for m in MIDDLEWARE if not m.startswith("django_prometheus.middleware.")]
'''
LEAN_METRICS_SETTINGS = '''"""Production settings with the lean metrics middleware (benchmark)."""
from portal.settings.production import *  # noqa: F403
from portal.settings.production import MIDDLEWARE

MIDDLEWARE = [
    "portal.metrics.PrometheusMiddleware" if m.endswith(".PrometheusAfterMiddleware") else m
    for m in MIDDLEWARE
    if not m.endswith(".PrometheusBeforeMiddleware")
]
'''
BASELINE = "without-metrics"


def wrk(url: str, seconds: int, connections: int) -> tuple[float, int, int]:
    """(requests/s, requests, errors) of one wrk run against `url`."""
    headers = [arg for name, value in BEHIND_TLS.items() for arg in ("-H", f"{name}: {value}")]
    out = subprocess.run(
        [
            tool("wrk"),
            f"-t{min(2, connections)}",
            f"-c{connections}",
            f"-d{seconds}s",
            "--timeout=10s",
            "--latency",
            *headers,
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    return rps, requests, errors + (int(non_2xx.group(1)) if non_2xx else 0)


def metrics_dir(stack: ExitStack, parent: str) -> Path:
    """A fresh PROMETHEUS_MULTIPROC_DIR under `parent` (removed at the end)."""
    return Path(
        stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-metrics-", dir=parent))
    )


def get(url: str) -> tuple[int, str]:
    request = urllib.request.Request(url, headers=BEHIND_TLS)  # noqa: S310 (loopback)
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        return response.status, response.read().decode()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=10, help="rounds (default 10)")
    parser.add_argument("--seconds", type=int, default=4, help="wrk duration per run (4)")
    parser.add_argument("--connections", type=int, default=16, help="wrk connections")
    parser.add_argument("--workers", type=int, default=0, help="gunicorn workers (0: its default)")
    parser.add_argument(
        "--metrics-dir",
        default="/dev/shm" if os.path.isdir("/dev/shm") else tempfile.gettempdir(),  # noqa: S108
        help="where PROMETHEUS_MULTIPROC_DIR goes: memory, as the pod's emptyDir (default "
        "/dev/shm); try a disk-backed directory to see why it must not be one",
    )
    parser.add_argument(
        "--variants",
        nargs="+",
        default=["with-metrics", BASELINE, "lean-metrics"],
        choices=["with-metrics", BASELINE, "lean-metrics"],
        help="which servers to compare (the baseline is always needed)",
    )
    parser.add_argument("--strict", action="store_true", help="exit 1 if the overhead is > 10%%")
    args = parser.parse_args()
    if BASELINE not in args.variants:
        parser.error(f"--variants needs {BASELINE}")

    conf = runpy.run_path(str(REPO_ROOT / "gunicorn.conf.py"))
    workers = args.workers or conf["default_workers"](conf["container_cpus"]())
    with ExitStack() as stack:
        workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="portal-bench-")))
        (workdir / "bench_settings_no_metrics.py").write_text(NO_METRICS_SETTINGS)
        (workdir / "bench_settings_lean_metrics.py").write_text(LEAN_METRICS_SETTINGS)
        pythonpath = os.pathsep.join([str(workdir), str(REPO_ROOT)])
        static_root = collect_static(workdir / "staticfiles")
        database_url = stack.enter_context(portal_database())
        env = production_env(database_url, static_root)
        env.pop("DATABASE_URL")  # run_gunicorn sets it
        env["DJANGO_LOG_LEVEL"] = "INFO"  # as in production: one access line per request
        env["GUNICORN_MAX_REQUESTS"] = "0"  # keep every worker (and its CPU time) to the end
        all_variants = {
            "with-metrics": {**env},
            BASELINE: {
                **env,
                "DJANGO_SETTINGS_MODULE": "bench_settings_no_metrics",
                "PYTHONPATH": pythonpath,
            },
            "lean-metrics": {
                **env,
                "DJANGO_SETTINGS_MODULE": "bench_settings_lean_metrics",
                "PYTHONPATH": pythonpath,
            },
        }
        variants = {name: all_variants[name] for name in args.variants}
        servers = {
            name: stack.enter_context(
                run_gunicorn(
                    database_url=database_url,
                    workers=workers,
                    env=variant_env,
                    multiproc_dir=metrics_dir(stack, args.metrics_dir),
                )
            )
            for name, variant_env in variants.items()
        }

        # All serve the page; all but the baseline count requests by view.
        for name, server in servers.items():
            status, page = get(server.url + LESSON)
            assert status == 200 and "<h1" in page, (name, status)
            metrics = get(server.url + "/metrics")[1]
            by_view = "django_http_requests_total_by_view_transport_method_total" in metrics
            assert by_view == (name != BASELINE), (name, by_view)
            wrk(server.url + LESSON, 2, args.connections)  # warm-up: connections, caches

        print(
            f"lesson page {LESSON}, gunicorn workers: {workers}, "
            f"wrk -t2 -c{args.connections} -d{args.seconds}s, {args.rounds} rounds"
        )
        print(f"load average before: {os.getloadavg()[0]:.2f}")
        rps_of: dict[str, list[float]] = {name: [] for name in servers}
        cpu_ms_of: dict[str, list[float]] = {name: [] for name in servers}
        for round_number in range(1, args.rounds + 1):
            # Rotate the order, so no variant always runs first or last in a round.
            names = list(servers)
            shift = (round_number - 1) % len(names)
            order = names[shift:] + names[:shift]
            for name in order:
                server = servers[name]
                cpu_before = server_seconds(server.process.pid)
                rps, requests, errors = wrk(server.url + LESSON, args.seconds, args.connections)
                cpu_ms = 1000 * (server_seconds(server.process.pid) - cpu_before) / requests
                if errors:
                    print(f"  {name}: {errors} errors", file=sys.stderr)
                    return 2
                rps_of[name].append(rps)
                cpu_ms_of[name].append(cpu_ms)
                print(
                    f"  round {round_number} {name:16} {rps:8.1f} requests/s "
                    f"{cpu_ms:6.2f} CPU ms/request"
                )
                time.sleep(1)
        print(f"load average after: {os.getloadavg()[0]:.2f}")

    rps = {name: statistics.median(values) for name, values in rps_of.items()}
    cpu = {name: statistics.median(values) for name, values in cpu_ms_of.items()}
    print()
    print(f"{'variant':16} {'requests/s':>11} {'CPU ms/request':>15}")
    for name in servers:
        print(f"{name:16} {rps[name]:11.1f} {cpu[name]:15.2f}")
    worst = 1.0
    for name in servers:
        if name == BASELINE:
            continue
        # Median over rounds of the round's ratio; for CPU, requests per CPU second.
        rps_ratio = statistics.median(
            a / b for a, b in zip(rps_of[name], rps_of[BASELINE], strict=True)
        )
        cpu_ratio = statistics.median(
            b / a for a, b in zip(cpu_ms_of[name], cpu_ms_of[BASELINE], strict=True)
        )
        worst = min(worst, rps_ratio, cpu_ratio) if name == "with-metrics" else worst
        print(
            f"{name} / {BASELINE}: throughput ratio {rps_ratio:.3f} by wrk "
            f"(overhead {100 * (1 - rps_ratio):+.1f}%), {cpu_ratio:.3f} by CPU per page "
            f"(overhead {100 * (1 - cpu_ratio):+.1f}%); target: overhead <= 10%"
        )
    if args.strict and worst < 0.90:
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
