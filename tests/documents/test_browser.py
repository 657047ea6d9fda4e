"""What only a browser shows: keyboard-only editing in Debian's Chromium, surviving a reload."""

from __future__ import annotations

import io

import pytest
from browser import browser_login, screenshot
from conftest import PASSWORD

pytestmark = pytest.mark.browser

STRAY_SIE = "Nordkoreanischer Führer Kim Jong Un Sie könnten"
FIXED = ("SEOUL: Der nordkoreanische Machthaber Kim Jong Un könnte sich bald mit Präsident "
         "Wladimir Putin treffen und mögliche Waffengeschäfte besprechen, sagte ein "
         "US-Sicherheitsbeamter.")


@pytest.fixture
def seed_url(client, live_server, seed_bytes, page):
    """Import the seed article in review mode, log the page in, and return the editor URL."""
    browser_login(page, live_server.url, "ada", PASSWORD)
    resp = client.post("/documents", data={
        "file": (io.BytesIO(seed_bytes), "kim-putin.de.txt"),
        "source_lang": "en", "target_lang": "de", "mode": "review",
    }, content_type="multipart/form-data")
    return live_server.url + resp.headers["Location"]


def test_translator_corrects_a_segment_with_the_keyboard_only_and_it_survives_a_reload(
    page, seed_url
):
    page.goto(seed_url)
    rows = page.locator("#segment-list tr.seg")
    target_row = rows.filter(has_text=STRAY_SIE)
    number = int(target_row.get_attribute("data-number"))
    # The first row has focus on load; walk down to the segment with the stray "Sie".
    for _ in range(number - 1):
        page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    editor = page.locator("tr.seg.editing textarea[name=target]")
    editor.wait_for()
    assert STRAY_SIE in editor.input_value()
    page.keyboard.press("Control+A")
    page.keyboard.type(FIXED)
    page.keyboard.press("Control+Enter")
    # Ctrl+Enter saves and opens the next segment.
    next_row = page.locator(f'tr.seg.editing[data-number="{number + 1}"]')
    next_row.wait_for()
    saved = page.locator(f'tr.seg[data-number="{number}"]')
    assert FIXED in saved.inner_text()
    assert "Translated" in saved.inner_text()
    screenshot(page, "editor-after-save")
    page.keyboard.press("Escape")

    page.reload()
    row = page.locator(f'tr.seg[data-number="{number}"]')
    assert FIXED in row.inner_text() and "v2" in row.inner_text()
    row.click()
    page.get_by_role("button", name="History").click()
    history = page.locator(f'tr.seg[data-number="{number}"] .revisions')
    history.wait_for()
    text = history.inner_text()
    assert "v2 · edit" in text and FIXED in text
    assert "v1 · import" in text and STRAY_SIE in text
    screenshot(page, "editor-history")


def test_escape_cancels_and_ctrl_i_copies_the_mt_draft(page, seed_url):
    page.goto(seed_url)
    page.keyboard.press("Enter")
    editor = page.locator("tr.seg.editing textarea[name=target]")
    editor.wait_for()
    original = editor.input_value()
    page.keyboard.press("Control+A")
    page.keyboard.type("Müll")
    page.keyboard.press("Control+i")
    assert editor.input_value() == original
    page.keyboard.type(" extra")
    page.keyboard.press("Escape")
    page.locator("tr.seg.editing").wait_for(state="detached")
    first = page.locator("#segment-list tr.seg").first
    assert "extra" not in first.inner_text() and "v1" in first.inner_text()


def test_an_unsaved_edit_is_kept_in_the_browser_and_restored_after_reload(page, seed_url):
    page.goto(seed_url)
    page.keyboard.press("Enter")
    editor = page.locator("tr.seg.editing textarea[name=target]")
    editor.wait_for()
    page.keyboard.press("End")
    page.keyboard.type(" – noch nicht gespeichert")
    page.reload()
    first = page.locator("#segment-list tr.seg").first
    assert first.locator(".draft-badge").is_visible()
    first.click()
    editor = page.locator("tr.seg.editing textarea[name=target]")
    editor.wait_for()
    assert editor.input_value().endswith("– noch nicht gespeichert")
