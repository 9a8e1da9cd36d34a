"""The two Dockerfiles, proven without a Docker engine: linters, a structural reading of the
files, the build-time collectstatic, the build context, and (against PyPI) that every locked
runtime dependency has a musllinux wheel for the image's Python, so the Alpine build needs no
compiler."""

import fnmatch
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.serving import dockerfile
from tests.serving.stack import collect_static, collectstatic_env
from tests.support import nginx as nginx_support
from tests.tooling import REPO_ROOT, tool

APP = REPO_ROOT / "Dockerfile"
NGINX = REPO_ROOT / "deploy" / "nginx" / "Dockerfile"
CHECKOV_CONFIG = Path(__file__).with_name("checkov-dockerfile.yaml")
COMPILERS = ("gcc", "g++", "clang", "build-base", "musl-dev", "make", "cargo", "rust")


def pinned(image: str) -> bool:
    """name:<explicit version>, never latest nor a bare major."""
    name, _, tag = image.partition("@")[0].rpartition(":")
    return bool(name) and tag != "latest" and re.match(r"v?\d+\.\d+\.\d+", tag) is not None


def python_version_of_image() -> str:
    """ "3.12" from the runtime stage's python:3.12.x-alpine... base."""
    base = dockerfile.stages(APP)[-1].base
    match = re.fullmatch(r"python:(\d+\.\d+)\.\d+-alpine[\d.]+", base)
    assert match, base
    return match.group(1)


# --- Linters -----------------------------------------------------------------------------------


@pytest.mark.parametrize("path", [APP, NGINX], ids=["app", "nginx"])
def test_hadolint_is_clean(path):
    result = subprocess.run(
        [tool("hadolint"), "--no-color", str(path)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == ""


def test_checkov_dockerfile_checks_pass_and_skips_live_only_in_the_config_file():
    config = yaml.safe_load(CHECKOV_CONFIG.read_text())
    for line in CHECKOV_CONFIG.read_text().splitlines():
        if re.match(r"\s*-\s*CKV", line):
            assert "# reason:" in line, f"skip without a reason: {line}"
    for path in (APP, NGINX):
        assert "checkov:skip" not in path.read_text(), f"inline skip in {path}"
    result = subprocess.run(
        [
            tool("checkov"),
            "--config-file",
            str(CHECKOV_CONFIG),
            "-f",
            str(APP),
            "-f",
            str(NGINX),
            "-o",
            "json",
            "--quiet",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        env={
            "PATH": "/usr/bin:/bin",
            "HOME": str(Path.home()),
            "BC_SKIP_MAPPING": "TRUE",
            "CHECKOV_RUN_SCA_PACKAGE_SCAN_V2": "false",
        },
    )
    reports = json.loads(result.stdout)
    reports = reports if isinstance(reports, list) else [reports]
    (report,) = [r for r in reports if r.get("check_type") == "dockerfile"]
    summary = report["summary"]
    failed = [
        f"{c['check_id']} {c['check_name']} ({c['file_path']})"
        for c in report["results"]["failed_checks"]
    ]
    assert summary["failed"] == 0, failed
    assert summary["passed"] > 50
    assert summary["resource_count"] == 2
    assert summary["skipped"] == len(config.get("skip-check") or [])


# --- The application image -----------------------------------------------------------------------


def test_app_image_has_a_builder_and_a_runtime_stage_on_the_same_pinned_alpine_python():
    stages = dockerfile.stages(APP)
    assert [s.name for s in stages] == ["builder", "runtime"]
    for stage in stages:
        assert pinned(stage.base), stage.base
        assert re.fullmatch(r"python:3\.\d+\.\d+-alpine3\.\d+", stage.base), stage.base
    # The venv is copied between them: the interpreter path and ABI must be identical.
    assert stages[0].base == stages[1].base


def test_builder_installs_exactly_the_lock_from_wheels_only():
    builder = dockerfile.stages(APP)[0]
    runs = " ".join(i.value for i in builder.all("RUN"))
    assert re.search(r"uv==\d+\.\d+\.\d+", runs), "uv must be pinned"
    assert "uv sync" in runs
    for flag in ("--frozen", "--no-dev", "--no-build"):
        assert flag in runs
    copied = " ".join(i.value for i in builder.all("COPY"))
    assert "uv.lock" in copied and "pyproject.toml" in copied


def test_runtime_stage_has_no_compiler_and_copies_the_venv_from_the_builder():
    runtime = dockerfile.stages(APP)[-1]
    for instruction in runtime.all("RUN"):
        words = set(re.split(r"[\s;&|]+", instruction.value))
        assert not words & set(COMPILERS), instruction.value
        assert "apk" not in words, "nothing is installed in the runtime stage"
    assert any("--from=builder" in i.value for i in runtime.all("COPY"))


def test_runtime_runs_as_a_numeric_non_root_user():
    runtime = dockerfile.stages(APP)[-1]
    users = runtime.all("USER")
    assert users, "no USER in the final stage"
    uid, _, gid = users[-1].value.partition(":")
    assert uid.isdigit() and int(uid) >= 1000
    assert not gid or gid.isdigit()
    # USER comes after every RUN: nothing runs as root once the user is set, and vice versa.
    last_run = max(i.line for i in runtime.all("RUN"))
    assert users[-1].line > last_run


def test_runtime_environment_and_entrypoint():
    runtime = dockerfile.stages(APP)[-1]
    env = dockerfile.env_values(runtime)
    assert env["PYTHONDONTWRITEBYTECODE"] == "1"
    assert env["PYTHONUNBUFFERED"] == "1"
    assert env["DJANGO_SETTINGS_MODULE"] == "portal.settings.production"
    # The only writable place at run time is /tmp (read-only root filesystem).
    assert env["PROMETHEUS_MULTIPROC_DIR"].startswith("/tmp/")
    assert "DJANGO_SECRET_KEY" not in env, "build-time dummy values must not become ENV"
    assert not runtime.all("ENTRYPOINT") or runtime.all("ENTRYPOINT")[-1].exec_form()
    (cmd,) = runtime.all("CMD")
    assert cmd.exec_form() == ["gunicorn", "-c", "gunicorn.conf.py", "portal.wsgi:application"]
    assert (REPO_ROOT / "gunicorn.conf.py").is_file()
    assert [i.value for i in runtime.all("EXPOSE")] == ["8000"]  # docs/CONTRACTS.md
    labels = " ".join(i.value for i in runtime.all("LABEL"))
    for key in ("title", "version", "revision", "description"):
        assert f"org.opencontainers.image.{key}=" in labels


def test_healthcheck_needs_no_curl():
    (check,) = dockerfile.stages(APP)[-1].all("HEALTHCHECK")
    command = check.exec_form()
    assert command and command[0] == "python"
    assert "urllib" in command[-1] and "/healthz" in command[-1]
    assert "curl" not in check.value and "wget" not in check.value


def test_collectstatic_runs_at_build_time_with_dummy_values_only(tmp_path):
    runtime = dockerfile.stages(APP)[-1]
    (run,) = [i for i in runtime.all("RUN") if "collectstatic" in i.value]
    build_env = dockerfile.run_env(run)
    assert set(build_env) >= {"DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS", "DJANGO_ALLOW_SQLITE"}
    assert "collectstatic-only" in build_env["DJANGO_SECRET_KEY"]
    # The very same command and variables work: hashed names, manifest, precompressed copies.
    assert collectstatic_env()["DJANGO_SETTINGS_MODULE"] == "portal.settings.production"
    static_root = collect_static(tmp_path / "static")
    manifest = json.loads((static_root / "staticfiles.json").read_text())["paths"]
    hashed = manifest["css/portal.css"]
    assert re.fullmatch(r"css/portal\.[0-9a-f]{12}\.css", hashed)
    assert (static_root / (hashed + ".gz")).is_file()


# --- The build context (.dockerignore) ---------------------------------------------------------


def dockerignore_excludes(path: str, patterns: list[str]) -> bool:
    """Docker's rule: the last pattern that matches the path or one of its parents wins."""
    parts = path.split("/")
    candidates = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    excluded = False
    for pattern in patterns:
        negate = pattern.startswith("!")
        pattern = pattern.lstrip("!").rstrip("/")
        regex = fnmatch.translate(pattern).replace(".*", "[^/]*")
        if pattern.startswith("**/"):
            regex = "(?:.*/)?" + fnmatch.translate(pattern[3:]).replace(".*", "[^/]*")
        if any(re.fullmatch(regex, c) for c in candidates):
            excluded = not negate
    return excluded


def test_dockerignore_sends_only_what_the_image_needs():
    patterns = [
        line.strip()
        for line in (REPO_ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]
    tracked = subprocess.run(
        ["git", "ls-files"], cwd=REPO_ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    sent = [p for p in tracked if not dockerignore_excludes(p, patterns)]
    needed = [
        "manage.py",
        "gunicorn.conf.py",
        "pyproject.toml",
        "uv.lock",
        "portal/wsgi.py",
        "portal/settings/production.py",
        "lessons/models.py",
        "templates/base.html",
        "static/css/portal.css",
    ]
    for path in needed:
        assert path in sent, f"{path} would not reach the build"
    assert any(p.startswith("lessons/curriculum/") and p.endswith(".md") for p in sent)
    for path in sent:
        assert path.split("/")[0] in {
            "manage.py",
            "gunicorn.conf.py",
            "pyproject.toml",
            "uv.lock",
            "portal",
            "lessons",
            "templates",
            "static",
        }, f"{path} is sent to the builder but not needed"
    for path in (".git/HEAD", ".venv/bin/python", "db.sqlite3", ".env", "portal/__pycache__/x.pyc"):
        assert dockerignore_excludes(path, patterns), path


# --- The nginx image ---------------------------------------------------------------------------


def test_nginx_image_is_unprivileged_alpine_pinned_with_the_one_template():
    (stage,) = dockerfile.stages(NGINX)
    assert stage.base.startswith("nginxinc/nginx-unprivileged:")
    assert pinned(stage.base) and "alpine" in stage.base
    copies = [i.value.split() for i in stage.all("COPY")]
    assert copies == [
        ["templates/default.conf.template", "/etc/nginx/templates/default.conf.template"]
    ]
    assert (NGINX.parent / copies[0][0]).resolve() == nginx_support.TEMPLATE.resolve()
    user = stage.all("USER")[-1].value
    assert user.isdigit() and int(user) != 0
    assert [i.value for i in stage.all("EXPOSE")] == ["8080"]  # docs/CONTRACTS.md
    (check,) = stage.all("HEALTHCHECK")
    assert "/nginx-health" in check.value
    (cmd,) = stage.all("CMD")
    assert cmd.exec_form() == ["nginx", "-g", "daemon off;"]


def test_nginx_image_substitutes_exactly_the_variables_the_tests_substitute():
    (stage,) = dockerfile.stages(NGINX)
    env = dockerfile.env_values(stage)
    for name in nginx_support.VARIABLES:
        assert env.get(name), f"{name} has no default in the image"
    assert env["NGINX_PORT"] == "8080"
    # The entrypoint keeps the environment variables whose NAME matches this (awk) regex.
    pattern = re.compile(env["NGINX_ENVSUBST_FILTER"].replace("\\$", "$"))
    for name in nginx_support.VARIABLES:
        assert pattern.search(name), name
    for name in ("HOSTNAME", "HOME", "PATH", "NGINX_VERSION", "NGINX_PORTS", "PORTAL_UPSTREAMS"):
        assert not pattern.search(name), name


# --- Wheels for Alpine (PyPI) --------------------------------------------------------------------


@pytest.mark.integration
def test_every_locked_runtime_dependency_has_a_musllinux_wheel(tmp_path):
    """`pip download --only-binary=:all: --platform musllinux_1_2_x86_64` for the image's Python:
    if this passes, the builder's `uv sync --no-build` needs no compiler on Alpine."""
    # `uv run` exports its own path as UV.
    uv = os.environ.get("UV") or shutil.which("uv") or tool("uv")
    requirements = tmp_path / "requirements.txt"
    subprocess.run(
        [uv, "export", "--frozen", "--no-dev", "--no-hashes", "--no-emit-project", "-q",
         "-o", str(requirements)],
        cwd=REPO_ROOT,
        check=True,
        timeout=120,
    )  # fmt: skip
    wanted = [
        re.split(r"[=;\s]", line)[0].lower()
        for line in requirements.read_text().splitlines()
        if line and not line.startswith(("#", " "))
    ]
    assert {"django", "gunicorn", "psycopg-binary", "whitenoise"} <= set(wanted)
    version = python_version_of_image()
    wheels = tmp_path / "wheels"
    result = subprocess.run(
        # pip itself, from PyPI (uv's venvs have no pip): the registry is reached anyway.
        [uv, "tool", "run", "--from", "pip", "pip", "download", "--only-binary=:all:",
         "--platform", "musllinux_1_2_x86_64", "--python-version", version,
         "--implementation", "cp", "--no-deps", "--disable-pip-version-check",
         "-d", str(wheels), "-r", str(requirements)],
        capture_output=True,
        text=True,
        timeout=600,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    files = sorted(p.name for p in wheels.iterdir())
    assert all(name.endswith(".whl") for name in files), files
    tag = "cp" + version.replace(".", "")
    for name in files:
        platform = name[:-4].split("-")[-1]
        abi = name[:-4].split("-")[-2]
        assert platform == "any" or (
            platform.startswith("musllinux_") and platform.endswith("_x86_64")
        ), name
        assert abi in {"none", "abi3", tag}, name
    # One wheel per locked requirement whose markers apply on Linux (tzdata is Windows-only).
    assert len(files) == len([w for w in wanted if w != "tzdata"]), (files, wanted)
