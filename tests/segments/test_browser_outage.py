"""In the browser: after an outage, unsent saves go out at once and the rows show the server's
state (#14): server gone, browser offline, an answer lost, a chunk of rows that failed."""

from __future__ import annotations

import io
import time

from browser import person_page, screenshot

TEXT = "\n\n".join(f"Satz {i} steht hier." for i in range(1, 40))
PENDING = "() => Object.keys(localStorage).filter(k => k.includes(':pending:')).length"


def import_doc(client, live_server) -> tuple[int, str]:
    """Import 39 review segments; return the id and the editor's URL."""
    resp = client.post("/documents", data={
        "file": (io.BytesIO(TEXT.encode()), "lang.de.txt"), "source_lang": "en",
        "target_lang": "de", "mode": "review"}, content_type="multipart/form-data")
    return int(resp.headers["Location"].rsplit("/", 1)[1]), live_server.url + resp.headers["Location"]


def first(client, doc: int) -> dict:
    """Return the first segment as the server has it."""
    return client.get(f"/api/documents/{doc}/segments").get_json()["segments"][0]


def open_first(page):
    """Open the first row for editing; return its text box."""
    page.keyboard.press("Enter")
    box = page.locator('tr.seg.editing[data-number="1"] textarea[name=target]')
    box.wait_for()
    return box


def type_and_save(page, text: str, box=None) -> None:
    """Type into the first row (opening it unless open) and save with Ctrl+Enter."""
    box = box or open_first(page)
    box.fill(text)
    page.keyboard.press("Control+Enter")


def shows_saved(page, version: str) -> None:
    """Wait until the first row is closed and shows Translated at `version`."""
    row = page.locator('tr.seg[data-number="1"]:not(.editing)')
    row.locator(".badge", has_text="Translated").wait_for(timeout=6000)
    assert row.locator(".ver").inner_text() == version


def test_a_save_made_while_the_server_was_down_lands_right_after_it_is_back(
        app, browser, live_server, client):
    doc, url = import_doc(client, live_server)
    page = person_page(browser, live_server, app, "tina", "translator")
    page.goto(url)
    down = lambda route: route.abort("connectionrefused") if route.request.method == "POST" \
        else route.continue_()  # noqa: E731
    page.route("**/segments/*", down)
    type_and_save(page, "Satz 1, gespeichert nach dem Ausfall.")
    badge = page.locator('tr.seg[data-number="1"] .draft-badge')
    badge.wait_for(state="visible")
    page.wait_for_timeout(7000)  # several failed retries: the backoff must not have grown long
    assert "server unreachable" in badge.inner_text()
    assert first(client, doc)["version"] == 1
    page.unroute("**/segments/*")
    back = time.monotonic()
    shows_saved(page, "v2")
    waited = time.monotonic() - back
    page.wait_for_function(f"{PENDING} === 0")
    now = first(client, doc)
    assert (now["state"], now["version"]) == ("translated", 2)
    assert now["target"] == "Satz 1, gespeichert nach dem Ausfall."
    assert waited < 5.5, f"sent {waited:.1f} s after the server was back"
    screenshot(page, "outage-saved-after")
    page.context.close()


def test_a_save_made_offline_is_sent_when_the_browser_is_online_again(
        app, browser, live_server, client):
    doc, url = import_doc(client, live_server)
    page = person_page(browser, live_server, app, "tina", "translator")
    page.goto(url)
    box = open_first(page)
    page.context.set_offline(True)
    type_and_save(page, "Satz 1, offline getippt.", box)
    page.locator('tr.seg[data-number="1"] .draft-badge', has_text="offline").wait_for()
    page.wait_for_timeout(9000)  # past the longest backoff step
    page.context.set_offline(False)
    back = time.monotonic()
    shows_saved(page, "v2")
    # The `online` event sends at once rather than at the next step of the backoff.
    assert time.monotonic() - back < 3
    assert first(client, doc)["target"] == "Satz 1, offline getippt."
    page.context.close()


def test_a_save_whose_answer_was_lost_is_not_shown_as_a_conflict(app, browser, live_server, client):
    doc, url = import_doc(client, live_server)
    page = person_page(browser, live_server, app, "tina", "translator")
    page.goto(url)

    lost = []

    def lose_answer(route):
        if route.request.method != "POST" or lost:
            route.continue_()
            return
        lost.append(route.fetch().status)  # the server saves it …
        route.abort("connectionreset")  # … and the answer never arrives

    page.route("**/segments/*", lose_answer)
    type_and_save(page, "Satz 1, Antwort verloren.")
    # The retry sends the same save again, based on version 1, which is no longer current.
    shows_saved(page, "v2")
    assert lost == [200]
    assert page.locator("tr.conflict").count() == 0
    page.wait_for_function(f"{PENDING} === 0")
    assert first(client, doc)["version"] == 2
    page.context.close()


def test_rows_that_failed_to_load_are_asked_for_again(app, browser, live_server, client):
    doc, url = import_doc(client, live_server)
    page = person_page(browser, live_server, app, "tina", "translator")
    page.route("**/documents/*?offset=*", lambda route: route.abort("connectionrefused"))
    page.goto(url)
    page.locator("#seg-more").scroll_into_view_if_needed()
    label = page.locator("#seg-more .more-label")
    label.filter(has_text="not loaded yet").wait_for()
    page.unroute("**/documents/*?offset=*")
    page.wait_for_function("() => document.querySelectorAll('#segment-list tr.seg').length > 10",
                           timeout=6000)
    assert page.locator('tr.seg[data-number="11"]').count() == 1
    page.context.close()
