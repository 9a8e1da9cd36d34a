#!/usr/bin/env bash
# Sets up and runs the whole test suite: installs the tools (apt packages, Helm, checkov), makes
# sure PostgreSQL runs, then runs lint and pytest twice: on SQLite and on PostgreSQL.
# Extra arguments go to both pytest runs (e.g. scripts/test.sh -k quiz -x).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

ensure_uv
bash scripts/install-test-tools.sh
bash scripts/start-postgres.sh
uv sync --frozen

echo "[test] ruff"
uv run ruff check .
uv run ruff format --check .

# Playwright drives the sync API inside pytest-django's live server.
export DJANGO_ALLOW_ASYNC_UNSAFE=true
export PORTAL_TEST_POSTGRES_URL="${PORTAL_TEST_POSTGRES_URL:-postgres://portal:portal@127.0.0.1:5432/portal}"

echo "[test] pytest on SQLite (everything, integration and browser tests included)"
env -u DATABASE_URL uv run pytest "$@"

echo "[test] pytest on PostgreSQL (Django tests again, against a real PostgreSQL)"
DATABASE_URL="$PORTAL_TEST_POSTGRES_URL" uv run pytest -m "not integration and not browser" "$@"
