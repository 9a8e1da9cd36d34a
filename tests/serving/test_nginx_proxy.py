"""nginx's behaviour, proven with the real nginx and the repository's config in front of a fake
app that records every request it receives (tests/serving/fake_app.py)."""

import concurrent.futures
import json
import re
import time
import uuid

import pytest

from tests.serving.stack import request

pytestmark = pytest.mark.integration


def unique(path: str) -> str:
    """A path no earlier request used: its own cache key."""
    return f"{path}?t={uuid.uuid4().hex}"


def seen_by_app(app, path: str) -> list[dict]:
    return [s for s in app.seen if s["path"] == path]


# --- Headers to the app ----------------------------------------------------------------------


def test_forwards_host_client_address_scheme_and_a_generated_request_id(fake):
    app, nginx = fake
    response = request(nginx.url + unique("/echo"), headers={"Cookie": "sessionid=x"})
    assert response.status == 200
    received = json.loads(response.body)["headers"]
    assert received["host"] == f"127.0.0.1:{nginx.port}"  # as the client sent it, port included
    assert received["x-forwarded-for"] == "127.0.0.1"
    assert received["x-forwarded-proto"] == "http"  # no load balancer: nginx's own scheme
    assert re.fullmatch(r"[0-9a-f]{32}", received["x-request-id"])
    # The client gets the same id back (not the app's own header, which nginx hides).
    assert response.header("X-Request-ID") == received["x-request-id"]


def test_keeps_the_load_balancers_headers(fake):
    app, nginx = fake
    response = request(
        nginx.url + unique("/echo"),
        headers={
            "X-Forwarded-For": "203.0.113.7",
            "X-Forwarded-Proto": "https",
            "X-Request-ID": "lb-4bf92f3577b34da6a3ce929d0e0e4736",
            "Cookie": "sessionid=x",
        },
    )
    received = json.loads(response.body)["headers"]
    assert received["x-forwarded-for"] == "203.0.113.7, 127.0.0.1"
    assert received["x-forwarded-proto"] == "https"
    assert received["x-request-id"] == "lb-4bf92f3577b34da6a3ce929d0e0e4736"
    assert response.header("X-Request-ID") == received["x-request-id"]


@pytest.mark.parametrize(
    ("incoming", "kept"),
    [
        ("abc-123_x.y:z", True),
        ("x" * 128, True),
        ("x" * 129, False),  # too long
        ("has space", False),
        ("<script>", False),
    ],
)
def test_request_id_is_kept_only_when_safe(fake, incoming, kept):
    app, nginx = fake
    response = request(
        nginx.url + unique("/echo"), headers={"X-Request-ID": incoming, "Cookie": "sessionid=x"}
    )
    received = json.loads(response.body)["headers"]["x-request-id"]
    if kept:
        assert received == incoming
    else:
        assert re.fullmatch(r"[0-9a-f]{32}", received)
    assert response.header("X-Request-ID") == received


def test_unknown_forwarded_proto_falls_back_to_nginx_scheme(fake):
    app, nginx = fake
    response = request(
        nginx.url + unique("/echo"),
        headers={"X-Forwarded-Proto": "gopher", "Cookie": "sessionid=x"},
    )
    assert json.loads(response.body)["headers"]["x-forwarded-proto"] == "http"


# --- Microcache ----------------------------------------------------------------------------------


def test_anonymous_get_is_cached_and_the_second_request_never_reaches_the_app(fake):
    app, nginx = fake
    path = unique("/page")
    first = request(nginx.url + path)
    second = request(nginx.url + path)
    assert first.header("X-Cache-Status") == "MISS"
    assert second.header("X-Cache-Status") == "HIT"
    assert len(seen_by_app(app, path)) == 1
    # Each response carries its own request id, even the one served from the cache.
    assert first.header("X-Request-ID") != second.header("X-Request-ID")


def test_head_is_cached_like_get(fake):
    app, nginx = fake
    path = unique("/page")
    assert request(nginx.url + path).header("X-Cache-Status") == "MISS"
    assert request(nginx.url + path, method="HEAD").header("X-Cache-Status") == "HIT"


def test_entries_expire_after_about_a_second_and_stale_copies_are_served_while_updating(fake):
    app, nginx = fake
    path = unique("/slow")  # the app takes 0.5 s
    request(nginx.url + path)
    time.sleep(2.2)  # "1 s" validity can last up to 2 s
    started = time.monotonic()
    stale = request(nginx.url + path)
    elapsed = time.monotonic() - started
    # The expired copy is served at once while one background request refreshes the entry.
    assert stale.header("X-Cache-Status") in {"STALE", "UPDATING"}
    assert elapsed < 0.4, elapsed
    time.sleep(0.8)
    assert request(nginx.url + path).header("X-Cache-Status") == "HIT"
    assert len(seen_by_app(app, path)) == 2


def test_cache_lock_sends_one_request_to_the_app_for_many_concurrent_clients(fake):
    app, nginx = fake
    path = unique("/slow")
    with concurrent.futures.ThreadPoolExecutor(max_workers=16) as pool:
        responses = list(pool.map(lambda _: request(nginx.url + path), range(16)))
    assert all(r.status == 200 for r in responses)
    assert len(seen_by_app(app, path)) == 1
    assert sorted({r.header("X-Cache-Status") for r in responses}) == ["HIT", "MISS"]


@pytest.mark.parametrize(
    "headers",
    [
        {"Cookie": "sessionid=abc123"},
        {"Cookie": "csrftoken=x; sessionid=abc123; theme=dark"},
        {"Cookie": "messages=pending-flash-message"},
        {"Authorization": "Basic dXNlcjpwYXNz"},
    ],
)
def test_requests_with_a_session_or_credentials_bypass_the_cache_and_are_never_stored(
    fake, headers
):
    app, nginx = fake
    path = unique("/page")
    request(nginx.url + path)  # an anonymous copy is in the cache now
    signed_in = [request(nginx.url + path, headers=headers) for _ in range(2)]
    assert [r.header("X-Cache-Status") for r in signed_in] == ["BYPASS", "BYPASS"]
    assert len(seen_by_app(app, path)) == 3  # both signed-in requests reached the app
    # ...and what they got was not stored: anonymous visitors still get the anonymous copy.
    anonymous = request(nginx.url + path)
    assert anonymous.header("X-Cache-Status") == "HIT"
    assert "cookie" not in json.loads(anonymous.body)["headers"]
    assert "authorization" not in json.loads(anonymous.body)["headers"]


def test_a_response_that_sets_a_cookie_is_never_stored(fake):
    app, nginx = fake
    path = unique("/set-cookie")
    statuses = [request(nginx.url + path).header("X-Cache-Status") for _ in range(3)]
    assert statuses == ["MISS", "MISS", "MISS"]
    assert len(seen_by_app(app, path)) == 3


def test_the_apps_never_cache_headers_are_honoured(fake):
    # The failure lab's responses (never_cache) must all reach the app: nginx may not swallow
    # the traffic a learner generates on purpose.
    app, nginx = fake
    path = unique("/never-cache")
    statuses = [request(nginx.url + path).header("X-Cache-Status") for _ in range(3)]
    assert statuses == ["MISS", "MISS", "MISS"]
    assert len(seen_by_app(app, path)) == 3


def test_post_is_never_cached(fake):
    app, nginx = fake
    path = unique("/form")
    for _ in range(2):
        response = request(nginx.url + path, method="POST", body=b"a=1")
        assert response.header("X-Cache-Status") in {None, "MISS", "BYPASS"}
    assert len(seen_by_app(app, path)) == 2


# --- Health, metrics, limits -------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/healthz", "/readyz"])
def test_app_probes_pass_through_uncached(fake, path):
    app, nginx = fake
    before = len(seen_by_app(app, path))
    responses = [request(nginx.url + path) for _ in range(3)]
    assert all(r.status == 200 for r in responses)
    assert all(r.header("X-Cache-Status") is None for r in responses)
    assert len(seen_by_app(app, path)) == before + 3


def test_nginx_health_is_answered_by_nginx_itself(fake):
    app, nginx = fake
    response = request(nginx.url + "/nginx-health")
    assert (response.status, response.body) == (200, b"ok\n")
    assert "/nginx-health" not in app.paths()


@pytest.mark.parametrize(
    "path", ["/metrics", "/metrics/", "/metrics?format=openmetrics", "//metrics", "/%6Detrics"]
)
def test_metrics_is_refused_and_never_reaches_the_app(fake, path):
    app, nginx = fake
    response = request(nginx.url + path)
    assert response.status == 404
    assert not any("metrics" in p for p in app.paths())


def test_body_over_one_megabyte_gets_413_before_the_app(fake):
    app, nginx = fake
    path = unique("/upload")
    too_big = request(nginx.url + path, method="POST", body=b"x" * (1024 * 1024 + 1))
    assert too_big.status == 413
    assert seen_by_app(app, path) == []
    just_fits = request(nginx.url + path, method="POST", body=b"x" * (1024 * 1024))
    assert just_fits.status == 200
    assert seen_by_app(app, path)[0]["body_size"] == 1024 * 1024


# --- Static files and compression --------------------------------------------------------------


def test_hashed_static_files_are_immutable_for_a_year_and_served_from_nginx(fake):
    app, nginx = fake
    path = f"/static/css/portal.{uuid.uuid4().hex[:12]}.css"
    first = request(nginx.url + path)
    second = request(nginx.url + path)
    assert first.header("Cache-Control") == "public, max-age=31536000, immutable"
    assert second.header("Cache-Control") == "public, max-age=31536000, immutable"
    assert [first.header("X-Cache-Status"), second.header("X-Cache-Status")] == ["MISS", "HIT"]
    assert len(seen_by_app(app, path)) == 1


def test_unhashed_static_names_are_not_immutable(fake):
    app, nginx = fake
    response = request(nginx.url + f"/static/css/{uuid.uuid4().hex}.css")
    assert response.header("Cache-Control") == "public, max-age=60"


def test_text_is_gzipped_for_clients_that_accept_it(fake):
    app, nginx = fake
    path = unique("/big")
    plain = request(nginx.url + path)
    gzipped = request(nginx.url + path, headers={"Accept-Encoding": "gzip"})
    assert plain.header("Content-Encoding") is None
    assert gzipped.header("Content-Encoding") == "gzip"
    assert "Accept-Encoding" in (gzipped.header("Vary") or "")
    assert len(gzipped.body) < len(plain.body) / 5
    css = request(nginx.url + unique("/static/css/site.css"), headers={"Accept-Encoding": "gzip"})
    assert css.header("Content-Encoding") == "gzip"


# --- Access log --------------------------------------------------------------------------------


def test_access_log_is_json_with_the_request_id_and_cache_status(fake):
    app, nginx = fake
    path = unique("/logged")
    response = request(nginx.url + path, headers={"X-Request-ID": "log-test-42"})
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        entries = [e for e in nginx.access_entries() if e["request_id"] == "log-test-42"]
        if entries:
            break
        time.sleep(0.05)
    (entry,) = entries
    assert response.header("X-Request-ID") == "log-test-42"
    assert entry["uri"] == path
    assert entry["status"] == 200
    assert entry["cache"] == "MISS"
    assert entry["method"] == "GET"
    assert entry["upstream_addr"] == app.address
    assert isinstance(entry["request_time"], float | int)
