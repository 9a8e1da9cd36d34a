"""Template context shared by every page."""

from django.conf import settings


def site(request):
    return {"portal_version": settings.PORTAL_VERSION, "lab_enabled": settings.PORTAL_LAB_ENABLED}
