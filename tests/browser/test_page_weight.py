"""Page weight: a built-in lesson's HTML + CSS + JS (+ fonts, if any) stays under 150 KB.

The lesson measured is the built-in one with the most rendered HTML, so every other lesson
page is lighter.
"""

import pytest
from django.db.models.functions import Length

from lessons.models import Lesson
from tests.browser.conftest import ARTIFACTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BUDGET = 150 * 1024
COUNTED = {"document", "stylesheet", "script", "font"}


def test_lesson_page_weight(curriculum_db, make_context, network):
    heaviest = (
        Lesson.objects.select_related("track")
        .annotate(size=Length("body_html") + Length("toc_html"))
        .order_by("-size")
        .first()
    )
    lesson_url = heaviest.get_absolute_url()
    context = make_context("desktop-light")
    page = context.new_page()
    responses = []
    page.on("response", lambda response: responses.append(response))
    page.goto(lesson_url, wait_until="networkidle")

    rows = []
    for response in responses:
        kind = response.request.resource_type
        rows.append((kind, len(response.body()), response.url))
    counted = [row for row in rows if row[0] in COUNTED]
    total = sum(size for _, size, _ in counted)
    other = sum(size for kind, size, _ in rows if kind not in COUNTED)

    lines = [f"lesson page weight ({lesson_url}, the heaviest lesson), uncompressed bytes:"]
    lines += [f"  {kind:<10} {size:>8}  {url}" for kind, size, url in rows]
    lines.append(
        f"  HTML+CSS+JS+fonts: {total} bytes = {total / 1024:.1f} KB "
        f"(budget {BUDGET // 1024} KB); other (images): {other} bytes"
    )
    report = "\n".join(lines)
    print("\n" + report)
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "page-weight.txt").write_text(report + "\n")

    kinds = {kind for kind, _, _ in counted}
    assert {"document", "stylesheet", "script"} <= kinds, report
    assert total < BUDGET, report
    network.assert_local()
