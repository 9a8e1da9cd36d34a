#!/usr/bin/env bash
# Sets everything up and serves the portal at http://127.0.0.1:8000 on SQLite with the built-in
# lessons loaded. Safe to run again: migrations and lesson loading are idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
ensure_uv
uv sync --frozen
uv run python manage.py migrate --noinput
uv run python manage.py load_lessons
cat <<'MSG'

  SRE Learning Portal: http://127.0.0.1:8000
  Staff account for /admin/:  uv run python manage.py createsuperuser   (in another terminal)

MSG
exec uv run python manage.py runserver 127.0.0.1:8000
