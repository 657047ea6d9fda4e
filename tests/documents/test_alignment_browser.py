"""The alignment view in Chromium, keyboard only: move, split, join, accept."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from api_steps import segments
from browser import browser_login, screenshot
from conftest import PASSWORD
from test_alignment_api import ENGLISH, GERMAN

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[2]


def import_with_original(client, german: bytes, english: bytes, name: str) -> int:
    """Import a review document, upload its original, and return the document id."""
    resp = client.post("/api/documents", data={
        "file": (io.BytesIO(german), name), "source_lang": "en", "target_lang": "de",
        "mode": "review"}, content_type="multipart/form-data")
    doc = resp.get_json()["id"]
    resp = client.post(f"/api/documents/{doc}/original",
                       data={"file": (io.BytesIO(english), "original.en.txt")},
                       content_type="multipart/form-data")
    assert resp.status_code == 201, resp.get_json()
    return doc


def rows_are(page, count: int) -> None:
    """Wait until the alignment shows `count` rows."""
    page.wait_for_function(
        f"() => document.querySelectorAll('#align-rows .align-row').length === {count}")


def test_a_person_splits_joins_and_accepts_with_the_keyboard_only(client, live_server, page):
    doc = import_with_original(client, GERMAN.encode(), ENGLISH.encode(), "kurz.de.txt")
    browser_login(page, live_server.url, "ada", PASSWORD)
    page.goto(f"{live_server.url}/documents/{doc}/alignment")
    rows_are(page, 4)
    page.wait_for_function("() => document.activeElement.matches('.align-row[data-row=\"0\"]')")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    focused = page.locator(".align-row:focus")
    assert "They have been since 2006." in focused.inner_text()
    # S splits at the sentence boundary: the second sentence becomes English with nothing.
    page.keyboard.press("s")
    rows_are(page, 5)
    extra = page.locator('.align-row[data-row="3"]')
    assert "no German" in extra.inner_text() and "They have been since 2006." in extra.inner_text()
    page.wait_for_function("() => document.activeElement.matches('.align-row[data-row=\"2\"]')")
    # J joins it back.
    page.keyboard.press("j")
    rows_are(page, 4)
    page.wait_for_function("() => document.activeElement.matches('.align-row[data-row=\"2\"]')")
    # Split the shared second row at its start: the first German keeps no English.
    page.keyboard.press("ArrowUp")
    for _ in range(20):
        page.keyboard.press("ArrowLeft")
    page.keyboard.press("s")
    rows_are(page, 5)
    assert "no English" in page.locator('.align-row[data-row="1"]').inner_text()
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/documents/{doc}")
    sources = [s["source"] for s in segments(client, doc)]
    assert sources[1] == "" and sources[2].startswith("He wants to meet President")
    assert sources[3] == "Both countries have been under sanctions. They have been since 2006."
    assert "Both countries have been under sanctions." in page.locator("#segment-list").inner_text()
    screenshot(page, "alignment-accepted-editor")


def test_the_seed_article_with_its_original_marks_the_links_to_check(client, live_server, page):
    german = (ROOT / "translations" / "kim-putin.de.txt").read_bytes()
    english = (ROOT / "translations" / "kim-putin.en.txt").read_bytes()
    doc = import_with_original(client, german, english, "kim-putin.de.txt")
    browser_login(page, live_server.url, "ada", PASSWORD)
    page.goto(f"{live_server.url}/documents/{doc}/alignment")
    page.locator(".align-row.current").wait_for()
    low = page.locator(".align-row.low")
    # The web-page leftovers the original lacks ("Kim Jong Un Warum sich …", "toi-allgemeines")
    # are in links marked in words, not only in colour.
    assert low.count() >= 2
    assert all("check" in low.nth(i).inner_text() for i in range(low.count()))
    page.keyboard.press("ArrowDown")
    screenshot(page, "alignment-seed")
