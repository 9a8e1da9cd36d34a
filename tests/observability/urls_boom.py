"""A URLconf with a view that raises, for the request-metrics middleware tests."""

from django.urls import include, path


def boom(request):
    raise RuntimeError("on purpose")


urlpatterns = [
    path("boom/", boom, name="boom"),
    path("", include("portal.urls")),
]
