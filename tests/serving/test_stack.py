"""The portal served like production: gunicorn (repository's gunicorn.conf.py, production
settings, PostgreSQL) behind the real nginx with the repository's config, as issue 4 asks."""

import re
import uuid

import pytest

from tests.serving.stack import BEHIND_TLS, create_users, login, manifest, request, wait_for

pytestmark = pytest.mark.integration


def app_requests_with(stack, request_id: str) -> list[dict]:
    return [e for e in stack.app_requests() if e.get("request_id") == request_id]


def test_pages_come_through_nginx(stack):
    track_path = stack.lesson_path.rsplit("/", 2)[0] + "/"
    for path in ["/", track_path, stack.lesson_path, "/search/?q=latency", "/accounts/login/"]:
        response = request(stack.nginx.url + path, headers=BEHIND_TLS)
        assert response.status == 200, (path, response.status, response.text[:300])
        assert "<html" in response.text
    assert "<h1" in request(stack.nginx.url + stack.lesson_path, headers=BEHIND_TLS).text


def test_scheme_comes_from_the_load_balancer_header_else_from_nginx(stack):
    # Without X-Forwarded-Proto the app sees plain http (nginx's $scheme) and redirects to https,
    # with the Host the client used; with the load balancer's "https" it serves the page.
    plain = request(stack.nginx.url + stack.lesson_path + f"?r={uuid.uuid4().hex}")
    assert plain.status == 301
    assert plain.header("Location").startswith(f"https://127.0.0.1:{stack.nginx.port}/")
    assert request(stack.nginx.url + stack.lesson_path, headers=BEHIND_TLS).status == 200


def test_hashed_static_files_carry_the_immutable_header(stack):
    hashed = manifest(stack.static_root)["css/portal.css"]
    assert re.search(r"\.[0-9a-f]{12}\.css$", hashed)
    first = request(
        f"{stack.nginx.url}/static/{hashed}", headers={**BEHIND_TLS, "Accept-Encoding": "gzip"}
    )
    second = request(
        f"{stack.nginx.url}/static/{hashed}", headers={**BEHIND_TLS, "Accept-Encoding": "gzip"}
    )
    assert first.status == 200
    assert first.header("Cache-Control") == "public, max-age=31536000, immutable"
    assert first.header("Content-Encoding") == "gzip"
    assert second.header("X-Cache-Status") == "HIT"
    # The page links the hashed name.
    page = request(stack.nginx.url + stack.lesson_path, headers=BEHIND_TLS)
    assert f"/static/{hashed}" in page.text


def test_metrics_refused_through_nginx_but_served_by_gunicorn(stack):
    assert request(f"{stack.nginx.url}/metrics", headers=BEHIND_TLS).status == 404
    direct = request(f"{stack.gunicorn.url}/metrics")
    assert direct.status == 200
    assert "django_http_requests_total_by_view_transport_method_total" in direct.text


def test_second_anonymous_request_is_a_cache_hit_that_gunicorn_never_sees(stack):
    path = f"{stack.lesson_path}?probe={uuid.uuid4().hex}"
    first_id, second_id = f"first-{uuid.uuid4().hex}", f"second-{uuid.uuid4().hex}"
    first = request(stack.nginx.url + path, headers={**BEHIND_TLS, "X-Request-ID": first_id})
    second = request(stack.nginx.url + path, headers={**BEHIND_TLS, "X-Request-ID": second_id})
    assert (first.status, second.status) == (200, 200)
    assert first.header("X-Cache-Status") == "MISS"
    assert second.header("X-Cache-Status") == "HIT"
    assert second.body == first.body
    assert wait_for(lambda: app_requests_with(stack, first_id))
    assert app_requests_with(stack, second_id) == []
    # nginx logged both, the second as a HIT.
    logged = {e["request_id"]: e["cache"] for e in stack.nginx.access_entries()}
    assert logged[first_id] == "MISS"
    assert logged[second_id] == "HIT"


def test_signed_in_pages_are_never_cached_nor_shared(stack):
    users = {"alice-learner": "alice-Pa55word-1", "bob-learner": "bob-Pa55word-2"}
    create_users(stack.env, users)
    sessions = {name: login(stack.nginx.url, name, password) for name, password in users.items()}
    path = f"{stack.lesson_path}?shared={uuid.uuid4().hex}"

    for _ in range(2):
        for name, session in sessions.items():
            other = next(n for n in users if n != name)
            response = request(
                stack.nginx.url + path,
                headers={**BEHIND_TLS, "Cookie": f"sessionid={session}"},
            )
            assert response.status == 200
            assert response.header("X-Cache-Status") == "BYPASS"
            assert name in response.text
            assert other not in response.text

    # Anonymous visitors of the same URL get the anonymous page, never a learner's.
    anonymous = [request(stack.nginx.url + path, headers=BEHIND_TLS) for _ in range(2)]
    assert [r.header("X-Cache-Status") for r in anonymous] == ["MISS", "HIT"]
    for response in anonymous:
        assert "Log in" in response.text
        assert not any(name in response.text for name in users)
    # Nothing a learner saw was written to nginx's cache.
    cached = b"".join(
        p.read_bytes()
        for p in (stack.nginx.workdir / "nginx-pages-cache").rglob("*")
        if p.is_file()
    )
    assert cached
    assert not any(name.encode() in cached for name in users)


def test_request_id_reaches_the_app_log(stack):
    # A cached copy never reaches the app: ask for something the cache does not hold.
    path = f"{stack.lesson_path}?rid={uuid.uuid4().hex}"
    response = request(stack.nginx.url + path, headers=BEHIND_TLS)
    request_id = response.header("X-Request-ID")
    assert re.fullmatch(r"[0-9a-f]{32}", request_id)
    (entry,) = wait_for(lambda: app_requests_with(stack, request_id))
    assert entry["path"] == stack.lesson_path
    assert entry["view"] == "lessons:lesson"
    # A caller's own id travels too.
    own = f"caller-{uuid.uuid4().hex}"
    request(f"{stack.nginx.url}/healthz", headers={"X-Request-ID": own})
    assert wait_for(lambda: app_requests_with(stack, own))


def test_health_endpoints_pass_through_uncached(stack):
    for path in ["/healthz", "/readyz"]:
        ids = []
        for _ in range(2):
            response = request(stack.nginx.url + path)
            assert response.status == 200, (path, response.text)
            assert response.header("X-Cache-Status") is None
            ids.append(response.header("X-Request-ID"))
        for request_id in ids:
            assert wait_for(lambda rid=request_id: app_requests_with(stack, rid))


def test_failure_lab_traffic_always_reaches_the_app(stack):
    ids = []
    for _ in range(3):
        response = request(f"{stack.nginx.url}/lab/status/?code=200", headers=BEHIND_TLS)
        assert response.status == 200, response.text
        assert response.header("X-Cache-Status") == "MISS"
        ids.append(response.header("X-Request-ID"))
    for request_id in ids:
        assert wait_for(lambda rid=request_id: app_requests_with(stack, rid))


def test_post_over_the_limit_gets_413_from_nginx(stack):
    request_id = f"big-{uuid.uuid4().hex}"
    response = request(
        f"{stack.nginx.url}/accounts/login/",
        method="POST",
        headers={
            **BEHIND_TLS,
            "X-Request-ID": request_id,
            "Content-Type": "application/x-www-form-urlencoded",
        },
        body=b"username=" + b"x" * (1024 * 1024 + 1),
    )
    assert response.status == 413
    assert app_requests_with(stack, request_id) == []
