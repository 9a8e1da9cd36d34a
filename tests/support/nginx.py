"""Render the project's one nginx config and run the real nginx (Debian package) on loopback.

`render()` substitutes exactly the variables the nginx image's entrypoint substitutes
(`${NAME}` and `$NAME`, the two forms envsubst understands, for the names in VARIABLES only), so the
tests and the benchmark run the very file that the image, compose and the Helm chart use.
`main_conf()` mirrors the nginx-unprivileged image's /etc/nginx/nginx.conf (which includes the
rendered file from the http context), with every path that nginx writes inside a temp dir.
"""

import json
import os
import re
import socket
import subprocess
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path

from tests.tooling import REPO_ROOT, tool

TEMPLATE = REPO_ROOT / "deploy" / "nginx" / "templates" / "default.conf.template"
# Keep in step with NGINX_ENVSUBST_FILTER in deploy/nginx/Dockerfile (a test checks it).
VARIABLES = ("NGINX_PORT", "PORTAL_UPSTREAM", "NGINX_CACHE_DIR")


def render(values: dict[str, str], template: Path = TEMPLATE) -> str:
    """The template with VARIABLES substituted, as `envsubst '${NGINX_PORT} ...'` does."""
    missing = set(VARIABLES) - set(values)
    unknown = set(values) - set(VARIABLES)
    if missing or unknown:
        raise ValueError(f"nginx template variables: missing {missing}, unknown {unknown}")
    names = "|".join(map(re.escape, VARIABLES))
    pattern = re.compile(r"\$\{(" + names + r")\}|\$(" + names + r")(?![A-Za-z0-9_])")
    return pattern.sub(lambda m: values[m.group(1) or m.group(2)], template.read_text())


def main_conf(workdir: Path, server_conf: Path, worker_processes: str = "1") -> str:
    """The image's nginx.conf, with pid, temp paths and error log in `workdir` and no daemon.

    As root (CI), nginx would switch its workers to `nobody`, who cannot enter the private temp
    dir; the image runs master and workers as the same user (101), so the tests do the same.
    """
    user = "user root root;\n" if os.geteuid() == 0 else ""
    return f"""\
{user}worker_processes {worker_processes};
daemon off;
pid {workdir}/nginx.pid;
error_log {workdir}/error.log warn;
events {{
    worker_connections 1024;
}}
http {{
    proxy_temp_path {workdir}/proxy_temp;
    client_body_temp_path {workdir}/client_temp;
    fastcgi_temp_path {workdir}/fastcgi_temp;
    uwsgi_temp_path {workdir}/uwsgi_temp;
    scgi_temp_path {workdir}/scgi_temp;
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    sendfile on;
    keepalive_timeout 65;
    include {server_conf};
}}
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Nginx:
    def __init__(self, workdir: Path, port: int, process: subprocess.Popen):
        self.workdir = workdir
        self.port = port
        self.process = process
        self.url = f"http://127.0.0.1:{port}"
        self.access_log = workdir / "stdout.log"
        self.error_log = workdir / "error.log"

    def access_entries(self) -> list[dict]:
        """The JSON access log lines nginx wrote so far (its stdout)."""
        lines = self.access_log.read_text().splitlines() if self.access_log.exists() else []
        return [json.loads(line) for line in lines if line.startswith("{")]


def _wait_until_up(nginx: Nginx, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if nginx.process.poll() is not None:
            raise RuntimeError(
                f"nginx exited with {nginx.process.returncode}:\n{nginx.error_log.read_text()}"
            )
        try:
            with urllib.request.urlopen(f"{nginx.url}/nginx-health", timeout=1) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.05)
    raise RuntimeError(f"nginx did not answer /nginx-health in {timeout}s")


@contextmanager
def run_nginx(upstream: str, workdir: Path, port: int | None = None, worker_processes: str = "1"):
    """Starts nginx with the repository's config in front of `upstream` (host:port)."""
    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    port = port or free_port()
    server_conf = workdir / "default.conf"
    server_conf.write_text(
        render(
            {
                "NGINX_PORT": f"127.0.0.1:{port}",
                "PORTAL_UPSTREAM": upstream,
                "NGINX_CACHE_DIR": str(workdir),
            }
        )
    )
    conf = workdir / "nginx.conf"
    conf.write_text(main_conf(workdir, server_conf, worker_processes))
    nginx_bin = tool("nginx")
    errlog = workdir / "error.log"
    check = subprocess.run(
        [nginx_bin, "-t", "-q", "-c", str(conf), "-e", str(errlog)],
        capture_output=True,
        text=True,
    )
    if check.returncode != 0:
        raise RuntimeError(f"nginx -t failed:\n{check.stderr}\n{errlog.read_text()}")
    with open(workdir / "stdout.log", "ab") as out:
        process = subprocess.Popen(
            [nginx_bin, "-c", str(conf), "-e", str(errlog)],
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env={**os.environ},
        )
    nginx = Nginx(workdir, port, process)
    try:
        _wait_until_up(nginx)
        yield nginx
    finally:
        process.terminate()  # SIGTERM: fast shutdown
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
