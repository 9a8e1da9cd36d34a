"""Cross-cutting middleware: request ids and the one-line-per-request JSON access log."""

import logging
import time

from portal import request_id

access_log = logging.getLogger("portal.access")


class RequestIdMiddleware:
    """Reads or creates the request id, exposes it as `request.id`, returns it as X-Request-ID."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.id = request_id.from_header(request.headers.get("X-Request-ID"))
        # Not cleared on the way out: Django logs 5xx responses ("django.request") after the
        # middleware chain has returned, and that line should carry the id too. The next
        # request on this thread sets its own id first.
        request_id.set_current(request.id)
        response = self.get_response(request)
        response["X-Request-ID"] = request.id
        return response


class AccessLogMiddleware:
    """One structured line per request, after the view ran (so the view name is known)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        user = getattr(request, "user", None)
        access_log.info(
            "%s %s %s",
            request.method,
            request.path,
            response.status_code,
            extra={
                "method": request.method,
                "path": request.path,
                "view": match.view_name if match else None,
                "status": response.status_code,
                "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                "request_id": getattr(request, "id", None),
                "user": str(user.pk) if user is not None and user.is_authenticated else "anonymous",
            },
        )
        return response
