"""The failure lab: learners make the portal answer with errors and latency on purpose, then watch
the dashboards and alerts react.

- GET /lab/                 the lab page (`lab-index`)
- GET /lab/status/?code=N   answers with status N from an allowlist (`lab-status`)
- GET /lab/delay/?ms=N      answers 200 after N milliseconds, 0 to 2000 (`lab-delay`)

Safety:
- Hard bounds: status codes from ALLOWED_STATUS_CODES only, delays of at most MAX_DELAY_MS. Bad
  parameters get a 400 that states the allowed range; nothing a user sends causes a real error.
- Every answer is a small text/plain body, even a chosen 500: no template, no stack trace.
- Per-client rate limit: an in-process token bucket keyed by client IP (see `client_ip`). It is
  per worker process, so a pod with W workers admits at most W times the rate; good enough to
  stop a loop from hogging the lab, and it needs no shared cache. A delay costs more tokens the
  longer it is, and every process also has a budget of seconds it may spend sleeping, so lab
  delays cannot tie up the sync workers that serve the real pages.
- PORTAL_LAB_ENABLED = False turns every lab URL into a 404.
- URL names start with `lab-`: that is the `view` label of its metrics, which the SLO rules
  exclude (docs/CONTRACTS.md), so lab errors never spend the portal's error budget.
- Responses are never cached (nginx's microcache must not swallow the traffic a learner makes).
"""

import math
import threading
import time
from collections import OrderedDict
from functools import wraps
from http import HTTPStatus

from django.conf import settings
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

ALLOWED_STATUS_CODES = (200, 204, 400, 403, 404, 429, 500, 502, 503, 504)
MAX_DELAY_MS = 2000  # the hard bound; no setting can raise it

# Defaults; each can be lowered (or raised) with a Django setting of the same name.
DEFAULTS = {
    # Sustained requests per second per client and process, and the burst allowed on top.
    "PORTAL_LAB_RATE_PER_SECOND": 2.0,
    "PORTAL_LAB_BURST": 20,
    # Seconds of lab delay a process may sleep in a burst, and per second in the long run
    # (0.25: at most a quarter of a worker's time goes to the lab).
    "PORTAL_LAB_DELAY_BUDGET_SECONDS": 4.0,
    "PORTAL_LAB_DELAY_BUDGET_PER_SECOND": 0.25,
    # How many proxies in front of the app append to X-Forwarded-For (nginx: 1; a load balancer
    # and nginx: 2). 0 trusts no header and keys the rate limit by the TCP peer address.
    "PORTAL_LAB_TRUSTED_PROXY_HOPS": 0,
}
DELAY_MS_PER_TOKEN = 500  # a 2 s delay costs 1 + 4 tokens


def _setting(name: str):
    return getattr(settings, name, DEFAULTS[name])


class TokenBucketLimiter:
    """Token buckets by key. `take` returns 0.0 when allowed, else the seconds to wait.

    Thread-safe; at most `max_keys` buckets are kept (least recently used dropped first), so a
    flood of client addresses cannot grow memory without bound.
    """

    def __init__(self, rate: float, burst: float, max_keys: int = 10_000, clock=time.monotonic):
        if rate <= 0 or burst <= 0:
            raise ValueError("rate and burst must be positive")
        self.rate = float(rate)
        self.burst = float(burst)
        self.max_keys = max_keys
        self.clock = clock
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()
        self._lock = threading.Lock()

    def take(self, key: str, cost: float = 1.0) -> float:
        with self._lock:
            now = self.clock()
            tokens, last = self._buckets.pop(key, (self.burst, now))
            tokens = min(self.burst, tokens + (now - last) * self.rate)
            if cost > self.burst:
                wait = math.inf  # can never be afforded; callers bound `cost` below `burst`
            elif tokens >= cost:
                tokens -= cost
                wait = 0.0
            else:
                wait = (cost - tokens) / self.rate
            self._buckets[key] = (tokens, now)
            while len(self._buckets) > self.max_keys:
                self._buckets.popitem(last=False)
            return wait


_limiters: dict[tuple, TokenBucketLimiter] = {}
_limiters_lock = threading.Lock()


def _limiter(kind: str, rate: float, burst: float) -> TokenBucketLimiter:
    # Keyed by the parameters, so changed settings (tests, a reload) take effect at once.
    key = (kind, float(rate), float(burst))
    with _limiters_lock:
        if key not in _limiters:
            _limiters[key] = TokenBucketLimiter(rate, burst)
        return _limiters[key]


def reset_rate_limits() -> None:
    """Forget every bucket (tests)."""
    with _limiters_lock:
        _limiters.clear()


def client_ip(request) -> str:
    """The client address the rate limit is keyed by.

    With PORTAL_LAB_TRUSTED_PROXY_HOPS = N > 0 the N-th address from the right of
    X-Forwarded-For: each trusted proxy appends the address it received the request from, so
    that entry was written by our own outermost proxy and cannot be forged by the client
    (addresses further left can). Otherwise, or when the header is shorter, the TCP peer.
    """
    hops = int(_setting("PORTAL_LAB_TRUSTED_PROXY_HOPS") or 0)
    peer = request.META.get("REMOTE_ADDR") or "unknown"
    if hops > 0:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= hops:
            return forwarded[-hops][:64]
    return peer[:64]


def _text(status: int, message: str, **headers) -> HttpResponse:
    response = HttpResponse(
        "" if status == 204 else message + "\n",
        status=status,
        content_type="text/plain; charset=utf-8",
    )
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    return response


def _too_many(wait: float, why: str) -> HttpResponse:
    retry_after = max(1, math.ceil(wait)) if math.isfinite(wait) else 60
    return _text(429, f"lab: {why}; try again in {retry_after} s.", Retry_After=str(retry_after))


def _rate_limited(request, cost: float) -> HttpResponse | None:
    burst = float(_setting("PORTAL_LAB_BURST"))
    limiter = _limiter("client", float(_setting("PORTAL_LAB_RATE_PER_SECOND")), burst)
    wait = limiter.take(client_ip(request), min(cost, burst))
    if wait > 0:
        return _too_many(wait, "too many lab requests from your address")
    return None


def lab_view(view):
    """Lab switch (404 for every method when off), then GET/HEAD only; never cached."""
    safe_view = require_safe(view)

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not _setting_enabled():
            raise Http404("The lab is disabled on this server.")
        return safe_view(request, *args, **kwargs)

    return never_cache(wrapper)


def _setting_enabled() -> bool:
    return bool(getattr(settings, "PORTAL_LAB_ENABLED", False))


def _whole_number(raw: str | None, max_digits: int) -> int | None:
    # ASCII digits only: int() would also accept "٣", " 3", "+3" and "3_000".
    if raw is None or not (0 < len(raw) <= max_digits) or not raw.isascii() or not raw.isdigit():
        return None
    return int(raw)


def _allowed_codes_text() -> str:
    return ", ".join(str(code) for code in ALLOWED_STATUS_CODES)


@lab_view
def index(request):
    return render(
        request,
        "lab/lab.html",
        {
            "allowed_codes": ALLOWED_STATUS_CODES,
            "max_delay_ms": MAX_DELAY_MS,
            "rate_per_second": _setting("PORTAL_LAB_RATE_PER_SECOND"),
            "burst": _setting("PORTAL_LAB_BURST"),
        },
    )


@lab_view
def status(request):
    code = _whole_number(request.GET.get("code"), 3)
    limited = _rate_limited(request, 1)
    if limited:
        return limited
    if code not in ALLOWED_STATUS_CODES:
        return _text(
            400,
            f"lab: code must be one of {_allowed_codes_text()} (e.g. /lab/status/?code=500).",
        )
    phrase = HTTPStatus(code).phrase
    return _text(code, f"lab: {code} {phrase}, answered on purpose by the failure lab.")


@lab_view
def delay(request):
    ms = _whole_number(request.GET.get("ms"), 4)
    valid = ms is not None and ms <= MAX_DELAY_MS
    cost = 1 + (math.ceil(ms / DELAY_MS_PER_TOKEN) if valid else 0)
    limited = _rate_limited(request, cost)
    if limited:
        return limited
    if not valid:
        return _text(
            400,
            f"lab: ms must be a whole number of milliseconds from 0 to {MAX_DELAY_MS} "
            "(e.g. /lab/delay/?ms=800).",
        )
    if ms:
        budget = _limiter(
            "delay-budget",
            float(_setting("PORTAL_LAB_DELAY_BUDGET_PER_SECOND")),
            float(_setting("PORTAL_LAB_DELAY_BUDGET_SECONDS")),
        )
        seconds = ms / 1000
        wait = budget.take("process", min(seconds, budget.burst))
        if wait > 0:
            return _too_many(wait, "this server's budget of lab delays is used up")
        time.sleep(seconds)
    return _text(200, f"lab: answered after {ms} ms on purpose by the failure lab.")
