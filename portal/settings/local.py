"""Local development: runs with nothing set (SQLite, DEBUG on, a throwaway secret key)."""

from portal.env import env_bool, env_list

from .base import *  # noqa: F403
from .base import SECRET_KEY

DEBUG = env_bool("DJANGO_DEBUG", True)
SECRET_KEY = SECRET_KEY or "django-insecure-local-development-only-never-use-in-production"  # noqa: S105
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # No collectstatic needed while developing.
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
