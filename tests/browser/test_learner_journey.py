"""Journey 1: a new learner signs up, reads, copies code, answers the quiz, completes a lesson,
sees progress, searches, logs out and back in, and continues where they left off."""

import re

import pytest
from playwright.sync_api import expect

from lessons.models import Choice
from tests.browser.conftest import LEARNER_PASSWORD
from tests.browser.helpers import login, logout, path_of, signup

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TRACK = "/tracks/service-levels/"
LESSON = "/tracks/service-levels/slis-slos-and-error-budgets/"
NEXT_LESSON = "/tracks/service-levels/choosing-good-slis/"


def test_new_learner_journey(curriculum_db, make_context, network, screenshot, live_server):
    context = make_context("desktop-light")
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page = context.new_page()

    # Anonymous home page, then sign up from the header.
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Learn site reliability engineering")
    screenshot("home-anonymous", "/")
    signup(page, "new-learner", LEARNER_PASSWORD)
    assert path_of(page) == "/"
    screenshot("signup", "/accounts/signup/", variants=["desktop-light", "phone-dark"])

    # Open a track, then its first lesson.
    page.get_by_role("link", name="Service levels and error budgets").click()
    expect(page).to_have_url(re.compile(re.escape(TRACK) + "$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Service levels and error budgets")
    page.get_by_role("link", name="SLIs, SLOs and error budgets").click()
    expect(page).to_have_url(re.compile(re.escape(LESSON) + "$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("SLIs, SLOs and error budgets")

    # The table of contents (the sidebar at desktop width) jumps to the section.
    toc_link = page.locator("aside.toc-side a", has_text="Burn rate: how fast the budget goes")
    href = toc_link.get_attribute("href")
    assert href and href.startswith("#"), href
    heading = page.locator(f"h2{href}, h3{href}")
    expect(heading).not_to_be_in_viewport()
    toc_link.click()
    expect(page).to_have_url(re.compile(re.escape(LESSON + href) + "$"))
    expect(heading).to_be_in_viewport()
    assert page.evaluate("location.hash") == href

    # The copy button puts the code block's text on the clipboard.
    block = page.locator(".prose .highlight").first
    block.scroll_into_view_if_needed()
    code_text = block.locator("pre").inner_text().rstrip("\n")
    assert code_text.strip(), "the first code block is empty"
    copy = block.get_by_role("button", name="Copy code to clipboard")
    expect(copy).to_have_text("Copy")
    copy.click()
    expect(copy).to_have_text("Copied")
    assert page.evaluate("navigator.clipboard.readText()") == code_text

    # The quiz: all right but the second question; marks and explanations appear.
    questions = page.locator("#quiz li.question")
    count = questions.count()
    assert count >= 3
    correct_ids = set(
        Choice.objects.filter(
            question__lesson__slug="slis-slos-and-error-budgets", is_correct=True
        ).values_list("pk", flat=True)
    )
    for index in range(count):
        radios = questions.nth(index).locator("input[type=radio]")
        values = [int(v) for v in radios.evaluate_all("rs => rs.map(r => r.value)")]
        pick = next(v for v in values if (v in correct_ids) != (index == 1))
        questions.nth(index).locator(f"input[value='{pick}']").check()
    page.get_by_role("button", name="Submit answers").click()
    expect(page).to_have_url(re.compile(re.escape(LESSON) + "#quiz$"))
    expect(page.locator(".messages")).to_contain_text(f"Quiz recorded: {count - 1} of {count}")
    expect(page.locator(".quiz-score")).to_contain_text(f"{count - 1} of {count}")
    expect(page.locator("#quiz .choice-correct")).to_have_count(count)
    expect(page.locator("#quiz .choice-wrong")).to_have_count(1)
    expect(page.locator("#quiz .choice-mark")).to_have_count(count + 1)
    expect(page.locator("#quiz .explanation")).to_have_count(count)
    expect(page.locator("#quiz li.is-wrong")).to_have_count(1)
    expect(questions.nth(1).locator(".explanation")).to_contain_text("Not quite.")
    expect(questions.nth(0).locator(".explanation")).to_contain_text("Correct.")
    expect(page.locator("#quiz .choice-wrong .visually-hidden")).to_have_text(
        "your answer, incorrect"
    )
    state = context.cookies()
    screenshot(
        "lesson",
        LESSON,
        cookies=state,
        readme={"desktop-dark": "lesson-desktop-dark", "phone-light": "lesson-phone-light"},
    )
    screenshot(
        "quiz-result",
        LESSON + "#quiz",
        cookies=state,
        element="#quiz",
        readme={"desktop-light": "quiz-result-desktop-light"},
    )

    # Mark the lesson complete.
    page.get_by_role("button", name="Mark as complete").click()
    expect(page.locator(".messages")).to_contain_text("marked as complete")
    expect(page.locator(".lesson-header .badge-done")).to_have_text("Completed")
    expect(page.get_by_role("button", name="Mark as not complete")).to_be_visible()

    # Progress on the home page and on the track page.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Tracks").click()
    card = page.locator(".track-card", has_text="Service levels and error budgets")
    expect(card.locator(".meta").nth(1)).to_have_text("1 of 4 completed (25%)")
    expect(card.locator("progress")).to_have_attribute("value", "25")
    other = page.locator(".track-card", has_text="Monitoring with Prometheus")
    expect(other.locator("progress")).to_have_attribute("value", "0")
    screenshot("home-progress", "/", cookies=state, readme={"desktop-light": "home-desktop-light"})
    card.get_by_role("link", name="Service levels and error budgets").click()
    expect(page.locator("main > p.meta")).to_contain_text("1 completed (25%)")
    done = page.locator(".lesson-item.is-done")
    expect(done).to_have_count(1)
    expect(done).to_contain_text("SLIs, SLOs and error budgets")
    expect(done.locator(".badge-done")).to_have_text("Completed")
    screenshot("track-progress", TRACK, cookies=state)

    # "My progress" lists the completion and the quiz score.
    page.get_by_role("link", name="My progress").click()
    row = page.locator("tr", has_text="SLIs, SLOs and error budgets")
    expect(row.locator(".badge-done")).to_be_visible()
    expect(row.locator("td").nth(1)).to_have_text(f"{count - 1}/{count}")
    screenshot("progress", "/progress/", cookies=state)

    # Search from the header and land on the right lesson.
    page.get_by_role("searchbox", name="Search lessons").fill("blameless postmortem")
    page.get_by_role("searchbox", name="Search lessons").press("Enter")
    expect(page).to_have_url(re.compile(r"/search/\?q=blameless\+postmortem$"))
    first = page.locator(".results .result").first
    expect(first.get_by_role("heading")).to_have_text("Blameless postmortems")
    expect(first.locator(".snippet mark").first).to_be_visible()
    screenshot("search", "/search/?q=blameless+postmortem", cookies=state)
    first.get_by_role("link", name="Blameless postmortems").click()
    expect(page).to_have_url(re.compile(r"/tracks/incidents/blameless-postmortems/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Blameless postmortems")

    # Log out, log back in: the home page offers the next unfinished lesson.
    logout(page)
    expect(page.get_by_role("link", name=re.compile("Continue where you left off"))).to_have_count(
        0
    )
    login(page, "new-learner", LEARNER_PASSWORD)
    page.goto("/")
    resume = page.get_by_role("link", name=re.compile("Continue where you left off"))
    expect(resume).to_have_text("Continue where you left off: Choosing good SLIs")
    expect(resume).to_have_attribute("href", NEXT_LESSON)
    resume.click()
    expect(page).to_have_url(re.compile(re.escape(NEXT_LESSON) + "$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Choosing good SLIs")

    network.assert_local()
