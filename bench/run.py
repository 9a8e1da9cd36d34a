"""Serving benchmark (issue 4): how fast is each way a page can be served, measured in ONE run.

    uv run python bench/run.py            # about 1.5 minutes; needs PostgreSQL, nginx and wrk

Starts the portal like production on loopback (a throwaway PostgreSQL database with the lessons
loaded, gunicorn with the repository's gunicorn.conf.py and production settings, nginx with the
repository's one config; tests/serving/stack.py), then runs `wrk -t2 -c64 -d10s --latency` against:

  static       nginx serving a hashed static file from its cache (the ceiling)
  minimal      a minimal Django view, /healthz, straight to gunicorn (the floor of framework cost)
  uncached     the anonymous lesson page straight to gunicorn (no cache anywhere)
  microcache   the same page through nginx's 1 s microcache
  signed-in    the lesson page through nginx with a session cookie (bypasses the cache), for a
               learner who signed in through the real login form

and prints requests/s, p50, p99 and errors for each, the ratios against issue 4's targets, and
the CPU milliseconds per request each server (gunicorn, nginx, PostgreSQL) spent (bench/cpu.py).
Client and server share the machine's cores, so compare the ratios, not absolute numbers.
"""

import argparse
import importlib.util
import json
import os
import re
import subprocess
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from bench import cpu  # noqa: E402
from tests.serving.stack import (  # noqa: E402
    BEHIND_TLS,
    create_users,
    login,
    manifest,
    request,
    serving_stack,
)
from tests.tooling import tool  # noqa: E402

TARGETS = [
    # (name, numerator, denominator, minimum ratio), from issue 4.
    ("microcache / static", "microcache", "static", 0.50),
    ("uncached / minimal", "uncached", "minimal", 0.50),
    ("signed-in / minimal", "signed-in", "minimal", 0.40),
]


@dataclass
class Result:
    name: str
    url: str
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: int
    non_2xx_3xx: int
    # CPU milliseconds per request spent in each server (gunicorn, nginx, postgres), from /proc.
    cpu_ms: dict[str, float] = field(default_factory=dict)


def _ms(value: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", value).groups()
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def parse_wrk(name: str, url: str, output: str) -> Result:
    percentile = dict(re.findall(r"^\s+(50|99)(?:\.000)?%\s+(\S+)", output, re.M))
    socket_errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return Result(
        name=name,
        url=url,
        requests_per_second=float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        p50_ms=_ms(percentile["50"]),
        p99_ms=_ms(percentile["99"]),
        requests=int(re.search(r"(\d+) requests in", output).group(1)),
        errors=sum(int(n) for n in socket_errors.groups()) if socket_errors else 0,
        non_2xx_3xx=int(non_2xx.group(1)) if non_2xx else 0,
    )


def wrk(url: str, headers: dict[str, str], args, duration: str | None = None) -> str:
    command = [
        tool("wrk"),
        f"-t{args.threads}",
        f"-c{args.connections}",
        f"-d{duration or args.duration}",
        f"--timeout={args.timeout}",
        "--latency",
    ]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    result = subprocess.run([*command, url], capture_output=True, text=True, timeout=600)
    if result.returncode != 0:
        raise WrkFailed(f"wrk failed on {url}:\n{result.stdout}\n{result.stderr}")
    return result.stdout


class WrkFailed(Exception):
    pass


def server_messages(stack, lines: int = 8) -> str:
    """gunicorn's own messages (not the access log): why a server stopped answering."""
    messages = [
        line
        for line in stack.gunicorn.logs().splitlines()
        if '"logger": "portal.access"' not in line
    ]
    return "\n".join(messages[-lines:])


def default_workers() -> int:
    """The worker count gunicorn.conf.py picks for this machine's (or container's) CPUs."""
    spec = importlib.util.spec_from_file_location("gunicorn_conf", REPO_ROOT / "gunicorn.conf.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.default_workers(module.container_cpus())


def check(url: str, headers: dict[str, str], expect_cache: str | None, expect_text: str = ""):
    response = request(url, headers=headers)
    assert response.status == 200, (url, response.status, response.text[:300])
    if expect_cache is not None:
        assert response.header("X-Cache-Status") == expect_cache, (
            url,
            response.header("X-Cache-Status"),
        )
    assert expect_text in response.text, (url, expect_text)
    return response


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", default="10s", help="wrk -d per scenario (default 10s)")
    parser.add_argument("--connections", type=int, default=64, help="wrk -c (default 64)")
    parser.add_argument("--threads", type=int, default=2, help="wrk -t (default 2)")
    parser.add_argument(
        "--timeout",
        default="10s",
        help="wrk --timeout (default 10s; wrk's own 2 s would count queued requests as errors)",
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=1,
        help="interleaved rounds per scenario; the median round is reported (default 1)",
    )
    parser.add_argument("--workers", type=int, default=None, help="gunicorn workers")
    parser.add_argument("--json", type=Path, help="also write the results to this file")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args(argv)
    workers = args.workers or default_workers()

    print(f"starting PostgreSQL database, gunicorn ({workers} workers) and nginx ...", flush=True)
    load_before = os.getloadavg()[0]
    with serving_stack(workers=workers, nginx_workers="auto") as stack:
        create_users(stack.env, {"bench-learner": "bench-Pa55word-1"})
        session = login(stack.nginx.url, "bench-learner", "bench-Pa55word-1")
        signed_in = {**BEHIND_TLS, "Cookie": f"sessionid={session}"}
        static_path = "/static/" + manifest(stack.static_root)["css/portal.css"]
        lesson = stack.lesson_path
        scenarios = [
            ("static", stack.nginx.url + static_path, BEHIND_TLS, "HIT", ""),
            ("minimal", stack.gunicorn.url + "/healthz", {}, None, "ok"),
            ("uncached", stack.gunicorn.url + lesson, BEHIND_TLS, None, "Log in"),
            ("microcache", stack.nginx.url + lesson, BEHIND_TLS, "HIT", "Log in"),
            ("signed-in", stack.nginx.url + lesson, signed_in, "BYPASS", "bench-learner"),
        ]
        for name, url, headers, cache, text in scenarios:
            check(url, headers, None)  # fills the caches
            check(url, headers, cache, text)
            # Warm-up: every worker loads templates and opens its database connection.
            wrk(url, headers, args, duration="2s")
            print(f"  {name:<11} {url}", flush=True)
        # Round-robin: with --rounds N each scenario runs N times, interleaved, and the round
        # with its median rate counts, so a burst of other work on the machine skews one round
        # of every scenario rather than all rounds of one.
        rounds: dict[str, list[Result]] = {name: [] for name, *_ in scenarios}
        servers = {
            "gunicorn": stack.gunicorn.process.pid,
            "nginx": stack.nginx.process.pid,
            "postgres": cpu.postmaster_pid(stack.database_url),
        }
        try:
            for number in range(args.rounds):
                if args.rounds > 1:
                    print(f"  round {number + 1}/{args.rounds}", flush=True)
                for name, url, headers, _, _ in scenarios:
                    before = {server: cpu.server_seconds(pid) for server, pid in servers.items()}
                    result = parse_wrk(name, url, wrk(url, headers, args))
                    result.cpu_ms = {
                        server: (cpu.server_seconds(pid) - before[server])
                        * 1000
                        / max(result.requests, 1)
                        for server, pid in servers.items()
                    }
                    rounds[name].append(result)
        except WrkFailed as failure:
            messages = server_messages(stack)
            raise SystemExit(f"{failure}\ngunicorn's last messages:\n{messages}") from None
        results = []
        for runs in rounds.values():
            runs.sort(key=lambda r: r.requests_per_second)
            median = runs[len(runs) // 2]
            # Errors of every round count.
            median.errors = sum(r.errors for r in runs)
            median.non_2xx_3xx = sum(r.non_2xx_3xx for r in runs)
            results.append(median)
        page_bytes = len(request(stack.nginx.url + lesson, headers=BEHIND_TLS).body)

    by_name = {r.name: r for r in results}
    print()
    print(
        f"wrk -t{args.threads} -c{args.connections} -d{args.duration} --timeout={args.timeout} "
        f"--latency; {args.rounds} round(s); "
        f"gunicorn {workers} sync workers; lesson page {page_bytes} bytes"
    )
    print(
        f"{os.cpu_count()} CPUs; load average {load_before:.1f} before, "
        f"{os.getloadavg()[0]:.1f} after (other work on the machine skews absolute numbers)"
    )
    print(f"{'scenario':<12}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}{'requests':>10}{'errors':>8}")
    for r in results:
        errors = r.errors + r.non_2xx_3xx
        print(
            f"{r.name:<12}{r.requests_per_second:>10.0f}{r.p50_ms:>10.2f}{r.p99_ms:>10.2f}"
            f"{r.requests:>10}{errors:>8}"
        )
    print()
    print("CPU ms per request, by server (user + system, /proc; wrk's own share not included):")
    print(f"{'scenario':<12}" + "".join(f"{server:>10}" for server in results[0].cpu_ms))
    for r in results:
        print(f"{r.name:<12}" + "".join(f"{ms:>10.3f}" for ms in r.cpu_ms.values()))
    print()
    missed = 0
    ratios = {}
    for label, numerator, denominator, minimum in TARGETS:
        ratio = by_name[numerator].requests_per_second / by_name[denominator].requests_per_second
        ratios[label] = ratio
        verdict = "ok" if ratio >= minimum else "MISSED"
        missed += verdict != "ok"
        print(f"{label:<22}{ratio:>8.2f}   target >= {minimum:.2f}   {verdict}")
    total_errors = sum(r.errors + r.non_2xx_3xx for r in results)
    print(f"{'errors (all scenarios)':<22}{total_errors:>8}   target 0      ", end="")
    print("ok" if total_errors == 0 else "MISSED")
    missed += total_errors != 0

    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "results": [asdict(r) for r in results],
                    "ratios": ratios,
                    "workers": workers,
                    "rounds": args.rounds,
                    "load_average_before": load_before,
                    "page_bytes": page_bytes,
                },
                indent=2,
            )
        )
    return 1 if (missed and args.strict) else 0


if __name__ == "__main__":
    sys.exit(main())
