"""Template context shared by every page."""

from functools import cache

from django.conf import settings
from django.urls import reverse

# URL names the base layout links to. Reversed once per process: they never change at run time,
# and a dozen reverse() calls per page were a measurable share of a page view.
NAV_URL_NAMES = {
    "home": "lessons:home",
    "search": "lessons:search",
    "progress": "lessons:progress",
    "admin": "admin:index",
    "login": "login",
    "logout": "logout",
    "signup": "signup",
    "password_change": "password_change",
    "lab": "lab-index",
}


@cache
def nav_urls() -> dict[str, str]:
    return {key: reverse(name) for key, name in NAV_URL_NAMES.items()}


def site(request):
    return {
        "portal_version": settings.PORTAL_VERSION,
        "lab_enabled": settings.PORTAL_LAB_ENABLED,
        "nav": nav_urls(),
    }
