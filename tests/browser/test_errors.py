"""Journey 3: an unknown lesson shows the portal's own 404 page, which leads back to the tracks."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MISSING = "/tracks/service-levels/no-such-lesson/"


def test_unknown_lesson_shows_the_portals_404_with_a_way_back(
    curriculum_db, make_context, network, screenshot
):
    page = make_context("desktop-light").new_page()
    response = page.goto(MISSING)
    assert response is not None and response.status == 404
    # The portal's own page: its header, navigation and footer, not Django's plain one.
    expect(page).to_have_title(re.compile(r"^Page not found · SRE Learning Portal$"))
    expect(page.locator(".site-header .brand")).to_have_text(re.compile("SRE Learning Portal"))
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("We couldn't find that page")
    expect(page.locator(".error-code")).to_have_text("404")
    expect(page.locator("body")).not_to_contain_text("Traceback")
    assert_accessible(page, "404 page")
    screenshot("not-found", MISSING)

    page.get_by_role("link", name="Browse the tracks").click()
    expect(page).to_have_url(re.compile(r"^https?://[^/]+/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Learn site reliability engineering")
    expect(page.locator(".track-card")).to_have_count(5)

    # An unknown track is a 404 too, and the search link on it works.
    response = page.goto("/tracks/no-such-track/")
    assert response is not None and response.status == 404
    page.locator("main").get_by_role("link", name="search the lessons").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Search lessons")

    network.assert_local()
