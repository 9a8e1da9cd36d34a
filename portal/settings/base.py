"""Settings shared by every environment. Deploy-time values come from the environment (see
`portal.env`); environment modules (`local`, `production`, `test`) only change defaults."""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from portal.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent.parent

SECRET_KEY = env_str("DJANGO_SECRET_KEY", "")
DEBUG = env_bool("DJANGO_DEBUG", False)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    # WhiteNoise serves static files in development too, so dev matches production.
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django_prometheus",
    "portal.apps.PortalConfig",
    "lessons",
]

MIDDLEWARE = [
    # First and last so they time and count everything in between.
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "portal.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Directly after SecurityMiddleware, as WhiteNoise documents.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "portal.middleware.AccessLogMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.context_processors.site",
            ],
        },
    },
]

# --- Database ----------------------------------------------------------------------------------
# One URL, as twelve-factor apps do. SQLite file when unset so the first run needs nothing.
# Persistent connections: a connection per request costs ~9x under load. With health checks,
# the first query of each request is preceded by a `SELECT 1` on the reused connection, so one
# broken by a database restart or failover is replaced instead of failing that request; it is
# one more round trip per request that uses the database (docs/serving.md measures it).
DATABASE_URL = env_str("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}"
CONN_MAX_AGE = env_int("DJANGO_CONN_MAX_AGE", 60)
CONN_HEALTH_CHECKS = env_bool("DJANGO_CONN_HEALTH_CHECKS", True) and CONN_MAX_AGE > 0
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL, conn_max_age=CONN_MAX_AGE, conn_health_checks=CONN_HEALTH_CHECKS
    )
}
# The instrumented backends count queries and their latency for /metrics; the portal's
# PostgreSQL backend is django-prometheus' plus DATABASE_PASSWORD_FILE (below).
_INSTRUMENTED_ENGINES = {
    "django.db.backends.postgresql": "portal.database.postgresql",
    "django.db.backends.sqlite3": "django_prometheus.db.backends.sqlite3",
}
DATABASES["default"]["ENGINE"] = _INSTRUMENTED_ENGINES.get(
    DATABASES["default"]["ENGINE"], DATABASES["default"]["ENGINE"]
)
if "postgresql" in DATABASES["default"]["ENGINE"]:
    # Fail fast instead of hanging a worker when the database is unreachable.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "connect_timeout", env_int("DATABASE_CONNECT_TIMEOUT", 3)
    )
# The password from a file, read again for every new connection, instead of from DATABASE_URL:
# a mounted Secret kept in sync with Secrets Manager survives RDS password rotation without a
# restart (portal/database/postgresql/base.py).
DATABASE_PASSWORD_FILE = env_str("DATABASE_PASSWORD_FILE") or ""
if DATABASE_PASSWORD_FILE:
    if DATABASES["default"]["ENGINE"] != "portal.database.postgresql":
        raise ImproperlyConfigured("DATABASE_PASSWORD_FILE needs a postgres:// DATABASE_URL")
    DATABASES["default"]["PASSWORD_FILE"] = DATABASE_PASSWORD_FILE
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "lessons:home"
LOGOUT_REDIRECT_URL = "lessons:home"

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = False
USE_TZ = True

# --- Static files ------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("DJANGO_STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Hashed, compressed names: safe to cache for a year.
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# --- Limits on what users can send ------------------------------------------------------------
DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024  # 1 MiB: larger bodies get 400 (nginx refuses 413 first)
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000

# --- Security defaults (production tightens further) -------------------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "portal.errors.csrf_failure"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# --- Metrics -----------------------------------------------------------------------------------
# In multiprocess mode prometheus_client writes a file per process into this directory. gunicorn
# creates it (on_starting), but a one-off `manage.py` in the image (migrate, load_lessons) would
# crash on a missing directory, so make sure it exists before any metric is created.
if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    os.makedirs(os.environ["PROMETHEUS_MULTIPROC_DIR"], exist_ok=True)
# Off: it queries the database at import time, in every process.
PROMETHEUS_EXPORT_MIGRATIONS = False

# --- Product settings --------------------------------------------------------------------------
PORTAL_VERSION = env_str("PORTAL_VERSION", "0.1.0")
PORTAL_GIT_COMMIT = env_str("PORTAL_GIT_COMMIT", "unknown")
PORTAL_LAB_ENABLED = env_bool("PORTAL_LAB_ENABLED", True)
# How many proxies in front of gunicorn append to X-Forwarded-For (nginx only: 1; ALB + nginx: 2).
# The lab's per-client rate limit keys on the address that many hops from the right; 0 = TCP peer.
PORTAL_LAB_TRUSTED_PROXY_HOPS = env_int("PORTAL_LAB_TRUSTED_PROXY_HOPS", 0)
PORTAL_SEARCH_MAX_QUERY = 200
# Published lesson content is cached this long (seconds; 0 = off). See lessons/page_cache.py.
PORTAL_CONTENT_CACHE_SECONDS = env_int("PORTAL_CONTENT_CACHE_SECONDS", 30)

# Per-process memory cache: enough for the lesson content cache, nothing to operate.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "portal",
        "OPTIONS": {"MAX_ENTRIES": 2000},
    }
}

# --- Logging: JSON lines to stdout --------------------------------------------------------------
LOG_LEVEL = (env_str("DJANGO_LOG_LEVEL", "INFO") or "INFO").upper()
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "portal.logging.JsonFormatter"}},
    "filters": {"request_id": {"()": "portal.request_id.RequestIdLogFilter"}},
    "handlers": {
        "stdout": {
            "class": "logging.StreamHandler",
            "formatter": "json",
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["stdout"], "level": LOG_LEVEL},
    "loggers": {
        # The access log middleware writes one line per request; Django's own would duplicate it.
        "django.request": {"level": "ERROR"},
        "django.server": {"level": "WARNING"},
    },
}
