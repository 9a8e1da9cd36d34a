"""Production settings fail fast without required values, and pass `check --deploy`."""

import os
import subprocess
import sys

import pytest

from tests.tooling import REPO_ROOT

GOOD = {
    "DJANGO_SETTINGS_MODULE": "portal.settings.production",
    "DJANGO_SECRET_KEY": "p" * 20 + "-not-a-real-secret-but-long-enough-for-tests-0123456789",
    "DJANGO_ALLOWED_HOSTS": "portal.example.com",
    "DATABASE_URL": "postgres://portal:portal@127.0.0.1:5432/portal",
}


def manage(*args, **env_overrides):
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.pop("DATABASE_URL", None)
    env.update({k: v for k, v in {**GOOD, **env_overrides}.items() if v is not None})
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_under_production_settings():
    result = manage("check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    "missing,message",
    [
        ({"DJANGO_SECRET_KEY": None}, "DJANGO_SECRET_KEY is required in production"),
        ({"DJANGO_SECRET_KEY": "short"}, "at least 50 random characters"),
        ({"DJANGO_ALLOWED_HOSTS": None}, "DJANGO_ALLOWED_HOSTS is required in production"),
        ({"DATABASE_URL": None}, "DATABASE_URL is required in production"),
        ({"DJANGO_DEBUG": "maybe"}, "DJANGO_DEBUG must be true or false"),
    ],
)
def test_production_refuses_to_start_without_required_values(missing, message):
    result = manage("check", **missing)
    assert result.returncode != 0
    assert message in result.stderr
    assert result.stderr.count("\n") < 40 or "ImproperlyConfigured" in result.stderr


def test_pod_ip_is_allowed_for_prometheus_scrapes():
    result = manage("shell", "-c", "from django.conf import settings; print(settings.ALLOWED_HOSTS)",
                    POD_IP="10.1.2.3")  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "'10.1.2.3'" in result.stdout and "'portal.example.com'" in result.stdout


def test_no_missing_migrations():
    result = manage(
        "makemigrations", "--check", "--dry-run", DJANGO_SETTINGS_MODULE="portal.settings.test"
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_local_defaults_need_nothing():
    env = {
        k: v for k, v in os.environ.items() if not k.startswith("DJANGO_") and k != "DATABASE_URL"
    }
    result = subprocess.run(
        [sys.executable, "-c", "import os; os.environ['DJANGO_SETTINGS_MODULE']='portal.settings.local';"
         "import django; django.setup(); from django.conf import settings as s;"
         "print(s.DEBUG, s.DATABASES['default']['ENGINE'])"],
        cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True django_prometheus.db.backends.sqlite3"


# --- DATABASE_PASSWORD_FILE (RDS password rotation; portal/database/) ---------------------------
@pytest.mark.parametrize(
    "content,message",
    [
        (None, "cannot be read: No such file or directory"),
        ("", "is empty"),
        ("\n", "is empty"),
    ],
)
def test_production_refuses_an_unusable_password_file(tmp_path, content, message):
    path = tmp_path / "password"
    if content is not None:
        path.write_text(content)
    result = manage("check", DATABASE_PASSWORD_FILE=str(path))
    assert result.returncode != 0
    assert f"DATABASE_PASSWORD_FILE {path} {message}" in result.stderr


def test_a_password_file_needs_postgresql(tmp_path):
    (tmp_path / "password").write_text("secret\n")
    result = manage(
        "check",
        DATABASE_URL="sqlite:///" + str(tmp_path / "db.sqlite3"),
        DATABASE_PASSWORD_FILE=str(tmp_path / "password"),
    )
    assert result.returncode != 0
    assert "DATABASE_PASSWORD_FILE needs a postgres:// DATABASE_URL" in result.stderr


@pytest.mark.parametrize(
    "env,expected",
    [
        ({}, "60 True"),
        ({"DJANGO_CONN_HEALTH_CHECKS": "false"}, "60 False"),
        ({"DJANGO_CONN_MAX_AGE": "0"}, "0 False"),  # nothing reused, nothing to check
    ],
)
def test_persistent_connections_and_their_health_checks(env, expected):
    result = manage(
        "shell",
        "-c",
        "from django.db import connection as c; "
        "print(c.settings_dict['CONN_MAX_AGE'], c.settings_dict['CONN_HEALTH_CHECKS'])",
        **env,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == expected


def test_a_bad_health_check_value_is_refused():
    result = manage("check", DJANGO_CONN_HEALTH_CHECKS="sometimes")
    assert result.returncode != 0
    assert "DJANGO_CONN_HEALTH_CHECKS must be true or false" in result.stderr
