"""Probes: /healthz (liveness) never touches the database; /readyz (readiness) goes 503 when the
database is unreachable and back to 200 when it returns, while liveness stays 200."""

import json
import time
from urllib.parse import urlsplit, urlunsplit

import pytest

from tests.observability import scrape
from tests.observability.tcp_proxy import TcpProxy
from tests.support.gunicorn import run_gunicorn


# --- In process ----------------------------------------------------------------------------------
@pytest.mark.django_db
def test_healthz_is_cheap(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-store" in response["Cache-Control"]
    assert "Set-Cookie" not in response  # no session


@pytest.mark.django_db
def test_readyz_checks_database_and_migrations(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ready"
    assert body["checks"]["database"] == {"ok": True, "error": None}
    assert body["checks"]["migrations"] == {"ok": True, "error": None}
    assert "no-store" in response["Cache-Control"]


def test_probes_answer_get_only(client):
    assert client.post("/healthz").status_code == 405
    assert client.post("/readyz").status_code == 405


# --- Under gunicorn, with a database outage ---------------------------------------------------------
def _through(proxy: TcpProxy, url: str) -> str:
    parts = urlsplit(url)
    netloc = f"{parts.username}:{parts.password}@127.0.0.1:{proxy.port}"
    return urlunsplit(parts._replace(netloc=netloc))


def _probe(server, path):
    started = time.monotonic()
    status, headers, body = server.get(path, timeout=15)
    return status, json.loads(body), time.monotonic() - started


@pytest.mark.integration
def test_readiness_follows_the_database_and_liveness_stays_up(portal_db_url):
    upstream = urlsplit(portal_db_url)
    proxy = TcpProxy(upstream.hostname, upstream.port or 5432).start()
    try:
        env = {"DATABASE_CONNECT_TIMEOUT": "2"}
        with run_gunicorn(
            database_url=_through(proxy, portal_db_url), workers=2, env=env
        ) as server:
            # Database up: both probes 200 (several times: both workers answer some).
            for _ in range(4):
                status, body, _ = _probe(server, "/readyz")
                assert status == 200 and body["status"] == "ready", body
                assert _probe(server, "/healthz")[0] == 200
            not_ready = 0

            # Outage: every open connection is cut and new ones are refused.
            proxy.stop()
            for _ in range(6):
                status, body, elapsed = _probe(server, "/readyz")
                assert status == 503, body
                not_ready += 1
                assert body["status"] == "not ready"
                assert body["checks"]["database"]["ok"] is False
                assert body["checks"]["database"]["error"]  # says why
                assert body["checks"]["migrations"]["error"] == "skipped: database unavailable"
                assert elapsed < 5  # bounded by the connect timeout, never hangs
                status, body, _ = _probe(server, "/healthz")
                assert (status, body) == (200, {"status": "ok"})
            # A page that needs the database fails politely: the error page, no stack trace.
            status, _, page = server.get("/tracks/kubernetes/health-probes/")
            assert status == 500
            assert b"Traceback" not in page and b"psycopg" not in page

            # Back: readiness recovers by itself (no restart), liveness never changed.
            proxy.start()
            deadline = time.monotonic() + 20
            recovered = 0
            while time.monotonic() < deadline and recovered < 4:
                status, body, _ = _probe(server, "/readyz")
                recovered = recovered + 1 if status == 200 else 0
                not_ready += status == 503
                assert _probe(server, "/healthz")[0] == 200
                time.sleep(0.1)
            assert recovered == 4, body
            assert server.get("/tracks/kubernetes/health-probes/")[0] == 200

            # What PortalNotReady reads: readyz answers by status.
            text = server.get("/metrics")[2].decode()
            responses = "django_http_responses_total_by_status_view_method_total"
            assert scrape.total(text, responses, view="readyz", status="503") == not_ready >= 6
            assert scrape.total(text, responses, view="healthz", status="200") >= 14
    finally:
        proxy.stop()
