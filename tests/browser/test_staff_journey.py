"""Journey 2: a staff member writes a draft lesson in the admin (Markdown with a code block, a
table and attempted script injection), previews it, adds a quiz question, publishes it; then a
learner in another browser context sees it rendered and sanitised."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import LEARNER_PASSWORD, STAFF_PASSWORD
from tests.browser.helpers import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLE = "Checking health from the command line"
SLUG = "checking-health-from-the-command-line"
URL = f"/tracks/service-levels/{SLUG}/"
CODE = 'curl -fsS http://localhost:8000/healthz && echo "the portal answers its health check"'
BODY = f"""## Ask the portal

Run the health check from a shell:

```bash
{CODE}
```

## What the answers mean

| Status | Meaning | Next step |
|--------|---------|-----------|
| 200 | Healthy | Nothing to do |
| 503 | Not ready | Check the database |

<script>window.__xss = 1</script>

<img src=x onerror="window.__xss=2">

Do not [click](javascript:alert(1)) links that run code.
"""


def check_rendered(page):
    """The body as Markdown should render it, with every injection attempt removed."""
    article = page.locator("article.lesson")
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    code = article.locator(".prose .highlight pre")
    expect(code).to_have_count(1)
    assert code.inner_text().strip() == CODE
    table = article.locator(".prose table")
    expect(table).to_have_count(1)
    expect(table.locator("thead th")).to_have_text(["Status", "Meaning", "Next step"])
    expect(table.locator("tbody tr")).to_have_count(2)
    expect(table.locator("tbody tr").nth(1).locator("td").first).to_have_text("503")
    link = article.locator(".prose a", has_text="click")
    expect(link).to_have_count(1)
    assert link.get_attribute("href") is None, link.evaluate("a => a.outerHTML")
    assert page.evaluate("typeof window.__xss") == "undefined"
    expect(article.locator("script")).to_have_count(0)
    assert (
        page.evaluate(
            "[...document.querySelectorAll('article *')].flatMap(e => [...e.attributes])"
            ".filter(a => a.name.startsWith('on')).map(a => a.name)"
        )
        == []
    )
    assert "javascript:" not in article.inner_html()


def test_staff_writes_previews_and_publishes_a_lesson(
    curriculum_db, django_user_model, make_context, network, screenshot
):
    django_user_model.objects.create_superuser("editor", "editor@example.com", STAFF_PASSWORD)
    django_user_model.objects.create_user("reader", password=LEARNER_PASSWORD)
    dialogs = []

    staff = make_context("desktop-light")
    staff.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page = staff.new_page()

    # Log in to the admin.
    page.goto("/admin/")
    expect(page).to_have_url(re.compile(r"/admin/login/\?next=/admin/$"))
    page.get_by_label("Username").fill("editor")
    page.get_by_label("Password").fill(STAFF_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Content and learners")).to_be_visible()

    # A new draft lesson: the slug is prepopulated from the title as it is typed.
    page.locator("tr.model-lesson").get_by_role("link", name="Add").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add lesson")
    page.get_by_label("Track").select_option(label="Service levels and error budgets")
    page.get_by_label("Title").press_sequentially(TITLE)
    expect(page.get_by_label("Slug")).to_have_value(SLUG)
    page.get_by_label("Order").fill("5")
    expect(page.get_by_label("Status")).to_have_value("draft")
    page.get_by_label("Summary").fill("Ask the portal whether it is healthy, and read the answer.")
    page.get_by_label("Body").fill(BODY)
    page.locator("input[name=_continue]").first.click()
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")
    screenshot("admin-lesson-change", page.url, cookies=staff.cookies())

    # Preview the draft on the site (the link opens a new tab).
    with staff.expect_page() as popup:
        page.get_by_role("link", name="Preview draft on the site").click()
    preview = popup.value
    preview.wait_for_load_state()
    expect(preview).to_have_url(re.compile(re.escape(URL) + "$"))
    expect(preview.locator(".banner-draft")).to_contain_text("Draft preview")
    check_rendered(preview)
    screenshot("draft-preview", URL, cookies=staff.cookies())
    preview.close()

    # A quiz question with its choices: the admin insists on exactly one correct choice.
    page.get_by_role("link", name="Add a quiz question").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add question")
    expect(page.locator("#id_lesson option:checked")).to_have_text(TITLE)
    expect(page.locator("#id_order")).to_have_value("1")
    page.locator("#id_text").fill("What does a 503 from /healthz mean?")
    page.locator("#id_explanation").fill("503 means the portal is up but not ready to serve.")
    for index, text in enumerate(["Not ready", "Healthy", "Not found"]):
        page.locator(f"#id_choices-{index}-order").fill(str(index + 1))
        page.locator(f"#id_choices-{index}-text").fill(text)
    page.locator("input[name=_save]").click()
    expect(page.locator(".errornote, .errorlist").first).to_be_visible()
    expect(page.locator("#choices-group")).to_contain_text("Mark exactly one choice as correct")
    page.locator("#id_choices-0-is_correct").check()
    page.locator("input[name=_save]").click()
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")

    # Publish the lesson with its status field.
    page.goto("/admin/lessons/lesson/?q=" + SLUG.replace("-", "+"))
    page.get_by_role("link", name=TITLE).click()
    expect(page.locator("#questions-group")).to_contain_text("3 choices, 1 correct")
    page.get_by_label("Status").select_option("published")
    page.locator("input[name=_continue]").first.click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    expect(page.locator(".field-preview_link a")).to_have_text("View on site")

    # A learner, in a separate browser context, sees the lesson published and sanitised.
    learner = make_context("desktop-light")
    learner.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    reader = learner.new_page()
    reader.goto("/accounts/login/")
    login(reader, "reader", LEARNER_PASSWORD)
    reader.goto("/tracks/service-levels/")
    reader.get_by_role("link", name=TITLE).click()
    expect(reader).to_have_url(re.compile(re.escape(URL) + "$"))
    expect(reader.locator(".banner-draft")).to_have_count(0)
    check_rendered(reader)
    reader.wait_for_timeout(300)  # give any surviving onerror handler the chance to run
    assert reader.evaluate("typeof window.__xss") == "undefined"
    question = reader.locator("#quiz li.question")
    expect(question).to_have_count(1)
    expect(question.locator("legend")).to_have_text("What does a 503 from /healthz mean?")
    expect(question.locator("label.choice")).to_have_count(3)
    shown = [text.strip() for text in question.locator("label.choice").all_inner_texts()]
    assert sorted(shown) == ["Healthy", "Not found", "Not ready"]  # learners see a fixed shuffle
    screenshot("published-lesson", URL, cookies=learner.cookies())

    assert dialogs == [], f"a script ran and opened a dialog: {dialogs}"
    network.assert_local()
