"""Every page and state checked by axe-core in Chromium: no serious or critical violation."""

from __future__ import annotations

import pytest
from browser import browser_login, person_page, screenshot  # noqa: F401  (fixtures below)
from conftest import PASSWORD, ROOT, make_user

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING = {"serious", "critical"}


def axe_violations(page) -> list[dict]:
    """Run axe-core on the page as it is now; return its serious and critical violations."""
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: `make setup` installs axe-core from npm (package-lock.json).")
    # Evaluated through the DevTools protocol, so the page's strict CSP does not block it.
    page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
        ".map(v => ({id: v.id, impact: v.impact, help: v.help,"
        " nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 5)}))")
    return [v for v in result if v["impact"] in BLOCKING]


def describe(violations: list[dict]) -> str:
    """Say what axe found, one line per rule."""
    return "\n".join(f"{v['impact']}: {v['id']} ({v['help']}) at {v['nodes']}" for v in violations)


def check(page, name: str) -> None:
    """Fail with axe's own words when the page in its current state has a blocking violation."""
    page.wait_for_load_state("networkidle")
    found = axe_violations(page)
    if found:
        screenshot(page, f"axe-{name}")
    assert not found, f"{name}:\n{describe(found)}"


@pytest.fixture
def admin_page(browser, live_server, app):
    """A logged-in admin's page."""
    return person_page(browser, live_server, app, "axel", "admin")


def test_login_and_error_pages(browser, live_server):
    """The login page, and a 404, have no serious violation."""
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    page.goto(live_server.url + "/login")
    check(page, "login")
    page.get_by_label("User name").fill("nobody")
    page.get_by_label("Password").fill("wrong")
    page.get_by_role("button", name="Log in").click()
    check(page, "login-failed")
    context.close()


@pytest.mark.parametrize("path", [
    "/", "/documents", "/glossary", "/tm", "/tm/concordance?q=Kim", "/models", "/admin/users",
    "/account", "/documents/999999",
])
def test_pages(admin_page, live_server, doc_url, path):
    """Every page an admin reaches from the navigation has no serious violation."""
    admin_page.goto(live_server.url + path)
    check(admin_page, path.strip("/").replace("/", "-") or "home")


def test_editor_with_a_segment_open(admin_page, doc_url):
    """The editor, with a segment open for editing and its QA panel, has no serious violation."""
    admin_page.goto(doc_url)
    check(admin_page, "editor")
    admin_page.keyboard.press("Enter")
    admin_page.locator("tr.seg.editing textarea[name=target]").wait_for()
    check(admin_page, "editor-open")


def test_review_with_the_diff_and_report(admin_page, doc_url):
    """The review page after a correction (with its diff), and the report, have no violation."""
    admin_page.goto(doc_url)
    admin_page.keyboard.press("Enter")
    box = admin_page.locator("tr.seg.editing textarea[name=target]")
    box.fill("Kim traf Putin in Wladiwostok am Montag.")
    admin_page.keyboard.press("Control+Enter")
    # Saved (version 2) and closed; Ctrl+Enter then opens the next row, so "no row open" is
    # a moment that a wait can miss.
    admin_page.locator('tr.seg[data-number="1"][data-version="2"]:not(.editing)').wait_for()
    admin_page.goto(doc_url + "/review")
    check(admin_page, "review")
    admin_page.goto(doc_url + "/report")
    check(admin_page, "report")


def test_conflict_screen(browser, live_server, app, doc_url):
    """The conflict screen, showing both texts, has no serious violation."""
    make_user(app, "bea", "translator")
    first = person_page(browser, live_server, app, "cem", "translator")
    first.goto(doc_url)
    first.keyboard.press("Enter")
    first.locator("tr.seg.editing textarea[name=target]").wait_for()
    other = browser.new_context(viewport={"width": 1400, "height": 900}).new_page()
    browser_login(other, live_server.url, "bea", PASSWORD)
    other.goto(doc_url)
    other.keyboard.press("Enter")
    other.locator("tr.seg.editing textarea[name=target]").fill("Zuerst gespeichert.")
    other.keyboard.press("Control+Enter")
    other.locator('tr.seg[data-number="1"][data-version="2"]:not(.editing)').wait_for()
    first.locator("tr.seg.editing textarea[name=target]").fill("Danach gespeichert.")
    first.keyboard.press("Control+Enter")
    first.get_by_text("Zuerst gespeichert.").first.wait_for()
    check(first, "conflict")


def test_axe_finds_a_violation(browser):
    """The check is real: on a page made with a nameless button, axe reports it."""
    page = browser.new_context().new_page()
    page.set_content('<html lang="de"><title>t</title><main><button></button></main></html>')
    assert [v["id"] for v in axe_violations(page)] == ["button-name"]
    page.context.close()


def test_dark_mode_editor_and_review(browser, live_server, app, doc_url):
    """In the dark colour scheme too, the editor and the review page have no serious violation."""
    make_user(app, "dora", "editor")
    context = browser.new_context(viewport={"width": 1400, "height": 900}, color_scheme="dark")
    page = context.new_page()
    browser_login(page, live_server.url, "dora", PASSWORD)
    page.goto(doc_url)
    check(page, "dark-editor")
    page.goto(doc_url + "/review")
    check(page, "dark-review")
    context.close()


def german_page(browser, live_server, app, username: str, role: str, **context):
    """A logged-in person's page in a German browser (Accept-Language de-DE)."""
    return person_page(browser, live_server, app, username, role, locale="de-DE", **context)


def test_german_pages(browser, live_server, app, doc_url):
    """In German too: login, dashboard, editor with a segment open, review, report, glossary,
    memory, models, users, account and a 404 have no serious violation."""
    anon = browser.new_context(viewport={"width": 1400, "height": 900}, locale="de-DE").new_page()
    anon.goto(live_server.url + "/login")
    assert anon.locator("html").get_attribute("lang") == "de"
    check(anon, "de-login")
    anon.context.close()
    page = german_page(browser, live_server, app, "greta", "admin")
    for path in ("/", "/glossary", "/tm", "/models", "/admin/users", "/account",
                 "/documents/999999"):
        page.goto(live_server.url + path)
        assert page.locator("html").get_attribute("lang") == "de"
        check(page, "de-" + (path.strip("/").replace("/", "-") or "home"))
        if path == "/":
            screenshot(page, "de-dashboard")
    page.goto(doc_url)
    page.keyboard.press("Enter")
    page.locator("tr.seg.editing textarea[name=target]").wait_for()
    check(page, "de-editor-open")
    screenshot(page, "de-editor")
    page.goto(doc_url + "/review")
    check(page, "de-review")
    page.goto(doc_url + "/report")
    check(page, "de-report")
    page.context.close()


def test_german_conflict_screen_and_dark_mode(browser, live_server, app, doc_url, client):
    """In German too, the conflict screen (both texts) and the dark editor have no violation."""
    from api_steps import save, segments

    page = german_page(browser, live_server, app, "gunda", "translator", color_scheme="dark")
    page.goto(doc_url)
    check(page, "de-dark-editor")
    page.keyboard.press("Enter")
    box = page.locator("tr.seg.editing textarea[name=target]")
    box.wait_for()
    doc = int(doc_url.rstrip("/").split("/")[-1])
    save(client, segments(client, doc)[0], "Zuerst gespeichert.")
    box.fill("Danach gespeichert.")
    page.keyboard.press("Control+Enter")
    page.locator("tr.seg.conflict").wait_for()
    assert "inzwischen gespeichert" in page.locator("tr.seg.conflict").inner_text()
    check(page, "de-dark-conflict")
    page.context.close()
