"""Browser-test plumbing: a live server thread and Debian's Chromium driven by Playwright."""

from __future__ import annotations

import io
import shutil
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def chromium_path() -> str:
    """Return Debian's Chromium, failing loudly when it is not installed."""
    path = shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(path).exists():
        pytest.fail("Debian's chromium is not installed; `make test` installs it "
                    "(apt-get install chromium).")
    return path


class LiveServer:
    """The app served on a free loopback port in a background thread."""

    def __init__(self, app):
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.thread.join(timeout=10)


@pytest.fixture
def live_server(app):
    """Serve the test app over HTTP for the browser."""
    with LiveServer(app) as server:
        yield server


@pytest.fixture(scope="session")
def browser():
    """Launch Debian's Chromium once per session."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    """Return a fresh page in its own context, sized like a translator's screen."""
    context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="en-US")
    page = context.new_page()
    yield page
    context.close()


def screenshot(page, name: str) -> Path:
    """Keep a screenshot as a test artifact and return its path."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path))
    return path


def browser_login(page, base_url: str, username: str, password: str) -> None:
    """Log a browser page in through the login form."""
    page.goto(base_url + "/login")
    # By field name, not label: the form reads the same in German and in the pseudo-locale.
    form = page.locator("form:has(input[name=username])")
    form.locator("input[name=username]").fill(username)
    form.locator("input[name=password]").fill(password)
    form.locator("button[type=submit]").click()
    page.wait_for_url(lambda url: "/login" not in url)


# Three review segments, one with the seed's stray "Sie": what the editor tests work on.
SHORT_REVIEW_TEXT = ("Kim traf Putin in Wladiwostok.\nNordkorea Sie schwieg dazu.\n"
                     "Der Kreml lobte die Beziehungen.\n")


@pytest.fixture
def doc_url(client, live_server):
    """Import a three-segment review document and return its editor URL."""
    resp = client.post("/documents", data={
        "file": (io.BytesIO(SHORT_REVIEW_TEXT.encode()), "kurz.de.txt"), "source_lang": "en",
        "target_lang": "de", "mode": "review",
    }, content_type="multipart/form-data")
    return live_server.url + resp.headers["Location"]


def person_page(browser, live_server, app, username: str, role: str, **context_options):
    """Create a user, log them in, in a browser context of their own; return the page.
    `context_options` go to the browser context (locale="de-DE", color_scheme="dark")."""
    from conftest import PASSWORD, make_user

    make_user(app, username, role)
    options = {"viewport": {"width": 1400, "height": 900}, "locale": "en-US", **context_options}
    context = browser.new_context(**options)
    page = context.new_page()
    browser_login(page, live_server.url, username, PASSWORD)
    return page
