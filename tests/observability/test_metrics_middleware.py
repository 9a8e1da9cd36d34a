"""portal.metrics.PrometheusMiddleware: the lean replacement of django-prometheus' two
middlewares records the same request metrics (names, labels, values) as they do."""

import pytest
from django.conf import settings
from django_prometheus.middleware import Metrics
from prometheus_client import REGISTRY, CollectorRegistry

from portal import metrics as portal_metrics

LEAN = "portal.metrics.PrometheusMiddleware"
DEFAULT_AFTER = "django_prometheus.middleware.PrometheusAfterMiddleware"


@pytest.fixture
def lean_registry(monkeypatch):
    """The lean metrics in their own registry (django-prometheus' own, with the same names,
    already live in the global one in this test process)."""
    registry = CollectorRegistry()
    monkeypatch.setattr(
        portal_metrics.RequestMetrics, "_default", portal_metrics.RequestMetrics(registry)
    )
    return registry


def lean_only():
    return [
        LEAN if m == DEFAULT_AFTER else m
        for m in settings.MIDDLEWARE
        if not m.startswith("django_prometheus.middleware.PrometheusBefore")
    ]


def value(registry, name, **labels):
    return registry.get_sample_value(name, labels) or 0


def test_same_metric_names_as_django_prometheus():
    lean = portal_metrics.RequestMetrics(CollectorRegistry())
    default = Metrics.get_instance()
    pairs = [
        (lean.requests_by_view, default.requests_by_view_transport_method),
        (lean.responses_by_status_view, default.responses_by_status_view_method),
        (lean.latency_by_view, default.requests_latency_by_view_method),
        (lean.exceptions_by_type, default.exceptions_by_type),
        (lean.exceptions_by_view, default.exceptions_by_view),
    ]
    for ours, theirs in pairs:
        assert ours._name == theirs._name
        assert ours._labelnames == theirs._labelnames
        assert ours._type == theirs._type
    assert (
        lean.latency_by_view._upper_bounds == default.requests_latency_by_view_method._upper_bounds
    )


@pytest.mark.django_db
def test_counts_requests_responses_and_latency(client, settings, lean_registry):
    settings.MIDDLEWARE = lean_only()
    for _ in range(3):
        assert client.get("/lab/status/?code=503").status_code == 503
    assert client.get("/no/such/url/").status_code == 404
    assert client.post("/healthz").status_code == 405
    r = lean_registry
    assert (
        value(
            r,
            "django_http_requests_total_by_view_transport_method_total",
            view="lab-status",
            transport="http",
            method="GET",
        )
        == 3
    )
    assert (
        value(
            r,
            "django_http_responses_total_by_status_view_method_total",
            status="503",
            view="lab-status",
            method="GET",
        )
        == 3
    )
    assert (
        value(
            r,
            "django_http_requests_latency_seconds_by_view_method_count",
            view="lab-status",
            method="GET",
        )
        == 3
    )
    # No URL matched: no view was called, the response is still counted.
    assert (
        value(
            r,
            "django_http_responses_total_by_status_view_method_total",
            status="404",
            view="<unnamed view>",
            method="GET",
        )
        == 1
    )
    assert (
        value(
            r,
            "django_http_requests_total_by_view_transport_method_total",
            view="<unnamed view>",
            transport="http",
            method="GET",
        )
        == 0
    )
    assert (
        value(
            r,
            "django_http_responses_total_by_status_view_method_total",
            status="405",
            view="healthz",
            method="POST",
        )
        == 1
    )


@pytest.mark.django_db
def test_exceptions_are_counted_and_answered_with_500(client, settings, lean_registry):
    settings.MIDDLEWARE = lean_only()
    settings.ROOT_URLCONF = "tests.observability.urls_boom"
    client.raise_request_exception = False
    response = client.get("/boom/")
    assert response.status_code == 500
    assert b"on purpose" not in response.content
    r = lean_registry
    assert value(r, "django_http_exceptions_total_by_type_total", type="RuntimeError") == 1
    assert value(r, "django_http_exceptions_total_by_view_total", view="boom") == 1
    assert (
        value(
            r,
            "django_http_responses_total_by_status_view_method_total",
            status="500",
            view="boom",
            method="GET",
        )
        == 1
    )
    assert (
        value(
            r,
            "django_http_requests_latency_seconds_by_view_method_count",
            view="boom",
            method="GET",
        )
        == 1
    )


@pytest.mark.django_db
def test_request_methods_cannot_create_series(client, settings, lean_registry):
    settings.MIDDLEWARE = lean_only()
    for method in ("FOO", "BAR", "X" * 50):
        client.generic(method, "/healthz")
    r = lean_registry
    assert (
        value(
            r,
            "django_http_requests_latency_seconds_by_view_method_count",
            view="healthz",
            method="<invalid method>",
        )
        == 3
    )
    methods = {
        s.labels["method"] for family in r.collect() for s in family.samples if "method" in s.labels
    }
    assert methods == {"<invalid method>"}


@pytest.mark.django_db
def test_records_what_django_prometheus_records(client, settings, lean_registry):
    """Both in one stack: the same requests give the same counts in both registries."""
    settings.MIDDLEWARE = [*settings.MIDDLEWARE[:-1], LEAN, settings.MIDDLEWARE[-1]]
    assert settings.MIDDLEWARE[-1] == DEFAULT_AFTER
    series = [
        (
            "django_http_requests_total_by_view_transport_method_total",
            {"view": "lab-status", "transport": "http", "method": "GET"},
        ),
        (
            "django_http_responses_total_by_status_view_method_total",
            {"status": "502", "view": "lab-status", "method": "GET"},
        ),
        (
            "django_http_responses_total_by_status_view_method_total",
            {"status": "404", "view": "<unnamed view>", "method": "GET"},
        ),
        (
            "django_http_responses_total_by_status_view_method_total",
            {"status": "405", "view": "healthz", "method": "HEAD"},
        ),
        (
            "django_http_requests_latency_seconds_by_view_method_count",
            {"view": "lab-status", "method": "GET"},
        ),
    ]
    before = [REGISTRY.get_sample_value(n, labels) or 0 for n, labels in series]
    for _ in range(2):
        client.get("/lab/status/?code=502")
        client.get("/nowhere/")
        client.head("/healthz")
    theirs = [
        (REGISTRY.get_sample_value(n, labels) or 0) - b
        for (n, labels), b in zip(series, before, strict=True)
    ]
    ours = [value(lean_registry, n, **labels) for n, labels in series]
    assert ours == theirs == [2, 2, 2, 2, 2]
