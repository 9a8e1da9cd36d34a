"""Run the portal under the repository's own gunicorn.conf.py for tests that need a real server
(multiprocess metrics, probes, nginx in front, Prometheus scraping it).

    with portal_database() as database_url, run_gunicorn(database_url=database_url) as server:
        status, body = server.get("/healthz")

The server listens on a free loopback port, logs (JSON lines) to a file, writes its metrics to a
fresh PROMETHEUS_MULTIPROC_DIR and is stopped (SIGTERM, then SIGKILL) when the block ends.
"""

import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.tooling import REPO_ROOT

GUNICORN_CONF = REPO_ROOT / "gunicorn.conf.py"


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port nobody listens on right now (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def http_get(
    url: str, headers: dict | None = None, timeout: float = 10.0
) -> tuple[int, dict, bytes]:
    """GET without raising on 4xx/5xx; returns (status, headers, body)."""
    request = urllib.request.Request(url, headers=headers or {})  # noqa: S310 (loopback only)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


@dataclass
class GunicornServer:
    process: subprocess.Popen
    host: str
    port: int
    log_path: Path
    multiproc_dir: Path | None
    env: dict = field(repr=False)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"

    def get(self, path: str, headers: dict | None = None, timeout: float = 10.0):
        """(status, headers, body) of GET `path`."""
        return http_get(self.url + path, headers=headers, timeout=timeout)

    def logs(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def worker_pids(self) -> list[int]:
        """Pids of the master's live child processes (the workers)."""
        pids = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except (OSError, IndexError):
                continue
            # fields[0] is the state, fields[1] the parent pid; Z = zombie not yet reaped.
            if int(fields[1]) == self.process.pid and fields[0] != "Z":
                pids.append(int(stat.parent.name))
        return sorted(pids)

    def wait_for_workers(self, count: int, timeout: float = 30.0) -> list[int]:
        """Waits until `count` workers run and every one of them has loaded the app."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self._check_alive()
            pids = self.worker_pids()
            if len(pids) == count and set(pids) <= _ready_pids(self.logs()):
                return pids
            time.sleep(0.1)
        pytest.fail(
            f"gunicorn did not reach {count} ready workers in {timeout}s "
            f"(have {self.worker_pids()}); log:\n{self.logs()[-4000:]}"
        )

    def _check_alive(self) -> None:
        if self.process.poll() is not None:
            pytest.fail(
                f"gunicorn exited with {self.process.returncode}; log:\n{self.logs()[-4000:]}"
            )

    def wait_healthy(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        last = None
        while time.monotonic() < deadline:
            self._check_alive()
            try:
                status, _, _ = self.get("/healthz", timeout=2)
                if status == 200:
                    return
                last = f"HTTP {status}"
            except OSError as exc:
                last = repr(exc)
            time.sleep(0.1)
        pytest.fail(f"gunicorn not healthy after {timeout}s ({last}); log:\n{self.logs()[-4000:]}")

    def stop(self, timeout: float = 30.0) -> int | None:
        """Graceful stop (SIGTERM to the master), SIGKILL to its process group if it hangs."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                # The group was created for this server alone (start_new_session=True).
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        return self.process.returncode


def _ready_pids(log_text: str) -> set[int]:
    """Pids of workers that logged "worker ready" (gunicorn.conf.py's post_worker_init hook: the
    worker has loaded the Django app and is about to accept requests)."""
    pids = set()
    for line in log_text.splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if isinstance(entry, dict) and entry.get("message", "").startswith("worker ready"):
            pid = entry.get("pid")
            if isinstance(pid, int):
                pids.add(pid)
    return pids


def base_env(**overrides: str) -> dict:
    """The environment of a test server: test settings, JSON logs at INFO, no inherited
    multiprocess directory. Values in `overrides` win."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"PROMETHEUS_MULTIPROC_DIR", "prometheus_multiproc_dir", "GUNICORN_CMD_ARGS"}
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "portal.settings.test",
            "DJANGO_LOG_LEVEL": "INFO",
            "PYTHONUNBUFFERED": "1",
        }
    )
    env.update(overrides)
    return env


@contextmanager
def run_gunicorn(
    *,
    database_url: str | None = None,
    workers: int = 2,
    env: dict | None = None,
    host: str = "127.0.0.1",
    port: int | None = None,
    multiprocess: bool = True,
    multiproc_dir: Path | None = None,
    wait_for_all_workers: bool = True,
    extra_args: tuple[str, ...] = (),
    startup_timeout: float = 30.0,
) -> Iterator[GunicornServer]:
    """Starts `gunicorn -c gunicorn.conf.py portal.wsgi:application` and yields the server once
    /healthz answers 200 (and, by default, every worker has loaded the app).

    - `database_url`: DATABASE_URL for the app (e.g. from tests.support.postgres.portal_database);
      None keeps whatever `env` / the test settings give (SQLite).
    - `env`: extra environment variables (they win over the defaults of `base_env`).
    - `multiprocess`: set PROMETHEUS_MULTIPROC_DIR (a fresh temp dir unless `multiproc_dir`).
    """
    port = port or free_port(host)
    with tempfile.TemporaryDirectory(prefix="portal-gunicorn-") as tmp:
        tmp_path = Path(tmp)
        overrides = {"GUNICORN_BIND": f"{host}:{port}", "GUNICORN_WORKERS": str(workers)}
        if database_url is not None:
            overrides["DATABASE_URL"] = database_url
        if multiprocess:
            multiproc_dir = multiproc_dir or tmp_path / "prometheus-multiproc"
            overrides["PROMETHEUS_MULTIPROC_DIR"] = str(multiproc_dir)
        else:
            multiproc_dir = None
        full_env = base_env(**overrides, **(env or {}))
        log_path = tmp_path / "gunicorn.log"
        with open(log_path, "wb") as log:
            process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "-c",
                    str(GUNICORN_CONF),
                    *extra_args,
                    "portal.wsgi:application",
                ],
                cwd=REPO_ROOT,
                env=full_env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        server = GunicornServer(
            process=process,
            host=host,
            port=port,
            log_path=log_path,
            multiproc_dir=multiproc_dir,
            env=full_env,
        )
        try:
            server.wait_healthy(timeout=startup_timeout)
            if wait_for_all_workers:
                server.wait_for_workers(workers, timeout=startup_timeout)
            yield server
        finally:
            server.stop()
