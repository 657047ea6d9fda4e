"""Saving the last row the page has loaded opens the next one, from the page's next chunk."""

from __future__ import annotations

import io

import pytest
from api_steps import save, segments
from browser import browser_login
from conftest import PASSWORD

pytestmark = pytest.mark.browser


def test_ctrl_enter_on_the_last_loaded_row_opens_the_first_row_of_the_next_chunk(
    app, client, live_server, browser
):
    text = "\n".join(f"The sentence number {i} is here." for i in range(1, 26)).encode()
    resp = client.post("/documents", data={
        "file": (io.BytesIO(text), "chunks.en.txt"), "source_lang": "en",
        "target_lang": "de", "mode": "translate",
    }, content_type="multipart/form-data")
    url = live_server.url + resp.headers["Location"]
    first_rows = app.config["FIRST_ROWS"]
    last = segments(client, int(url.rsplit("/", 1)[1]))[first_rows - 1]
    save(client, last, "Der Satz.")
    context = browser.new_context(viewport={"width": 1400, "height": 400})
    page = context.new_page()
    browser_login(page, live_server.url, "ada", PASSWORD)
    # The next chunk's answer is held back until the save is sent: the "more" row may start
    # loading as it scrolls into view, but its rows are not there when Ctrl+Enter asks.
    held, released = [], []

    def hold(route):
        if released:
            route.continue_()
        else:
            held.append(route)

    page.route("**/*offset=*", hold)
    page.goto(f"{url}?goto={first_rows}")
    page.locator(f'tr.seg.editing[data-number="{first_rows}"]').wait_for()
    assert page.locator("tr.seg").count() == first_rows and page.locator("#seg-more").count()
    page.keyboard.type(" Nummer zehn")
    page.keyboard.press("Control+Enter")
    page.locator(f'tr.seg:not(.editing)[data-number="{first_rows}"]').wait_for()
    released.append(True)
    for route in held:
        route.continue_()
    # The default wait (30 s): once, in a loaded full PostgreSQL run, the chain after the
    # release (answer, swap, settle, open) took longer than a 5 s limit.
    page.locator(f'tr.seg.editing[data-number="{first_rows + 1}"]').wait_for()
    context.close()


def test_down_presses_made_while_the_next_chunk_loads_all_count(app, client, live_server,
                                                                 browser):
    text = "\n".join(f"The sentence number {i} is here." for i in range(1, 40)).encode()
    resp = client.post("/documents", data={
        "file": (io.BytesIO(text), "chunks.en.txt"), "source_lang": "en",
        "target_lang": "de", "mode": "translate",
    }, content_type="multipart/form-data")
    url = live_server.url + resp.headers["Location"]
    first_rows = app.config["FIRST_ROWS"]
    context = browser.new_context(viewport={"width": 1400, "height": 400})
    page = context.new_page()
    browser_login(page, live_server.url, "ada", PASSWORD)
    page.goto(url)
    page.wait_for_function("() => document.activeElement.matches('tr.seg')")
    # Faster than the chunk arrives: every press past the loaded rows is one row further.
    presses = first_rows + 5
    for _ in range(presses):
        page.keyboard.press("ArrowDown")
    page.wait_for_function("() => document.activeElement.matches('tr.seg')"
                           f" && document.activeElement.dataset.number === '{presses + 1}'")
    context.close()
