"""Run Debian's Prometheus for a test: loopback port, temp TSDB, the given config; query it.

with run_prometheus(config_dict) as prom:
    prom.wait_for_target_up("learning-portal")
    result = prom.query('up{job="learning-portal"}')
"""

import json
import math
import signal
import subprocess
import tempfile
import time
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from tests.support.gunicorn import free_port, http_get
from tests.tooling import tool


@dataclass
class PrometheusServer:
    process: subprocess.Popen
    port: int
    config_path: Path
    log_path: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def logs(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def api(self, path: str, **params) -> dict:
        query = urllib.parse.urlencode(params)
        status, _, body = http_get(f"{self.url}{path}?{query}", timeout=15)
        payload = json.loads(body)
        if status != 200 or payload.get("status") != "success":
            raise AssertionError(f"{path} {params}: HTTP {status}: {payload}")
        return payload["data"]

    def query(self, expr: str) -> list[dict]:
        """Instant vector/scalar result of `expr` now (raises on a PromQL error)."""
        data = self.api("/api/v1/query", query=expr)
        if data["resultType"] == "scalar":
            return [{"metric": {}, "value": data["result"]}]
        return data["result"]

    def finite_values(self, expr: str) -> list[float]:
        values = [float(sample["value"][1]) for sample in self.query(expr)]
        return [v for v in values if math.isfinite(v)]

    def targets(self) -> list[dict]:
        return self.api("/api/v1/targets")["activeTargets"]

    def wait_for_target_up(self, job: str, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            targets = [t for t in self.targets() if t["labels"].get("job") == job]
            if targets and all(t["health"] == "up" for t in targets):
                return
            time.sleep(0.2)
        pytest.fail(f"targets of job {job} not up after {timeout}s: {self.targets()}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


@contextmanager
def run_prometheus(config: dict, startup_timeout: float = 30.0) -> Iterator[PrometheusServer]:
    """Starts /usr/bin/prometheus with `config` (a parsed prometheus.yml: rule_files must be
    absolute paths) on a free loopback port with a throwaway TSDB; stops it afterwards."""
    binary = tool("prometheus")
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="portal-prometheus-") as tmp:
        tmp_path = Path(tmp)
        config_path = tmp_path / "prometheus.yml"
        config_path.write_text(yaml.safe_dump(config, sort_keys=False))
        log_path = tmp_path / "prometheus.log"
        with open(log_path, "wb") as log:
            process = subprocess.Popen(
                [
                    binary,
                    f"--config.file={config_path}",
                    f"--storage.tsdb.path={tmp_path / 'data'}",
                    f"--web.listen-address=127.0.0.1:{port}",
                    "--storage.tsdb.retention.time=1d",
                    "--log.level=warn",
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=tmp_path,
            )
        server = PrometheusServer(process, port, config_path, log_path)
        try:
            deadline = time.monotonic() + startup_timeout
            while True:
                if process.poll() is not None:
                    pytest.fail(f"prometheus exited {process.returncode}:\n{server.logs()}")
                try:
                    if http_get(server.url + "/-/ready", timeout=2)[0] == 200:
                        break
                except OSError:
                    pass
                if time.monotonic() > deadline:
                    pytest.fail(f"prometheus not ready after {startup_timeout}s:\n{server.logs()}")
                time.sleep(0.1)
            yield server
        finally:
            server.stop()
