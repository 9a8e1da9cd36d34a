"""Layout problems seen in the screenshots, checked in the browser so a fix is provable."""

import pytest

from lessons.models import Lesson

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The visible text boxes of a code block that the Copy button covers.
COVERED_TEXT = """block => {
  const button = block.querySelector('.copy-button');
  if (!button) return ['(no Copy button: portal.js did not run)'];
  const b = button.getBoundingClientRect();
  const pre = block.querySelector('pre'), p = pre.getBoundingClientRect();
  const walker = document.createTreeWalker(pre, NodeFilter.SHOW_TEXT);
  const hits = [];
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    if (!/\\S/.test(n.data)) continue;
    const range = document.createRange();
    range.selectNodeContents(n);
    for (const r of range.getClientRects()) {
      const left = Math.max(r.left, p.left), right = Math.min(r.right, p.right);
      const top = Math.max(r.top, p.top), bottom = Math.min(r.bottom, p.bottom);
      if (right <= left || bottom <= top) continue;  // scrolled out of the block
      if (left < b.right && right > b.left && top < b.bottom && bottom > b.top) {
        hits.push(n.data.trim().slice(0, 40));
      }
    }
  }
  return hits;
}"""


@pytest.mark.parametrize("variant", ["phone-light", "desktop-dark"])
def test_copy_button_never_covers_code(variant, curriculum_db, make_context, network):
    """The Copy button sits in the top right corner of each code block; no code text may be
    under it, on a phone or on a desktop, in any built-in lesson."""
    page = make_context(variant).new_page()
    covered = []
    blocks_seen = 0
    lessons = Lesson.objects.select_related("track").order_by("track__order", "order")
    for lesson in lessons:
        page.goto(lesson.get_absolute_url())
        blocks = page.locator(".prose .highlight")
        for index in range(blocks.count()):
            blocks_seen += 1
            hits = blocks.nth(index).evaluate(COVERED_TEXT)
            if hits:
                covered.append(f"  {lesson.get_absolute_url()} block {index + 1}: {hits[0]!r}")
    assert blocks_seen > 20, f"only {blocks_seen} code blocks found"
    if covered:
        pytest.fail(
            f"APP FIX NEEDED (static/css/portal.css): at {variant} the Copy button covers code "
            f"text in {len(covered)} of {blocks_seen} code blocks:\n"
            + "\n".join(covered[:10])
            + ("\n  ..." if len(covered) > 10 else "")
            + "\nSuggested fix: keep a band free for the button above the first line, e.g. "
            "`.highlight:has(.copy-button) pre { padding-top: 2.4rem; }`",
            pytrace=False,
        )
    network.assert_local()
