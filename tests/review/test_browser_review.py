"""Browser tests for teamwork: keyboard-only review, two people on one segment, saving offline."""

from __future__ import annotations

import pytest
from browser import browser_login, person_page, screenshot
from conftest import PASSWORD

pytestmark = pytest.mark.browser

def test_an_editor_reviews_a_whole_document_without_the_mouse(app, browser, live_server, doc_url,
                                                               client):
    doc_id = doc_url.rsplit("/", 1)[1]
    segs = client.get(f"/api/documents/{doc_id}/segments").get_json()["segments"]
    for seg in segs:
        client.put(f"/api/segments/{seg['id']}", json={"target": seg["target"].replace(" Sie", ""),
                                                        "version": 1})
    page = person_page(browser, live_server, app, "ed", "editor")
    page.goto(doc_url + "/review")
    rows = page.locator("#segment-list tr.seg.review")
    assert rows.count() == 3
    # Approve the first with Ctrl+Enter; focus moves on to the next.
    page.keyboard.press("Control+Enter")
    page.locator('tr.seg[data-number="1"] .badge.st-approved').wait_for()
    page.wait_for_function("() => document.activeElement.dataset.number === '2'")
    # Reject the second: the key opens the comment box, Ctrl+Enter sends it.
    page.keyboard.press("Control+Shift+X")
    box = page.locator('tr.seg[data-number="2"] textarea[name=comment]')
    box.wait_for()
    page.keyboard.type("Der Satz braucht ein Subjekt.")
    page.keyboard.press("Control+Enter")
    page.locator('tr.seg[data-number="2"] .badge.st-rejected').wait_for()
    assert "Der Satz braucht ein Subjekt." in page.locator('tr.seg[data-number="2"]').inner_text()
    page.wait_for_function("() => document.activeElement.dataset.number === '3'")
    page.keyboard.press("Control+Enter")
    page.locator('tr.seg[data-number="3"] .badge.st-approved').wait_for()
    screenshot(page, "review-keyboard")
    states = [s["state"] for s in
              client.get(f"/api/documents/{doc_id}/segments").get_json()["segments"]]
    assert states == ["approved", "rejected", "approved"]
    page.context.close()


def test_two_people_on_one_segment_see_each_other_and_lose_nothing(app, browser, live_server,
                                                                    doc_url):
    tina = person_page(browser, live_server, app, "tina", "translator")
    otto = person_page(browser, live_server, app, "otto", "translator")
    tina.goto(doc_url)
    tina.locator('tr.seg[data-number="2"]').click()
    tina.locator("tr.seg.editing textarea[name=target]").wait_for()

    otto.goto(doc_url)
    row = otto.locator('tr.seg[data-number="2"]')
    assert "Being edited by tina" in row.inner_text()
    row.click()
    otto_box = otto.locator("tr.seg.editing textarea[name=target]")
    otto_box.wait_for()
    assert "Being edited by tina" in otto.locator("tr.seg.editing").inner_text()
    otto_box.fill("Nordkorea schwieg dazu (Otto).")
    otto.keyboard.press("Control+Enter")
    otto.locator('tr.seg[data-number="2"]:not(.editing) .badge.st-translated').wait_for()

    box = tina.locator("tr.seg.editing textarea[name=target]")
    box.fill("Nordkorea schwieg dazu (Tina).")
    tina.keyboard.press("Control+Enter")
    conflict = tina.locator("tr.seg.conflict")
    conflict.wait_for()
    text = conflict.inner_text()
    assert "otto saved this segment meanwhile" in text
    assert "Nordkorea schwieg dazu (Otto)." in text
    assert conflict.locator("textarea[name=target]").input_value() == \
        "Nordkorea schwieg dazu (Tina)."
    screenshot(tina, "conflict")
    # Keeping her own text saves it on top of Otto's, as a new revision.
    conflict.get_by_role("button", name="Save mine").click()
    tina.locator('tr.seg[data-number="2"]:not(.conflict) .ver', has_text="v3").wait_for()
    tina.context.close()
    otto.context.close()


def test_a_save_made_while_the_server_is_unreachable_is_kept_retried_and_lands(page, live_server,
                                                                              doc_url, client):
    browser_login(page, live_server.url, "ada", PASSWORD)
    page.goto(doc_url)
    failing = {"on": True}

    def maybe_fail(route):
        if failing["on"] and route.request.method == "POST":
            route.abort("connectionrefused")
        else:
            route.continue_()

    page.route("**/segments/*", maybe_fail)
    page.keyboard.press("Enter")
    box = page.locator("tr.seg.editing textarea[name=target]")
    box.wait_for()
    box.fill("Kim traf Putin offline in Wladiwostok.")
    page.keyboard.press("Control+Enter")
    badge = page.locator('tr.seg[data-number="1"] .draft-badge')
    badge.wait_for(state="visible")
    assert "unsaved" in badge.inner_text()
    screenshot(page, "offline-unsaved")
    # The server errors next: still kept, still retried.
    failing["on"] = False
    page.unroute("**/segments/*")
    page.route("**/segments/*", lambda r: r.fulfill(status=503, body="down")
               if r.request.method == "POST" else r.continue_())
    page.wait_for_timeout(2500)
    assert "unsaved" in badge.inner_text()
    doc_id = doc_url.rsplit("/", 1)[1]
    first = client.get(f"/api/documents/{doc_id}/segments").get_json()["segments"][0]
    assert first["version"] == 1
    # Back up: the retry lands without anyone pressing a key.
    page.unroute("**/segments/*")
    page.wait_for_function(
        "() => !Object.keys(localStorage).some(k => k.startsWith('workbench:') && k.includes(':pending:'))",
        timeout=40000)
    first = client.get(f"/api/documents/{doc_id}/segments").get_json()["segments"][0]
    assert first["target"] == "Kim traf Putin offline in Wladiwostok." and first["version"] == 2


def test_an_unsent_save_survives_a_reload_and_is_sent_then(page, live_server, doc_url, client):
    browser_login(page, live_server.url, "ada", PASSWORD)
    page.goto(doc_url)
    page.route("**/segments/*", lambda r: r.abort("connectionrefused")
               if r.request.method == "POST" else r.continue_())
    page.keyboard.press("Enter")
    box = page.locator("tr.seg.editing textarea[name=target]")
    box.wait_for()
    box.fill("Nach dem Neuladen gespeichert.")
    page.keyboard.press("Control+Enter")
    page.locator('tr.seg[data-number="1"] .draft-badge').wait_for(state="visible")
    page.unroute("**/segments/*")
    page.reload()
    page.wait_for_function(
        "() => !Object.keys(localStorage).some(k => k.startsWith('workbench:') && k.includes(':pending:'))",
        timeout=20000)
    doc_id = doc_url.rsplit("/", 1)[1]
    first = client.get(f"/api/documents/{doc_id}/segments").get_json()["segments"][0]
    assert first["target"] == "Nach dem Neuladen gespeichert."
