"""In Chromium, in the pseudo-locale: the dictionary panel that dictionary.js opens and htmx
fills, the English column's source terms, and the proposal made from the panel, all go
through the catalogue (the seed's terms and FreeDict's entries are data, translate="no")."""

from __future__ import annotations

import io

import pytest
from browser import person_page
from conftest import SEED
from i18n_check import untranslated

pytestmark = pytest.mark.browser


def outer_html(page, selector: str) -> str:
    """Return the markup of the first element matching selector."""
    return page.locator(selector).first.evaluate("el => el.outerHTML")


def test_the_dictionary_panel_and_the_english_column_are_translated(
        app, browser, live_server, client):
    app.config["I18N_PSEUDO"] = True
    resp = client.post("/documents", data={
        "file": (io.BytesIO(SEED.read_bytes()), "kim-putin.de.txt"), "source_lang": "en",
        "target_lang": "de", "mode": "review"}, content_type="multipart/form-data")
    page = person_page(browser, live_server, app, "tina", "translator")
    page.goto(live_server.url + resp.headers["Location"] + "?rows=100")
    row = page.locator('tr.seg[data-number="3"]')
    assert untranslated(outer_html(page, 'tr.seg[data-number="3"] td.src')) == []
    assert untranslated(outer_html(page, "#dict-panel")) == []

    row.click()
    box = page.locator("tr.seg.editing textarea[name=target]")
    box.wait_for()
    box.evaluate("""ta => { const i = ta.value.indexOf('Waffengeschäfte') + 4;
                            ta.focus(); ta.setSelectionRange(i, i); }""")
    page.keyboard.press("Control+d")
    panel = page.locator("#dict-panel")
    panel.locator(".dict-freedict .dict-hit").first.wait_for()
    assert untranslated(outer_html(page, "#dict-panel")) == []

    # The glossary has "Waffengeschäft" already: the refusal is said in the pseudo-locale too.
    panel.locator("form.dict-term button[type=submit]").click()
    panel.locator("form.dict-term .message.error").wait_for()
    assert "⟦" in panel.locator("form.dict-term .message.error").inner_text()
    assert untranslated(outer_html(page, "#dict-panel")) == []
    page.context.close()
