"""The request id: taken from X-Request-ID when it is safe, generated otherwise."""

import re
import threading
import uuid

# Letters, digits and a few separators, at most 128 characters: anything else could smuggle
# newlines or markup into logs, so it is replaced rather than trusted.
_VALID = re.compile(r"^[A-Za-z0-9._:\-]{1,128}$")
_local = threading.local()


def from_header(value: str | None) -> str:
    if value and _VALID.match(value):
        return value
    return uuid.uuid4().hex


def set_current(request_id: str | None) -> None:
    _local.request_id = request_id


def current() -> str | None:
    return getattr(_local, "request_id", None)


class RequestIdLogFilter:
    """Adds `request_id` to application log records written while a request is served."""

    def filter(self, record) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = current()
        return True
