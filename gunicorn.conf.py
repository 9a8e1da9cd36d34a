"""gunicorn settings for the portal (`gunicorn -c gunicorn.conf.py portal.wsgi:application`).

Everything deploy-specific comes from the environment:
  GUNICORN_BIND            address to listen on (default 0.0.0.0:8000, the port in CONTRACTS.md)
  GUNICORN_WORKERS         worker processes (default: derived from the container's CPU limit)
  GUNICORN_TIMEOUT         seconds a worker may stay silent before it is killed (default 30)
  GUNICORN_GRACEFUL_TIMEOUT seconds to finish in-flight requests on shutdown (default 25)
  GUNICORN_MAX_REQUESTS    recycle a worker after this many requests (default 2000, 0 = never)
  GUNICORN_LOG_LEVEL       gunicorn's own log level (default info)
  PROMETHEUS_MULTIPROC_DIR where worker processes write their metrics (see on_starting/child_exit)
"""

import math
import os
from pathlib import Path

# Imported here, in the master, at startup, and never inside a hook: gunicorn calls child_exit
# from its SIGCHLD handler, so when several workers exit together (max_requests recycles them
# at about the same moment) a second child_exit can interrupt the first one's import and see a
# half-initialised prometheus_client. That ImportError killed the master ("Unhandled exception
# in main loop") and with it every worker. Importing it does not create any metric, so workers
# still write their own per-pid files after fork.
from prometheus_client import multiprocess

_HERE = Path(__file__).resolve().parent


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise SystemExit(f"{name} must be a whole number, got {raw!r}") from None


def container_cpus(cpu_max: str = "/sys/fs/cgroup/cpu.max") -> float:
    """CPUs this process may really use.

    os.cpu_count() reports the *host's* cores: on a 64-core node a pod limited to 1 CPU would start
    129 workers, each a full Django process, and be throttled and OOM-killed. The cgroup v2 CPU
    quota (`cpu.max`: "<quota> <period>", or "max <period>" when unlimited) is what Kubernetes'
    `resources.limits.cpu` sets; the affinity mask covers cpusets and `docker --cpuset-cpus`.
    """
    try:
        available = float(len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # not Linux
        available = float(os.cpu_count() or 1)
    try:
        quota, period = Path(cpu_max).read_text().split()[:2]
        if quota != "max" and int(period) > 0:
            return max(min(int(quota) / int(period), available), 0.1)
    except (OSError, ValueError):
        pass  # cgroup v1 or no cgroup file system: the affinity mask is the best we know
    return available


def default_workers(cpus: float) -> int:
    """gunicorn's rule of thumb for sync workers, (2 x cores) + 1, on the *allowed* cores.

    Sync workers spend part of each request waiting on PostgreSQL, so a little more than one per
    core keeps the CPU busy. Rounded up so a 0.5-CPU pod still gets 3 workers (one slow request
    must not block the pod); capped because every worker is a full Django process (~60-80 MB)
    and more workers than this only add memory and database connections.
    """
    return max(2, min(2 * math.ceil(cpus) + 1, 12))


# --- Server socket ---------------------------------------------------------------------------
bind = [os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")]
# Imports (portal.wsgi) and relative paths resolve from the project directory even when gunicorn
# is started elsewhere with `-c /app/gunicorn.conf.py`.
chdir = str(_HERE)

# --- Workers ---------------------------------------------------------------------------------
# Sync workers, one thread each: Django's ORM and the prometheus_client multiprocess files are
# simplest with one request per process, and nginx buffers slow clients so sync workers never
# wait on a slow network (gunicorn's own deployment advice).
worker_class = "sync"
threads = 1
workers = _env_int("GUNICORN_WORKERS", 0) or default_workers(container_cpus())
# Load Django once, in the master, and fork workers from it. Without this every worker imports
# and sets up Django itself, 1.3 to 1.8 s of CPU on the 2-CPU development machine, at every start
# and every max_requests recycle; under load the benchmark saw all workers recycle every few
# seconds, and requests queued behind the boots for up to 2.6 s. Forked workers start in
# milliseconds and share the loaded code copy-on-write (less memory per pod). Safe because
# loading the app opens no database connection (pre_fork closes any, to be sure) and
# prometheus_client notices the new pid after fork and writes to the worker's own files.
preload_app = True
# A worker silent for this long is killed and replaced; 30 s is far above the lab's 2 s maximum
# delay and any lesson page, and below a typical load balancer idle timeout (60 s).
timeout = _env_int("GUNICORN_TIMEOUT", 30)
# On SIGTERM (Kubernetes stops a pod) workers finish in-flight requests for at most this long.
# Kept below Kubernetes' default terminationGracePeriodSeconds (30 s) so gunicorn, not the
# kubelet's SIGKILL, ends the last requests.
graceful_timeout = _env_int("GUNICORN_GRACEFUL_TIMEOUT", 25)
# Only used by non-sync worker classes (sync workers close each connection after the response);
# set so switching worker_class does not silently hold connections open for long. nginx's
# upstream keepalive timeout should stay above this value.
keepalive = 5
# Recycle workers now and then so a slow leak cannot grow forever; the jitter stops all workers
# restarting at the same moment. Each recycled worker leaves its counter files in
# PROMETHEUS_MULTIPROC_DIR (counters must survive their process), so do not make this small.
max_requests = _env_int("GUNICORN_MAX_REQUESTS", 2000)
max_requests_jitter = max(max_requests // 10, 0)
# The heartbeat file is touched on every request: on a disk-backed /tmp (overlayfs in
# containers) that can block a worker for seconds and trigger a false timeout; /dev/shm is RAM.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108

# --- Logging ---------------------------------------------------------------------------------
# No gunicorn access log: the app writes one JSON line per request with the view name, user and
# request id (portal.middleware.AccessLogMiddleware); a second, different line would only confuse.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# Uncaught prints of the app go to the same stream.
capture_output = False


logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    # gunicorn's own messages ("Booting worker", "Worker timeout") use the app's JSON formatter, so
    # one log pipeline parses both.
    "formatters": {"json": {"()": "portal.logging.JsonFormatter"}},
    "handlers": {
        "stdout": {
            "class": "logging.StreamHandler",
            "formatter": "json",
            "stream": "ext://sys.stdout",
        }
    },
    "root": {"level": "INFO", "handlers": ["stdout"]},
    "loggers": {
        # propagate=False: in workers Django's LOGGING also puts a handler on the root logger, and
        # a propagating gunicorn logger would print every line twice.
        "gunicorn.error": {"level": loglevel.upper(), "handlers": ["stdout"], "propagate": False},
        "gunicorn.access": {"level": "INFO", "handlers": [], "propagate": False},
    },
}


# --- Prometheus multiprocess mode --------------------------------------------------------------
# Every worker has its own prometheus_client registry. In multiprocess mode each worker writes its
# samples to files in PROMETHEUS_MULTIPROC_DIR and /metrics (django_prometheus'
# ExportToDjangoView) merges all files, so any worker answers a scrape with the totals of all of
# them. The variable must be in the environment before Python starts (prometheus_client picks its
# storage at import time), so it is not set here.
def _multiproc_dir() -> Path | None:
    value = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    return Path(value) if value else None


def on_starting(server):
    """Master process, after preload_app loaded the app, before any worker exists: start from an
    empty metrics directory.

    Files left by a previous run (a container restart with the same emptyDir) would otherwise be
    merged into the new process's counters: wrong totals and gauges of processes long gone.
    Only the directory's content is removed: it may be a mount point (emptyDir, medium: Memory).
    """
    directory = _multiproc_dir()
    if directory is None:
        if workers > 1:
            server.log.warning(
                "PROMETHEUS_MULTIPROC_DIR is not set: with %d workers each scrape of /metrics "
                "shows one random worker's numbers",
                workers,
            )
        return
    directory.mkdir(parents=True, exist_ok=True)
    removed = 0
    # The master's own files are not stale: preload_app has just loaded the app here, which
    # created them (portal_build_info is set once, in this process).
    own = f"_{os.getpid()}.db"
    for entry in directory.iterdir():
        if (entry.is_file() or entry.is_symlink()) and not entry.name.endswith(own):
            entry.unlink()
            removed += 1
    server.log.info(
        "metrics directory %s emptied (%d stale files); %d workers (%.2f CPUs available)",
        directory,
        removed,
        workers,
        container_cpus(),
    )


def pre_fork(server, worker):
    """Master process, before each fork: a database connection opened in the master would be
    shared by every worker (interleaved protocol messages). Loading the app opens none; this
    makes sure, at no cost when there is none."""
    from django.db import connections  # the app (and Django) is loaded: preload_app

    connections.close_all()


def post_worker_init(worker):
    """Worker process, after it loaded the Django app: from now on it accepts requests. Logged so
    slow boots are visible (and tests can wait for every worker), and counted in the
    portal_worker_processes gauge (the "active workers" panel)."""
    from portal.metrics import worker_processes  # Django is set up once the app is loaded

    worker_processes.set(1)
    worker.log.info("worker ready (pid %s)", worker.pid)


def child_exit(server, worker):
    """Master process, after a worker exited (crash, timeout, max_requests, shutdown).

    Removes the dead worker's files of "live" gauges (e.g. portal_worker_processes), so they stop
    counting it. Counter and histogram files are kept on purpose: the totals must not go down.
    """
    if _multiproc_dir() is None:
        return
    multiprocess.mark_process_dead(worker.pid)
