"""Browser tests: pytest-playwright driving Debian's Chromium against pytest-django's live server.

Playwright's sync API runs an event loop in the test thread; Django refuses ORM calls from a
thread with a running loop unless DJANGO_ALLOW_ASYNC_UNSAFE is set, so it is set here, before
any fixture starts Playwright or touches the database.
"""

import os

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

import shutil  # noqa: E402
from collections.abc import Callable  # noqa: E402
from pathlib import Path  # noqa: E402
from urllib.parse import urlsplit  # noqa: E402

import pytest  # noqa: E402
from django.core.management import call_command  # noqa: E402

CHROMIUM = os.environ.get("PORTAL_CHROMIUM", "/usr/bin/chromium")
# Without the background-networking flags Chromium keeps trying to reach Google's servers.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"
DOCS_SCREENSHOTS = REPO / "docs" / "screenshots"

DESKTOP = {"viewport": {"width": 1280, "height": 800}}
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "is_mobile": True,
    "has_touch": True,
}
VARIANTS = {
    "desktop-light": {**DESKTOP, "color_scheme": "light"},
    "desktop-dark": {**DESKTOP, "color_scheme": "dark"},
    "phone-light": {**PHONE, "color_scheme": "light"},
    "phone-dark": {**PHONE, "color_scheme": "dark"},
}

LEARNER_PASSWORD = "a-long-learner-passphrase-42"  # noqa: S105 - test data
STAFF_PASSWORD = "a-long-staff-passphrase-42"  # noqa: S105 - test data


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.path)).parents:
            # pytest-playwright's own base_url fixture trips a pytest 9 deprecation warning.
            item.add_marker(
                pytest.mark.filterwarnings(
                    "ignore:Session-scoped fixtures defined as instance methods"
                )
            )


@pytest.fixture(scope="session")
def browser_name():
    return "chromium"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Debian's Chromium, never a downloaded one; a missing browser is an error, not a skip."""
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        pytest.fail(
            f"Chromium not found at {CHROMIUM}: install it with "
            "`apt-get install -y --no-install-recommends chromium` (browser tests never skip)",
            pytrace=False,
        )
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "headless": True,
        "args": CHROMIUM_ARGS,
    }


@pytest.fixture(scope="session", autouse=True)
def _artifact_dirs():
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.fixture
def curriculum_db(live_server):
    """The built-in curriculum in the live server's database (transaction tests flush it)."""
    with open(os.devnull, "w") as devnull:
        call_command("load_lessons", verbosity=0, stdout=devnull)


class NetworkLog:
    """Every request every context of a test made; all of them must go to the live server."""

    def __init__(self, origin: str):
        self.origin = origin
        self.host = urlsplit(origin).hostname
        self.urls: list[str] = []

    def attach(self, context):
        context.on("request", lambda request: self.urls.append(request.url))
        return context

    def foreign(self) -> list[str]:
        bad = []
        for url in self.urls:
            parts = urlsplit(url)
            if parts.scheme in ("data", "blob", "about"):
                continue  # in-document data, no network traffic
            if parts.scheme not in ("http", "https") or parts.hostname != self.host:
                bad.append(url)
        return bad

    def assert_local(self):
        assert self.urls, "no request was recorded: the network log is not attached"
        bad = self.foreign()
        assert not bad, f"requests to hosts other than {self.host}: {sorted(set(bad))}"


@pytest.fixture
def network(live_server):
    return NetworkLog(live_server.url)


@pytest.fixture
def make_context(new_context, network, live_server) -> Callable:
    """A new browser context (a separate "person") whose every request is recorded.

    `variant` is one of VARIANTS (desktop/phone x light/dark); other keyword arguments go to
    Playwright's browser.new_context. Contexts are closed by pytest-playwright at teardown.
    """

    def _make(variant: str = "desktop-light", **kwargs):
        options = {**VARIANTS[variant], "base_url": live_server.url, **kwargs}
        context = new_context(**options)
        context.set_default_timeout(10_000)
        return network.attach(context)

    return _make


class Screenshots:
    """Screenshots of the site at every variant: desktop (1280x800) and phone (390x844,
    is_mobile), each in light and dark colour scheme (color_scheme set on the context).

    One context per variant is created on first use and reused; each shot replaces its cookies
    with the given ones (e.g. a learner's session) and loads `path` afresh.
    """

    def __init__(self, make_context):
        self._make_context = make_context
        self._pages = {}

    def _page(self, variant):
        if variant not in self._pages:
            self._pages[variant] = self._make_context(variant).new_page()
        return self._pages[variant]

    def __call__(
        self,
        name: str,
        path: str,
        *,
        cookies=None,
        variants=None,
        element: str | None = None,
        readme: dict | None = None,
    ) -> dict:
        """Write test-artifacts/screenshots/<name>--<variant>.png (the full page, or only
        `element` when given) and return {variant: Path}. `readme` maps a variant to the name
        of a small viewport JPEG for the README (see readme_screenshot)."""
        written = {}
        for variant in variants or VARIANTS:
            page = self._page(variant)
            page.context.clear_cookies()
            if cookies:
                page.context.add_cookies(cookies)
            response = page.goto(path)
            if response is None:  # same document, another #fragment: load it afresh
                response = page.reload()
            assert response is not None and response.status < 500, f"{path}: {response}"
            target = SCREENSHOTS / f"{name}--{variant}.png"
            if element:
                page.locator(element).screenshot(path=str(target))
            else:
                page.screenshot(path=str(target), full_page=True)
            written[variant] = target
            if readme and variant in readme:
                if element:  # the element at the top of the viewport
                    page.locator(element).evaluate(
                        "e => e.scrollIntoView({block: 'start', behavior: 'instant'})"
                    )
                readme_screenshot(page, readme[variant])
        return written


@pytest.fixture
def screenshot(make_context):
    return Screenshots(make_context)


def readme_screenshot(page, name: str) -> Path:
    """A small screenshot for the README: the viewport only, JPEG quality 70, under 200 KB.

    Written to test-artifacts/screenshots/readme/ on every run; copied over the committed
    docs/screenshots/ only with PORTAL_UPDATE_DOCS_SCREENSHOTS=1, so a test run never leaves
    the working tree dirty.
    """
    folder = SCREENSHOTS / "readme"
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{name}.jpg"
    page.screenshot(path=str(target), type="jpeg", quality=70, full_page=False)
    size = target.stat().st_size
    assert size < 200_000, f"{target} is {size} bytes: too large for the README"
    if os.environ.get("PORTAL_UPDATE_DOCS_SCREENSHOTS") == "1":
        DOCS_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        shutil.copy2(target, DOCS_SCREENSHOTS / target.name)
    return target
