"""The documents' JavaScript in the pseudo-locale: its own text goes through the catalogue,
and nothing it does depends on the English of the page."""

from __future__ import annotations

import io

import pytest
from browser import browser_login
from conftest import PASSWORD
from i18n_check import untranslated

pytestmark = pytest.mark.browser

# Cyrillic data, so that only the interface's own text can be Latin.
GERMAN = "Ким встретил Путина. Они говорили долго.\n\nСовет обсудил санкции.\n"
ENGLISH = "Ким встретил Путина. Они говорили долго. Очень долго.\n\nСовет обсудил санкции.\n"


def upload(client, text: str, name: str, mode: str = "review") -> int:
    """Import a document through the API and return its id."""
    resp = client.post("/api/documents", data={
        "file": (io.BytesIO(text.encode()), name), "source_lang": "en", "target_lang": "de",
        "mode": mode}, content_type="multipart/form-data")
    assert resp.status_code == 201, resp.get_json()
    return resp.get_json()["id"]


def test_the_alignment_split_point_is_named_in_the_readers_language(app, client, live_server,
                                                                    page):
    doc = upload(client, GERMAN, "статья.txt")
    resp = client.post(f"/api/documents/{doc}/original",
                       data={"file": (io.BytesIO(ENGLISH.encode()), "оригинал.txt")},
                       content_type="multipart/form-data")
    assert resp.status_code == 201, resp.get_json()
    app.config["I18N_PSEUDO"] = True
    browser_login(page, live_server.url, "ada", PASSWORD)
    page.goto(f"{live_server.url}/documents/{doc}/alignment")
    page.wait_for_function("() => document.activeElement.matches('.align-row')")
    page.keyboard.press("ArrowRight")
    mark = page.locator(".align-row.current .align-split")
    mark.wait_for()
    assert mark.get_attribute("aria-label").startswith("⟦")
    rows = page.locator("#align-rows").evaluate("e => e.outerHTML")
    assert untranslated(rows) == []


def test_esc_closes_the_assign_form_whatever_the_language(app, client, live_server, page):
    doc = upload(client, GERMAN, "план.txt", "translate")
    app.config["I18N_PSEUDO"] = True
    browser_login(page, live_server.url, "ada", PASSWORD)
    row = page.locator(f"#doc-{doc}")
    row.locator(".row-actions a.button").first.click()
    select = page.locator(f"#doc-{doc} select[name=translator]")
    select.wait_for()
    assert select.evaluate("e => e === document.activeElement")
    page.keyboard.press("Escape")
    page.locator(f"#doc-{doc} form.plan").wait_for(state="detached")
    assert "⟦" in page.locator(f"#doc-{doc} .row-actions").inner_text()
    assert untranslated(row.evaluate("e => e.outerHTML")) == []
