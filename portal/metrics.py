"""Portal-wide metrics (the lessons app owns its own in lessons/metrics.py).

Every label set is bounded: build_info has one series per deployed version, the others none.
Under gunicorn, prometheus_client runs in multiprocess mode (PROMETHEUS_MULTIPROC_DIR): each
worker writes its own file and /metrics merges them, so gauges say how to merge
(`multiprocess_mode`); counters are summed.
"""

from django.conf import settings
from prometheus_client import Counter, Gauge

build_info = Gauge(
    "portal_build_info",
    "Version and git commit of the running portal (always 1).",
    ["version", "commit"],
    # Every worker reports the same 1: take the max of the *live* workers, so a single series
    # without a pid label, gone when every worker of this version is gone.
    multiprocess_mode="livemax",
)

worker_processes = Gauge(
    "portal_worker_processes",
    "gunicorn workers that loaded the app and accept requests.",
    # Each worker sets 1 in gunicorn's post_worker_init hook (gunicorn.conf.py), so management
    # commands that happen to run with PROMETHEUS_MULTIPROC_DIR set do not count; the sum over
    # live workers is the number of active workers. The child_exit hook removes a dead worker's
    # file (multiprocess.mark_process_dead).
    multiprocess_mode="livesum",
)

signups = Counter("portal_signups", "Learner accounts created through the sign-up page.")


def record_process_start() -> None:
    """Called once per process when Django is ready (portal.apps.PortalConfig.ready)."""
    build_info.labels(
        version=str(settings.PORTAL_VERSION or "unknown"),
        commit=str(settings.PORTAL_GIT_COMMIT or "unknown"),
    ).set(1)


def count_signup(sender, **kwargs) -> None:
    """Receiver of portal.signals.user_signed_up."""
    signups.inc()
