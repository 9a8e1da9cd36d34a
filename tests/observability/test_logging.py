"""Structured logs: one JSON line per request with the fields issue 3 lists; the request id taken
from X-Request-ID when valid, replaced when not, and returned in the response."""

import json
import logging
import re

import pytest

from portal.logging import JsonFormatter
from portal.request_id import RequestIdLogFilter
from tests.observability.client import Learner
from tests.support.gunicorn import run_gunicorn

FIELDS = {"time", "level", "logger", "message", "method", "path", "view", "status",
          "duration_ms", "request_id", "user"}  # fmt: skip
GENERATED = re.compile(r"^[0-9a-f]{32}$")


def formatted(record: logging.LogRecord) -> dict:
    RequestIdLogFilter().filter(record)
    return json.loads(JsonFormatter().format(record))


def access_lines(caplog) -> list[dict]:
    return [formatted(r) for r in caplog.records if r.name == "portal.access"]


@pytest.fixture
def caplog_info(caplog):
    caplog.set_level(logging.INFO, logger="portal")
    return caplog


@pytest.mark.django_db
def test_one_json_line_per_request_with_every_field(client, caplog_info):
    response = client.get("/healthz", HTTP_X_REQUEST_ID="probe-1234.abc:def_9")
    assert response["X-Request-ID"] == "probe-1234.abc:def_9"
    (line,) = access_lines(caplog_info)
    assert set(line) >= FIELDS
    assert line["level"] == "INFO"
    assert line["logger"] == "portal.access"
    assert line["method"] == "GET"
    assert line["path"] == "/healthz"
    assert line["view"] == "healthz"
    assert line["status"] == 200
    assert isinstance(line["duration_ms"], float) and line["duration_ms"] >= 0
    assert line["request_id"] == "probe-1234.abc:def_9"
    assert line["user"] == "anonymous"
    assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00$", line["time"])


@pytest.mark.django_db
@pytest.mark.parametrize(
    "header",
    [
        "x" * 129,  # too long
        "has space",
        "new\nline",
        '<script>alert("x")</script>',
        "ümlaut",
        "",
    ],
)
def test_invalid_request_ids_are_replaced(client, caplog_info, header):
    response = client.get("/healthz", HTTP_X_REQUEST_ID=header)
    generated = response["X-Request-ID"]
    assert GENERATED.match(generated)
    (line,) = access_lines(caplog_info)
    assert line["request_id"] == generated


@pytest.mark.django_db
def test_request_id_is_generated_when_absent_and_unique(client, caplog_info):
    first = client.get("/healthz")["X-Request-ID"]
    second = client.get("/healthz")["X-Request-ID"]
    assert GENERATED.match(first) and GENERATED.match(second) and first != second
    assert [line["request_id"] for line in access_lines(caplog_info)] == [first, second]


@pytest.mark.django_db
def test_the_longest_valid_request_id_is_kept(client):
    value = "a" * 128
    assert client.get("/healthz", HTTP_X_REQUEST_ID=value)["X-Request-ID"] == value


@pytest.mark.django_db
def test_user_id_of_a_signed_in_learner(learner_client, learner, caplog_info):
    learner_client.get("/healthz")
    (line,) = access_lines(caplog_info)
    assert line["user"] == str(learner.pk)


@pytest.mark.django_db
def test_errors_and_unknown_urls_are_logged_too(client, caplog_info):
    client.get("/no/such/page/")
    client.get("/lab/status/?code=503")
    lines = access_lines(caplog_info)
    assert [(line["status"], line["view"]) for line in lines] == [(404, None), (503, "lab-status")]


@pytest.mark.django_db
def test_application_logs_carry_the_request_id(client, caplog_info):
    client.get("/accounts/signup/")
    response = client.post(
        "/accounts/signup/",
        {
            "username": "newbie",
            "password1": "an-unguessable-pass-77",
            "password2": "an-unguessable-pass-77",
        },
        HTTP_X_REQUEST_ID="signup-req-1",
    )
    assert response.status_code == 302
    app_lines = [formatted(r) for r in caplog_info.records if r.name == "portal.accounts"]
    (signed_up,) = app_lines
    assert signed_up["message"] == "user signed up"
    assert signed_up["request_id"] == "signup-req-1"


@pytest.mark.integration
def test_gunicorn_stdout_is_json_lines_one_per_request(portal_db_url):
    with run_gunicorn(database_url=portal_db_url, workers=2) as server:
        for i in range(5):
            status, headers, _ = server.get("/", headers={"X-Request-ID": f"home-{i}"})
            assert status == 200 and headers["X-Request-ID"] == f"home-{i}"
        status, headers, _ = server.get("/healthz", headers={"X-Request-ID": "bad id\x7f"})
        replaced = headers["X-Request-ID"]
        assert GENERATED.match(replaced)
        Learner(server.url).sign_up("log-learner")
        logs = server.logs()
    entries = [json.loads(line) for line in logs.splitlines() if line.strip()]  # all JSON
    access = [e for e in entries if e["logger"] == "portal.access"]
    for i in range(5):
        (line,) = [e for e in access if e["request_id"] == f"home-{i}"]
        assert set(line) >= FIELDS
        assert (line["path"], line["view"], line["status"]) == ("/", "lessons:home", 200)
    (line,) = [e for e in access if e["request_id"] == replaced]
    assert line["view"] == "healthz"
    # The sign-up: its access line and the app's own line share the request id.
    signup = [e for e in entries if e.get("request_id") == "signup-log-learner"]
    assert {e["logger"] for e in signup} == {"portal.access", "portal.accounts"}
    (post,) = [e for e in signup if e["logger"] == "portal.access"]
    assert post["method"] == "POST" and post["status"] == 302 and post["user"] != "anonymous"


@pytest.mark.django_db
def test_djangos_own_5xx_line_carries_the_request_id(client, caplog):
    caplog.set_level(logging.ERROR, logger="django.request")
    response = client.get("/lab/status/?code=503", HTTP_X_REQUEST_ID="five-hundred-1")
    assert response.status_code == 503
    lines = [formatted(r) for r in caplog.records if r.name == "django.request"]
    assert lines and all(line["request_id"] == "five-hundred-1" for line in lines)
