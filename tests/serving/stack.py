"""The portal served like production, on loopback: PostgreSQL (a throwaway database with the
lessons loaded), gunicorn with the repository's gunicorn.conf.py and PRODUCTION settings (static
files collected exactly as the Dockerfile does it), and nginx with the repository's one config in
front. Used by tests/serving and by bench/run.py.
"""

import http.client
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import psycopg

from tests.serving import dockerfile
from tests.support.gunicorn import GunicornServer, run_gunicorn
from tests.support.nginx import Nginx, run_nginx
from tests.support.postgres import portal_database
from tests.tooling import REPO_ROOT

# Production settings refuse to start without these (portal/settings/production.py).
SECRET_KEY = "serving-tests-only-0123456789abcdefghijklmnopqrstuvwxyz-ABCDEFGHIJ"  # noqa: S105


def production_env(database_url: str, static_root: Path) -> dict[str, str]:
    return {
        "DJANGO_SETTINGS_MODULE": "portal.settings.production",
        "DJANGO_SECRET_KEY": SECRET_KEY,
        # 127.0.0.1 is also the Host of the health checks (the helper's and the image's).
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": database_url,
        "DJANGO_STATIC_ROOT": str(static_root),
    }


def collectstatic_env() -> dict[str, str]:
    """The dummy build-time variables of the Dockerfile's collectstatic RUN, read from it."""
    runtime = dockerfile.stages(REPO_ROOT / "Dockerfile")[-1]
    (run,) = [i for i in runtime.all("RUN") if "collectstatic" in i.value]
    settings = dockerfile.env_values(runtime)["DJANGO_SETTINGS_MODULE"]
    return {"DJANGO_SETTINGS_MODULE": settings, **dockerfile.run_env(run)}


def collect_static(static_root: Path) -> Path:
    """Runs collectstatic as the image build does (production settings, the Dockerfile's dummy
    values, no database): hashed names, manifest and .gz files in `static_root`."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_URL"))
    }
    env.update(collectstatic_env())
    env["DJANGO_STATIC_ROOT"] = str(static_root)
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
        cwd=REPO_ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
        timeout=300,
    )
    return static_root


def manifest(static_root: Path) -> dict[str, str]:
    """Original static name -> hashed name (ManifestStaticFilesStorage's staticfiles.json)."""
    return json.loads((static_root / "staticfiles.json").read_text())["paths"]


# --- HTTP without magic: no redirects followed, cookies handled by hand -----------------------


@dataclass
class Response:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    def header(self, name: str) -> str | None:
        return self.headers.get(name)

    def cookies(self) -> dict[str, str]:
        result = {}
        for value in self.headers.get_all("Set-Cookie") or []:
            name, _, rest = value.partition("=")
            result[name.strip()] = rest.split(";", 1)[0]
        return result


def request(
    url: str,
    method: str = "GET",
    headers: dict[str, str] | None = None,
    body: bytes | None = None,
    timeout: float = 15,
) -> Response:
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    try:
        path = parts.path or "/"
        if parts.query:
            path += "?" + parts.query
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return Response(response.status, response.headers, response.read())
    finally:
        connection.close()


# What the AWS load balancer adds in front of nginx: the client spoke HTTPS.
BEHIND_TLS = {"X-Forwarded-Proto": "https"}


def login(base_url: str, username: str, password: str) -> str:
    """Signs in through the real login form (GET for the CSRF cookie and token, POST the form) as
    a browser behind the TLS load balancer would; returns the session cookie's value."""
    page = request(f"{base_url}/accounts/login/", headers=BEHIND_TLS)
    assert page.status == 200, (page.status, page.text[:500])
    csrf_cookie = page.cookies()["csrftoken"]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    origin = "https://" + urlsplit(base_url).netloc
    response = request(
        f"{base_url}/accounts/login/",
        method="POST",
        headers={
            **BEHIND_TLS,
            "Cookie": f"csrftoken={csrf_cookie}",
            "Origin": origin,
            "Referer": f"{origin}/accounts/login/",
            "Content-Type": "application/x-www-form-urlencoded",
        },
        body=urlencode(
            {"csrfmiddlewaretoken": token, "username": username, "password": password}
        ).encode(),
    )
    assert response.status == 302, (response.status, response.text[:500])
    return response.cookies()["sessionid"]


def create_users(env: dict[str, str], users: dict[str, str]) -> None:
    """Creates learners (username -> password) with the server's own settings (password hasher)."""
    code = (
        "import json, sys\n"
        "from django.contrib.auth import get_user_model\n"
        "User = get_user_model()\n"
        "for name, password in json.loads(sys.stdin.read()).items():\n"
        "    user, _ = User.objects.get_or_create(username=name)\n"
        "    user.set_password(password)\n"
        "    user.save()\n"
    )
    subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=REPO_ROOT,
        env={**os.environ, **env},
        input=json.dumps(users),
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    )


def first_lesson_path(database_url: str) -> str:
    """URL path of the first published lesson of the first published track."""
    with psycopg.connect(database_url) as conn:
        row = conn.execute(
            "SELECT t.slug, l.slug FROM lessons_lesson l JOIN lessons_track t ON t.id = l.track_id "
            "WHERE l.status = 'published' AND t.status = 'published' "
            'ORDER BY t."order", t.id, l."order", l.id LIMIT 1'
        ).fetchone()
    assert row, "no published lesson: did load_lessons run?"
    return f"/tracks/{row[0]}/{row[1]}/"


@dataclass
class Stack:
    database_url: str
    static_root: Path
    env: dict[str, str]
    gunicorn: GunicornServer
    nginx: Nginx
    lesson_path: str
    workdir: Path
    notes: dict = field(default_factory=dict)

    def app_log(self) -> list[dict]:
        """Every JSON line gunicorn and the app wrote so far."""
        entries = []
        for line in self.gunicorn.logs().splitlines():
            try:
                entry = json.loads(line)
            except ValueError:
                continue
            if isinstance(entry, dict):
                entries.append(entry)
        return entries

    def app_requests(self) -> list[dict]:
        """The app's access log: one entry per request that reached Django."""
        return [e for e in self.app_log() if e.get("logger") == "portal.access"]


@contextmanager
def serving_stack(workers: int = 2, nginx_workers: str = "1", startup_timeout: float = 60.0):
    """Database, static files, gunicorn and nginx; torn down in reverse order."""
    with ExitStack() as stack:
        workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="portal-serving-")))
        static_root = collect_static(workdir / "staticfiles")
        database_url = stack.enter_context(portal_database())
        env = production_env(database_url, static_root)
        server = stack.enter_context(
            run_gunicorn(
                database_url=database_url,
                workers=workers,
                env={k: v for k, v in env.items() if k != "DATABASE_URL"},
                startup_timeout=startup_timeout,
            )
        )
        nginx = stack.enter_context(
            run_nginx(server.address, workdir / "nginx", worker_processes=nginx_workers)
        )
        yield Stack(
            database_url=database_url,
            static_root=static_root,
            env=env,
            gunicorn=server,
            nginx=nginx,
            lesson_path=first_lesson_path(database_url),
            workdir=workdir,
        )


def wait_for(predicate, timeout: float = 5.0, interval: float = 0.05):
    """Polls `predicate` until it returns something truthy (log lines are written asynchronously)."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(interval)
