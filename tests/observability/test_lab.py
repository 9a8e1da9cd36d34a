"""The failure lab: bounds, 400s with the allowed range, rate limit, the off switch, view labels."""

import time

import pytest
from django.urls import resolve, reverse

from portal import lab


@pytest.fixture(autouse=True)
def fresh_buckets():
    lab.reset_rate_limits()
    yield
    lab.reset_rate_limits()


pytestmark = pytest.mark.django_db


def test_lab_page_renders_forms_with_the_bounds(client):
    response = client.get("/lab/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'action="/lab/status/"' in html and 'action="/lab/delay/"' in html
    for code in lab.ALLOWED_STATUS_CODES:
        assert f'<option value="{code}"' in html
    assert 'max="2000"' in html
    assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize("code", lab.ALLOWED_STATUS_CODES)
def test_status_answers_every_allowed_code_with_a_small_plain_body(client, code):
    response = client.get("/lab/status/", {"code": code})
    assert response.status_code == code
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert len(response.content) < 200
    if code == 204:
        assert response.content == b""
    else:
        assert f"{code}".encode() in response.content
        assert b"Traceback" not in response.content
    # Never cached: nginx's microcache would otherwise absorb the traffic a learner makes.
    assert "no-store" in response["Cache-Control"]


def test_a_chosen_500_is_not_the_error_page_and_logs_no_exception(client, caplog):
    response = client.get("/lab/status/?code=500")
    assert response.status_code == 500
    assert response.content == (
        b"lab: 500 Internal Server Error, answered on purpose by the failure lab.\n"
    )
    assert not [r for r in caplog.records if r.exc_info]


@pytest.mark.parametrize(
    "query",
    [
        "",
        "?code=",
        "?code=201",
        "?code=999",
        "?code=abc",
        "?code=-1",
        "?code=%D9%A3",
        "?code=5000",
        "?code=+500",
        "?code=500.0",
        "?code=1e3",
    ],
)
def test_bad_status_codes_get_400_with_the_allowed_list(client, query):
    response = client.get("/lab/status/" + query)
    assert response.status_code == 400
    body = response.content.decode()
    assert "200, 204, 400, 403, 404, 429, 500, 502, 503, 504" in body
    assert response["Content-Type"].startswith("text/plain")


@pytest.mark.parametrize(
    "query", ["", "?ms=", "?ms=2001", "?ms=99999", "?ms=-5", "?ms=1.5", "?ms=abc", "?ms=%EF%BC%91"]
)
def test_bad_delays_get_400_with_the_range(client, query):
    started = time.monotonic()
    response = client.get("/lab/delay/" + query)
    assert response.status_code == 400
    assert "from 0 to 2000" in response.content.decode()
    assert time.monotonic() - started < 0.5  # rejected, not slept


def test_delay_waits_the_chosen_time(client):
    started = time.monotonic()
    response = client.get("/lab/delay/?ms=300")
    elapsed = time.monotonic() - started
    assert response.status_code == 200
    assert 0.3 <= elapsed < 1.5
    assert b"300 ms" in response.content


def test_delay_of_zero_and_maximum_are_allowed(client, settings):
    settings.PORTAL_LAB_DELAY_BUDGET_SECONDS = 10
    assert client.get("/lab/delay/?ms=0").status_code == 200
    started = time.monotonic()
    assert client.get("/lab/delay/?ms=2000").status_code == 200
    assert 2.0 <= time.monotonic() - started < 3.5


def test_only_get_and_head(client):
    assert client.head("/lab/status/?code=503").status_code == 503
    assert client.post("/lab/status/?code=200").status_code == 405
    assert client.delete("/lab/delay/?ms=1").status_code == 405


def test_rate_limit_per_client(client, settings):
    settings.PORTAL_LAB_BURST = 5
    settings.PORTAL_LAB_RATE_PER_SECOND = 0.5
    codes = [client.get("/lab/status/?code=200").status_code for _ in range(8)]
    assert codes[:5] == [200] * 5
    assert codes[5:] == [429] * 3
    limited = client.get("/lab/status/?code=200")
    assert limited.status_code == 429
    assert 1 <= int(limited["Retry-After"]) <= 2
    assert b"too many lab requests" in limited.content
    # Another client has its own bucket.
    other = client.get("/lab/status/?code=200", REMOTE_ADDR="10.1.2.3")
    assert other.status_code == 200


def test_rate_limit_refills(client, settings):
    settings.PORTAL_LAB_BURST = 2
    settings.PORTAL_LAB_RATE_PER_SECOND = 10
    assert [client.get("/lab/status/?code=204").status_code for _ in range(3)] == [204, 204, 429]
    time.sleep(0.25)
    assert client.get("/lab/status/?code=204").status_code == 204


def test_bad_parameters_also_spend_tokens(client, settings):
    settings.PORTAL_LAB_BURST = 3
    settings.PORTAL_LAB_RATE_PER_SECOND = 0.1
    codes = [client.get("/lab/status/?code=nope").status_code for _ in range(4)]
    assert codes == [400, 400, 400, 429]


def test_long_delays_cost_more_tokens(client, settings):
    settings.PORTAL_LAB_BURST = 6
    settings.PORTAL_LAB_RATE_PER_SECOND = 0.1
    assert client.get("/lab/delay/?ms=1").status_code == 200  # 1 + 1 tokens
    assert client.get("/lab/delay/?ms=1").status_code == 200  # 1 + 1 tokens
    assert client.get("/lab/delay/?ms=1500").status_code == 429  # 1 + 3 > 2 left


def test_process_delay_budget_protects_the_workers(client, settings):
    settings.PORTAL_LAB_DELAY_BUDGET_SECONDS = 0.5
    settings.PORTAL_LAB_DELAY_BUDGET_PER_SECOND = 0.01
    assert client.get("/lab/delay/?ms=400").status_code == 200
    started = time.monotonic()
    # From another address: the per-client bucket is full, the process budget is not.
    response = client.get("/lab/delay/?ms=400", REMOTE_ADDR="10.9.9.9")
    assert response.status_code == 429
    assert b"budget of lab delays" in response.content
    assert time.monotonic() - started < 0.3


def test_client_ip_trusts_only_the_configured_proxy_hops(rf, settings):
    request = rf.get(
        "/lab/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7, 10.0.0.5"
    )
    settings.PORTAL_LAB_TRUSTED_PROXY_HOPS = 0
    assert lab.client_ip(request) == "127.0.0.1"  # the header is not trusted by default
    settings.PORTAL_LAB_TRUSTED_PROXY_HOPS = 1
    assert lab.client_ip(request) == "10.0.0.5"
    settings.PORTAL_LAB_TRUSTED_PROXY_HOPS = 2
    assert lab.client_ip(request) == "203.0.113.7"  # never the forgeable left-most entry
    settings.PORTAL_LAB_TRUSTED_PROXY_HOPS = 5
    assert lab.client_ip(request) == "127.0.0.1"


def test_spoofed_forwarded_for_does_not_escape_the_limit(client, settings):
    settings.PORTAL_LAB_TRUSTED_PROXY_HOPS = 1
    settings.PORTAL_LAB_BURST = 2
    settings.PORTAL_LAB_RATE_PER_SECOND = 0.1
    codes = [
        client.get(
            "/lab/status/?code=200", HTTP_X_FORWARDED_FOR=f"198.51.100.{i}, 192.0.2.1"
        ).status_code
        for i in range(4)
    ]
    assert codes == [200, 200, 429, 429]


def test_limiter_keeps_a_bounded_number_of_clients():
    limiter = lab.TokenBucketLimiter(rate=1, burst=1, max_keys=100)
    for i in range(1000):
        limiter.take(f"10.0.{i // 256}.{i % 256}")
    assert len(limiter._buckets) == 100


@pytest.mark.parametrize("path", ["/lab/", "/lab/status/?code=500", "/lab/delay/?ms=10"])
def test_disabled_lab_is_404(client, settings, path):
    settings.PORTAL_LAB_ENABLED = False
    response = client.get(path)
    assert response.status_code == 404


def test_disabled_lab_is_404_for_every_method(client, settings):
    settings.PORTAL_LAB_ENABLED = False
    assert client.post("/lab/status/?code=500").status_code == 404
    assert client.delete("/lab/delay/?ms=1").status_code == 404


def test_disabled_lab_hides_the_nav_link(client, settings):
    assert b'href="/lab/"' in client.get("/lab/").content
    settings.PORTAL_LAB_ENABLED = False
    assert b'href="/lab/"' not in client.get("/").content


def test_lab_view_names_are_lab_dash_so_slo_rules_exclude_them():
    for url in ["/lab/", "/lab/status/", "/lab/delay/"]:
        match = resolve(url)
        assert match.view_name.startswith("lab-"), match.view_name
        assert match.namespace == ""
    assert reverse("lab-status") == "/lab/status/"


def test_lab_metrics_carry_the_lab_view_label(client):
    from prometheus_client import REGISTRY

    def count():
        value = REGISTRY.get_sample_value(
            "django_http_responses_total_by_status_view_method_total",
            {"status": "503", "view": "lab-status", "method": "GET"},
        )
        return value or 0

    before = count()
    client.get("/lab/status/?code=503")
    client.get("/lab/status/?code=503")
    assert count() - before == 2
