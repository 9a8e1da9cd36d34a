"""Kubernetes probes. Cheap: no session, no template, never cached.

- /healthz (liveness): the process can serve a request. It never touches the database, or a
  database outage would make the kubelet restart every pod, which helps nobody.
- /readyz (readiness): the database answers a trivial query and every migration is applied.
  503 takes the pod out of the Service's endpoints until it recovers; nothing restarts.
"""

import time

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

# Migrations only change on deploy; once all are applied, a pod need not ask again.
_migrations_applied = False


def _check_database() -> str | None:
    try:
        with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any driver error means "not ready"
        connections[DEFAULT_DB_ALIAS].close()
        return f"{type(exc).__name__}: {str(exc).strip().splitlines()[0] if str(exc) else ''}"
    return None


def _check_migrations() -> str | None:
    global _migrations_applied
    if _migrations_applied:
        return None
    try:
        executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"
    if plan:
        names = ", ".join(f"{m.app_label}.{m.name}" for m, _ in plan[:5])
        return f"{len(plan)} unapplied migration(s): {names}"
    _migrations_applied = True
    return None


@never_cache
@require_GET
def healthz(request):
    return JsonResponse({"status": "ok"})


@never_cache
@require_GET
def readyz(request):
    started = time.perf_counter()
    checks = {}
    database_error = _check_database()
    checks["database"] = {"ok": database_error is None, "error": database_error}
    if database_error is None:
        migrations_error = _check_migrations()
        checks["migrations"] = {"ok": migrations_error is None, "error": migrations_error}
    else:
        checks["migrations"] = {"ok": False, "error": "skipped: database unavailable"}
    ready = all(check["ok"] for check in checks.values())
    body = {
        "status": "ready" if ready else "not ready",
        "checks": checks,
        "duration_ms": round((time.perf_counter() - started) * 1000, 2),
    }
    return JsonResponse(body, status=200 if ready else 503)
