"""Steps shared by the browser journeys: accounts, axe-core audits, small page checks."""

import re

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

_AXE = Axe()
BLOCKING_IMPACTS = ("serious", "critical")


def axe_violations(page: Page) -> list[dict]:
    """axe-core's violations of impact serious or critical on the current page (bundled axe:
    the script is injected from the Python package, nothing is fetched)."""
    results = _AXE.run(page)
    return [v for v in results.response["violations"] if v.get("impact") in BLOCKING_IMPACTS]


def describe_violations(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(
            f"- {violation['id']} ({violation['impact']}): {violation['help']} "
            f"[{violation['helpUrl']}]"
        )
        for node in violation["nodes"][:8]:
            target = " ".join(str(t) for t in node["target"])
            summary = (node.get("failureSummary") or "").replace("\n", " ")
            lines.append(f"    at {target}: {summary}")
        if len(violation["nodes"]) > 8:
            lines.append(f"    ... and {len(violation['nodes']) - 8} more nodes")
    return "\n".join(lines)


def assert_accessible(page: Page, label: str):
    """Zero serious/critical axe violations, and every <img> with an alt attribute."""
    violations = axe_violations(page)
    assert not violations, (
        f"axe-core: serious/critical violations on {label} ({page.url}):\n"
        + describe_violations(violations)
    )
    assert_images_have_alt(page, label)


def assert_images_have_alt(page: Page, label: str):
    missing = page.eval_on_selector_all(
        "img", "imgs => imgs.filter(i => !i.hasAttribute('alt')).map(i => i.outerHTML)"
    )
    assert not missing, f"<img> without alt on {label}: {missing}"


def signup(page: Page, username: str, password: str):
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Sign up").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Create your account")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_label("Password confirmation").fill(password)
    page.locator("main").get_by_role("button", name="Sign up").click()
    expect(page.locator(".user-menu summary")).to_have_text(username)


def login(page: Page, username: str, password: str):
    """Log in through the form at /accounts/login/ (from wherever the page is)."""
    if "/accounts/login/" not in page.url:
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Log in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Log in")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.locator("main").get_by_role("button", name="Log in").click()
    expect(page.locator(".user-menu summary")).to_have_text(username)


def logout(page: Page):
    page.locator(".user-menu summary").click()
    page.get_by_role("button", name="Log out").click()
    expect(
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Log in")
    ).to_be_visible()


def path_of(page: Page) -> str:
    return re.sub(r"^https?://[^/]+", "", page.url)
