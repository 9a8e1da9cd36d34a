"""Production: refuses to start without a secret key and allowed hosts; HTTPS everywhere.
`manage.py check --deploy` is clean with these settings (tested)."""

import os

from django.core.exceptions import ImproperlyConfigured

from portal.database.password import read_password
from portal.env import env_bool, env_int, env_list, env_required

from .base import *  # noqa: F403
from .base import DATABASE_PASSWORD_FILE, DATABASE_URL

DEBUG = False
SECRET_KEY = env_required(
    "DJANGO_SECRET_KEY",
    "set it to 50+ random characters (python -c 'import secrets; "
    "print(secrets.token_urlsafe(50))')",
)
if len(SECRET_KEY) < 50 or SECRET_KEY.startswith("django-insecure"):
    raise ImproperlyConfigured("DJANGO_SECRET_KEY must be at least 50 random characters")
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS")
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured(
        "DJANGO_ALLOWED_HOSTS is required in production: a comma-separated list of host names"
    )
# Prometheus scrapes pods by IP: the pod's own IP (downward API) must pass the Host check.
if os.environ.get("POD_IP"):
    ALLOWED_HOSTS.append(os.environ["POD_IP"])
if not os.environ.get("DATABASE_URL") and not env_bool("DJANGO_ALLOW_SQLITE", False):
    raise ImproperlyConfigured(
        f"DATABASE_URL is required in production (would fall back to {DATABASE_URL})"
    )
if DATABASE_PASSWORD_FILE:
    read_password(DATABASE_PASSWORD_FILE)  # fail at startup, not at the first request

# TLS terminates at the load balancer / nginx, which sets X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
# Probes and Prometheus speak plain HTTP to the pod: never redirect them.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env_int("DJANGO_SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_SECURE_HSTS_PRELOAD", True)
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")
