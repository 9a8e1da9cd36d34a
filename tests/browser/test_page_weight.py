"""Page weight: a built-in lesson's HTML + CSS + JS (+ fonts, if any) stays under 150 KB."""

import pytest

from tests.browser.conftest import ARTIFACTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LESSON = "/tracks/service-levels/slis-slos-and-error-budgets/"
BUDGET = 150 * 1024
COUNTED = {"document", "stylesheet", "script", "font"}


def test_lesson_page_weight(curriculum_db, make_context, network):
    context = make_context("desktop-light")
    page = context.new_page()
    responses = []
    page.on("response", lambda response: responses.append(response))
    page.goto(LESSON, wait_until="networkidle")

    rows = []
    for response in responses:
        kind = response.request.resource_type
        rows.append((kind, len(response.body()), response.url))
    counted = [row for row in rows if row[0] in COUNTED]
    total = sum(size for _, size, _ in counted)
    other = sum(size for kind, size, _ in rows if kind not in COUNTED)

    lines = [f"lesson page weight ({LESSON}), uncompressed bytes:"]
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
