"""Portal-wide metrics (the lessons app owns its own in lessons/metrics.py).

Every label set is bounded: build_info has one series per deployed version, the others none.
Under gunicorn, prometheus_client runs in multiprocess mode (PROMETHEUS_MULTIPROC_DIR): each
worker writes its own file and /metrics merges them, so gauges say how to merge
(`multiprocess_mode`); counters are summed.
"""

from timeit import default_timer

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


# --- Request metrics: a lean alternative to django-prometheus' two middlewares -------------------
# django-prometheus' PrometheusBeforeMiddleware + PrometheusAfterMiddleware update ~17 samples per
# request (request/response body-size histograms of 30 buckets, counters by method, transport,
# charset, template, status, ...). The rules, dashboards and CONTRACTS.md use four of them. This
# middleware records exactly those, under the same names and labels, in one place:
#
#   django_http_requests_total_by_view_transport_method_total{view,transport,method}
#   django_http_responses_total_by_status_view_method_total{status,view,method}
#   django_http_requests_latency_seconds_by_view_method{view,method}  (histogram, same buckets)
#   django_http_exceptions_total_by_type_total{type}, ..._by_view_total{view}
#
# It also keeps the `method` label bounded on the latency histogram (django-prometheus uses the raw
# request method there, so `curl -X ANYTHING` would create a new series). To use it, replace both
# django_prometheus middlewares in MIDDLEWARE with "portal.metrics.PrometheusMiddleware" at the
# innermost position (where PrometheusAfterMiddleware is). bench/metrics_overhead.py measures it.

KNOWN_METHODS = frozenset(
    {"GET", "HEAD", "POST", "PUT", "DELETE", "TRACE", "OPTIONS", "CONNECT", "PATCH"}
)


class RequestMetrics:
    """The request metrics above, registered once per registry."""

    _default = None

    def __init__(self, registry=None):
        from django_prometheus.conf import NAMESPACE, PROMETHEUS_LATENCY_BUCKETS
        from prometheus_client import REGISTRY, Histogram

        registry = registry if registry is not None else REGISTRY
        common = {"namespace": NAMESPACE, "registry": registry}
        self.requests_by_view = Counter(
            "django_http_requests_total_by_view_transport_method",
            "Count of requests by view, transport, method.",
            ["view", "transport", "method"],
            **common,
        )
        self.responses_by_status_view = Counter(
            "django_http_responses_total_by_status_view_method",
            "Count of responses by status, view, method.",
            ["status", "view", "method"],
            **common,
        )
        self.latency_by_view = Histogram(
            "django_http_requests_latency_seconds_by_view_method",
            "Histogram of request processing time labelled by view.",
            ["view", "method"],
            buckets=PROMETHEUS_LATENCY_BUCKETS,
            **common,
        )
        self.exceptions_by_type = Counter(
            "django_http_exceptions_total_by_type",
            "Count of exceptions by object type.",
            ["type"],
            **common,
        )
        self.exceptions_by_view = Counter(
            "django_http_exceptions_total_by_view",
            "Count of exceptions by view.",
            ["view"],
            **common,
        )

    @classmethod
    def default(cls) -> "RequestMetrics":
        if cls._default is None:
            cls._default = cls()
        return cls._default


class PrometheusMiddleware:
    """Counts requests by view, responses by status and view, latency and exceptions."""

    def __init__(self, get_response, metrics: RequestMetrics | None = None):
        self.get_response = get_response
        self.metrics = metrics or RequestMetrics.default()

    @staticmethod
    def _method(request) -> str:
        return request.method if request.method in KNOWN_METHODS else "<invalid method>"

    @staticmethod
    def _view(request) -> str:
        match = getattr(request, "resolver_match", None)
        return (match.view_name if match is not None else None) or "<unnamed view>"

    def __call__(self, request):
        started = default_timer()
        response = self.get_response(request)
        method = self._method(request)
        view = self._view(request)
        self.metrics.responses_by_status_view.labels(str(response.status_code), view, method).inc()
        self.metrics.latency_by_view.labels(view, method).observe(default_timer() - started)
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        transport = "https" if request.is_secure() else "http"
        self.metrics.requests_by_view.labels(
            self._view(request), transport, self._method(request)
        ).inc()

    def process_exception(self, request, exception):
        self.metrics.exceptions_by_type.labels(type(exception).__name__).inc()
        self.metrics.exceptions_by_view.labels(self._view(request)).inc()
