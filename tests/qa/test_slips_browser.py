"""The checks of the target alone in Debian's Chromium: the seed's glued segment in the QA
panel, and a flagged word added to the document's word list from there."""

from __future__ import annotations

import io

import pytest
from api_steps import segments
from browser import browser_login, screenshot
from conftest import PASSWORD

pytestmark = pytest.mark.browser


def test_the_qa_panel_shows_the_glued_slip_and_adds_a_word_to_the_list(
        page, client, live_server, seed_bytes):
    resp = client.post("/api/documents", data={
        "file": (io.BytesIO(seed_bytes), "kim-putin.de.txt"), "source_lang": "en",
        "target_lang": "de", "mode": "review"}, content_type="multipart/form-data")
    doc = resp.get_json()["id"]
    segs = segments(client, doc)
    glued = next(s for s in segs if s["target"].startswith("Für Nord KoreaAndererseits"))
    leftover = next(s for s in segs if s["target"] == "toi-allgemeines")
    browser_login(page, live_server.url, "ada", PASSWORD)
    page.goto(f"{live_server.url}/documents/{doc}?rows=100")

    row = page.locator(f"#seg-{glued['id']}")
    row.scroll_into_view_if_needed()
    assert "“KoreaAndererseits” looks like two words glued together" in row.locator(
        ".qa-item.code-glued_words").inner_text()
    assert "hidden in “Nord KoreaAndererseits”" in row.locator(
        ".qa-item.code-forbidden_term").inner_text()
    screenshot(page, "qa-glued-segment")

    last = page.locator(f"#seg-{leftover['id']}")
    last.scroll_into_view_if_needed()
    assert last.locator(".qa-item.code-spelling").count() == 1
    screenshot(page, "qa-spelling-warning")
    last.get_by_role("button", name="Add to document’s words").click()
    page.wait_for_function(
        f"() => !document.querySelector('#seg-{leftover['id']} .qa-item.code-spelling')")
    # The button works from the display row: it does not open the editor.
    assert not last.evaluate("r => r.classList.contains('editing')")
    assert last.locator(".qa-item.code-web_leftover").count() == 1
    screenshot(page, "qa-word-added")
    words = client.get(f"/api/documents/{doc}/words").get_json()
    assert [w["word"] for w in words["document"]] == ["toi"]
