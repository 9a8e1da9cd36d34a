"""Accessibility: axe-core on the learner pages in light and dark, keyboard-only use (skip link,
visible focus, the quiz), and text alternatives."""

import re

import pytest
from playwright.sync_api import expect

from lessons.models import Choice
from tests.browser.conftest import LEARNER_PASSWORD
from tests.browser.helpers import assert_images_have_alt, axe_violations, describe_violations, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TRACK = "/tracks/service-levels/"
LESSON = "/tracks/service-levels/slis-slos-and-error-budgets/"
SCHEMES = ["light", "dark"]

FOCUS_STYLE = """el => {
  const s = getComputedStyle(el);
  return {style: s.outlineStyle, width: parseFloat(s.outlineWidth), color: s.outlineColor};
}"""
ACTIVE = """() => {
  const el = document.activeElement;
  return {tag: el.tagName.toLowerCase(), id: el.id, type: el.type || "",
          cls: el.className || "", text: (el.innerText || el.value || "").trim()};
}"""


@pytest.fixture
def reader(django_user_model):
    return django_user_model.objects.create_user("reader", password=LEARNER_PASSWORD)


@pytest.mark.parametrize("scheme", SCHEMES)
def test_learner_pages_have_no_serious_axe_violations(
    scheme, curriculum_db, reader, make_context, network
):
    """Home, track, lesson, quiz result, search, login, sign-up, progress and 404: no serious or
    critical axe-core violation (colour contrast included), every <img> with alt."""
    page = make_context(f"desktop-{scheme}").new_page()
    failures = {}
    audited = []

    def audit(label):
        audited.append(label)
        found = axe_violations(page)
        if found:
            failures[label] = f"{label} ({page.url}):\n{describe_violations(found)}"
        assert_images_have_alt(page, label)

    page.goto("/accounts/login/")
    audit("login")
    page.goto("/accounts/signup/")
    audit("sign-up")
    page.goto("/tracks/service-levels/no-such-lesson/")
    audit("404")
    page.goto("/accounts/login/")
    login(page, "reader", LEARNER_PASSWORD)
    page.goto("/")
    audit("home")
    page.goto(TRACK)
    audit("track")
    page.goto(LESSON)
    audit("lesson")
    for question in page.locator("#quiz li.question").all():
        question.locator("input[type=radio]").first.check()
    page.get_by_role("button", name="Submit answers").click()
    expect(page.locator(".quiz-score")).to_be_visible()
    audit("quiz result")
    page.goto("/search/?q=error+budget")
    expect(page.locator(".results .result").first).to_be_visible()
    audit("search results")
    page.goto("/progress/")
    audit("progress")

    assert not failures, (
        f"axe-core serious/critical violations in the {scheme} theme:\n"
        + "\n".join(failures.values())
    )
    assert len(audited) == 9

    # The audit is not vacuous: text the page makes unreadable is caught.
    page.evaluate(
        "document.querySelector('main').insertAdjacentHTML('beforeend',"
        " '<p id=axe-probe style=\"color:#777;background:#888\">hard to read</p>')"
    )
    assert "color-contrast" in {v["id"] for v in axe_violations(page)}
    network.assert_local()


# Contrast of each keyboard focus outline against the colour next to it (the nearest
# ancestor's background): WCAG 2.1 SC 1.4.11 (non-text contrast) asks for 3:1.
FOCUS_CONTRAST = """() => {
  const rgb = c => c.match(/[\\d.]+/g).map(Number);
  const lum = c => {
    const [r, g, b] = rgb(c).slice(0, 3).map(v => {
      v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const behind = el => {
    for (let e = el.parentElement; e; e = e.parentElement) {
      const c = getComputedStyle(e).backgroundColor, parts = rgb(c);
      if (parts.length < 4 || parts[3] > 0) return c;
    }
    return getComputedStyle(document.documentElement).backgroundColor || "rgb(255, 255, 255)";
  };
  const el = document.activeElement;
  const s = getComputedStyle(el.matches("input[type=radio]") ? el.closest(".choice") : el);
  const ring = s.outlineColor, bg = behind(el.closest(".choice") || el);
  const [a, b] = [lum(ring), lum(bg)].sort((x, y) => y - x);
  return {element: el.outerHTML.slice(0, 80), ring, bg, ratio: (a + 0.05) / (b + 0.05)};
}"""


@pytest.mark.parametrize("scheme", SCHEMES)
def test_focus_outline_contrast(scheme, curriculum_db, reader, make_context, network):
    """The focus outline must stand out (3:1) from what surrounds it, in both themes."""
    page = make_context(f"desktop-{scheme}").new_page()
    page.goto("/accounts/login/")
    login(page, "reader", LEARNER_PASSWORD)
    page.goto(LESSON)
    weak = []
    for _ in range(12):  # skip link, header, breadcrumbs, table of contents ...
        page.keyboard.press("Tab")
        result = page.evaluate(FOCUS_CONTRAST)
        if result["ratio"] < 3:
            weak.append(result)
    _press_tab_until(page, "document.activeElement.type === 'radio'")
    result = page.evaluate(FOCUS_CONTRAST)
    if result["ratio"] < 3:
        weak.append(result)
    if weak:
        lines = "\n".join(
            f"  {w['ratio']:.2f}:1 outline {w['ring']} on {w['bg']}: {w['element']}" for w in weak
        )
        pytest.fail(
            f"APP FIX NEEDED (static/css/portal.css): focus outline contrast below 3:1 in the "
            f"{scheme} theme (WCAG 1.4.11):\n{lines}\n"
            "Suggested fix: in the light :root use a darker focus colour, e.g. "
            "`--focus: #b45309;` (about 5:1 on #ffffff and 4.7:1 on #f5f7fa); keep the dark one.",
            pytrace=False,
        )
    network.assert_local()


def test_sanitised_author_html_leaves_no_image_without_alt(curriculum_db, make_context, network):
    """A lesson body with `<img src=x onerror=...>` is sanitised; what remains must still
    have a text alternative (or be gone)."""
    from lessons.models import Track
    from tests.browser.test_staff_journey import BODY
    from tests.factories import make_lesson

    track = Track.objects.get(slug="service-levels")
    lesson = make_lesson(track, order=9, slug="sanitised", title="Sanitised", body=BODY)
    page = make_context("desktop-light").new_page()
    page.goto(lesson.get_absolute_url())
    assert page.evaluate("typeof window.__xss") == "undefined"
    images = page.eval_on_selector_all("article img", "imgs => imgs.map(i => i.outerHTML)")
    image_alt = [v for v in axe_violations(page) if v["id"] == "image-alt"]
    if image_alt or any("alt=" not in img for img in images):
        pytest.fail(
            "APP FIX NEEDED (lessons/rendering.py): sanitising `<img src=x onerror=...>` leaves "
            f"a bare {images} in the lesson (no src, no alt: axe image-alt, critical).\n"
            + describe_violations(image_alt)
            + "\nSuggested fix: in rendering.sanitize(), after nh3.clean(), drop images the "
            "filter left without a src, e.g. "
            '`re.sub(r"<img(?![^>]*\\ssrc=)[^>]*>", "", cleaned)`, and give a kept '
            '<img> without alt an empty alt="" (Markdown images always carry alt).',
            pytrace=False,
        )
    network.assert_local()


def _press_tab_until(page, predicate_js: str, limit: int = 400) -> dict:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(predicate_js):
            return page.evaluate(ACTIVE)
    raise AssertionError(f"Tab never reached an element matching {predicate_js}")


@pytest.mark.parametrize("scheme", SCHEMES)
def test_skip_link_first_and_focus_visible(scheme, curriculum_db, make_context, network):
    page = make_context(f"desktop-{scheme}").new_page()
    page.goto(LESSON)

    # The first Tab from the top of the page lands on the skip link, which becomes visible.
    page.keyboard.press("Tab")
    active = page.evaluate(ACTIVE)
    assert "skip-link" in active["cls"], f"first Tab focused {active}, not the skip link"
    skip = page.locator(".skip-link")
    expect(skip).to_be_in_viewport()
    box = skip.bounding_box()
    assert box and box["y"] >= 0, f"skip link is off screen when focused: {box}"
    focus = skip.evaluate(FOCUS_STYLE)
    assert focus["style"] != "none" and focus["width"] > 0, focus

    # Enter follows it: focus moves to <main>, so the next Tab starts in the content.
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"#main$"))
    page.wait_for_function("document.activeElement && document.activeElement.id === 'main'")
    page.keyboard.press("Tab")
    active = page.evaluate(ACTIVE)
    assert page.evaluate("document.querySelector('main').contains(document.activeElement)"), (
        f"after the skip link, Tab went to {active}, outside <main>"
    )

    # A focused link and a focused button show an outline (keyboard focus, :focus-visible).
    assert active["tag"] == "a", active
    focus = page.evaluate(f"({FOCUS_STYLE})(document.activeElement)")
    assert focus["style"] != "none" and focus["width"] >= 2, f"link focus invisible: {focus}"
    page.goto("/")
    active = _press_tab_until(page, "document.activeElement.matches('.search-form button')")
    focus = page.evaluate(f"({FOCUS_STYLE})(document.activeElement)")
    assert focus["style"] != "none" and focus["width"] >= 2, f"button focus invisible: {focus}"
    network.assert_local()


def test_quiz_can_be_answered_with_the_keyboard_only(curriculum_db, reader, make_context, network):
    page = make_context("desktop-light").new_page()
    page.goto("/accounts/login/")
    login(page, "reader", LEARNER_PASSWORD)
    page.goto(LESSON)

    questions = page.locator("#quiz li.question")
    count = questions.count()
    assert count >= 3
    # Tab from the top of the page to the first radio group.
    _press_tab_until(page, "document.activeElement.type === 'radio'")
    assert questions.nth(0).evaluate("li => li.contains(document.activeElement)")

    picks = []  # (question index, choice index) picked with the keyboard
    for index in range(count):
        if index:
            page.keyboard.press("Tab")  # on to the next radio group
        assert questions.nth(index).evaluate("li => li.contains(document.activeElement)"), (
            f"Tab did not move to question {index + 1}: {page.evaluate(ACTIVE)}"
        )
        if index % 2:
            page.keyboard.press("ArrowDown")  # moves to and selects the next choice
            picks.append((index, 1))
        else:
            page.keyboard.press("Space")  # selects the focused (first) choice
            picks.append((index, 0))
    for index, choice in picks:
        expect(questions.nth(index).locator("input[type=radio]").nth(choice)).to_be_checked()

    page.keyboard.press("Tab")
    active = page.evaluate(ACTIVE)
    assert active["tag"] == "button" and active["text"] == "Submit answers", active
    page.keyboard.press("Enter")

    correct = set(
        Choice.objects.filter(
            question__lesson__slug="slis-slos-and-error-budgets", is_correct=True
        ).values_list("pk", flat=True)
    )
    expect(page.locator(".quiz-score")).to_be_visible()
    values = [
        int(questions.nth(i).locator("input[type=radio]").nth(c).get_attribute("value"))
        for i, c in picks
    ]
    score = sum(value in correct for value in values)
    expect(page.locator(".quiz-score")).to_contain_text(f"{score} of {count}")
    expect(page.locator("#quiz .explanation")).to_have_count(count)
    network.assert_local()
