"""One browser, two people: drafts and unsent saves never cross from one to the other."""

from __future__ import annotations

import io

import pytest
from browser import browser_login, screenshot
from conftest import PASSWORD, make_user

pytestmark = pytest.mark.browser

TEXT = "Kim traf Putin in Wladiwostok.\nNordkorea Sie schwieg dazu.\n"
PENDING = "() => Object.keys(localStorage).filter(k => k.includes(':pending:')).length"
KEYS = "() => Object.keys(localStorage).filter(k => k.startsWith('workbench:'))"


@pytest.fixture
def doc(client):
    """Import a two-segment review document; return its id."""
    resp = client.post("/api/documents", data={
        "file": (io.BytesIO(TEXT.encode()), "kurz.de.txt"), "source_lang": "en",
        "target_lang": "de", "mode": "review",
    }, content_type="multipart/form-data")
    return resp.get_json()["id"]


def leave_unsent_work(page, url: str) -> None:
    """Type a save that cannot reach the server, and an unsaved draft in the next row."""
    page.goto(url)
    page.route("**/segments/*", lambda r: r.abort("connectionrefused")
               if r.request.method == "POST" else r.continue_())
    page.keyboard.press("Enter")
    box = page.locator("tr.seg.editing textarea[name=target]")
    box.wait_for()
    box.fill("Tinas Fassung, nie gesendet.")
    page.keyboard.press("Control+Enter")
    page.locator('tr.seg[data-number="1"] .draft-badge').wait_for(state="visible")
    assert page.evaluate(PENDING) == 1
    page.unroute("**/segments/*")


def tina_leaves_unsent_work(app, browser, live_server, doc: int):
    """Make Tina and Bob; Tina, in a fresh browser, leaves unsent work; return context, page, url."""
    make_user(app, "tina", "translator")
    make_user(app, "bob", "translator")
    context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="en-US")
    page = context.new_page()
    url = f"{live_server.url}/documents/{doc}"
    browser_login(page, live_server.url, "tina", PASSWORD)
    leave_unsent_work(page, url)
    return context, page, url


def first_target(client, doc_id: int) -> dict:
    """Return the first segment as the server has it."""
    return client.get(f"/api/documents/{doc_id}/segments").get_json()["segments"][0]


def test_logout_ends_the_drafts_and_the_next_person_never_sees_or_sends_them(
        app, browser, live_server, client, doc):
    context, page, url = tina_leaves_unsent_work(app, browser, live_server, doc)
    keys = page.evaluate(KEYS)
    assert keys and all(":pending:" in k or ":draft:" in k for k in keys)
    assert not any(k.startswith(("workbench:draft:", "workbench:pending:")) for k in keys)
    # Logging out names the unsent change first; once confirmed, nothing of Tina's is left.
    messages = []
    page.once("dialog", lambda d: (messages.append(d.message), d.accept()))
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(lambda u: "/login" in u)
    assert messages and "not reached the server" in messages[0]
    assert page.evaluate(KEYS) == []
    browser_login(page, live_server.url, "bob", PASSWORD)
    page.goto(url)
    page.keyboard.press("Enter")
    box = page.locator("tr.seg.editing textarea[name=target]")
    box.wait_for()
    assert box.input_value() == "Kim traf Putin in Wladiwostok."
    page.wait_for_timeout(2500)  # a retry of someone's pending save would have gone by now
    assert first_target(client, doc)["version"] == 1
    screenshot(page, "drafts-next-person-clean")
    context.close()


def test_without_a_logout_the_next_person_still_gets_none_of_it(app, browser, live_server,
                                                                  client, doc):
    context, page, url = tina_leaves_unsent_work(app, browser, live_server, doc)
    # Tina walks away; her session ends (the cookie goes) but her drafts stay in storage.
    context.clear_cookies()
    browser_login(page, live_server.url, "bob", PASSWORD)
    page.goto(url)
    page.keyboard.press("Enter")
    box = page.locator("tr.seg.editing textarea[name=target]")
    box.wait_for()
    assert box.input_value() == "Kim traf Putin in Wladiwostok."
    page.wait_for_timeout(2500)
    first = first_target(client, doc)
    assert first["version"] == 1 and first["target"] == "Kim traf Putin in Wladiwostok."
    # Tina back on her own browser gets her unsent save sent, under her name.
    page.context.clear_cookies()
    browser_login(page, live_server.url, "tina", PASSWORD)
    page.goto(url)
    page.wait_for_function(f"{PENDING} === 0", timeout=20000)
    first = first_target(client, doc)
    assert first["target"] == "Tinas Fassung, nie gesendet." and first["updated_by"] == "tina"
    context.close()
