"""Throwaway PostgreSQL databases for tests that run the portal in other processes (gunicorn,
nginx, Prometheus): pytest-django's transactional test database is invisible to them."""

import os
import subprocess
import sys
import uuid
from contextlib import contextmanager
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest

from tests.tooling import REPO_ROOT

DEFAULT_URL = "postgres://portal:portal@127.0.0.1:5432/portal"


def server_url() -> str:
    return os.environ.get("PORTAL_TEST_POSTGRES_URL", DEFAULT_URL)


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def manage(*args: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=REPO_ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
        timeout=300,
    )


@contextmanager
def portal_database(load_lessons: bool = True):
    """Creates a fresh database, migrates it and loads the built-in lessons; yields its URL."""
    admin_url = server_url()
    name = f"portal_it_{uuid.uuid4().hex[:10]}"
    try:
        with psycopg.connect(admin_url, autocommit=True, connect_timeout=5) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError as exc:
        pytest.fail(
            f"PostgreSQL not reachable at {admin_url}: {exc}; run scripts/start-postgres.sh"
        )
    url = _with_database(admin_url, name)
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "portal.settings.test"}
    try:
        manage("migrate", "--noinput", env=env)
        if load_lessons:
            manage("load_lessons", env=env)
        yield url
    finally:
        with psycopg.connect(admin_url, autocommit=True, connect_timeout=5) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
