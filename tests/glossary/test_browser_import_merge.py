"""In the browser: the import preview shows every change and removal, and the mode is a choice."""

from __future__ import annotations

import io

from browser import browser_login, screenshot
from conftest import PASSWORD

CSV = ("de,en,note,dnt,forbidden,case_sensitive\n"
       "Interfax,Interfax,Russische Nachrichtenagentur <b>Moskau</b>.,,,\n"
       "Sondermilitäroperation,,,,,\n")



def test_the_preview_lists_removals_only_when_replacing(client, live_server, page, tmp_path):
    browser_login(page, live_server.url, "ada", PASSWORD)
    page.goto(live_server.url + "/glossary")
    upload = tmp_path / "update.csv"
    upload.write_text(CSV, encoding="utf-8")
    page.locator("input[type=file][name=file]").set_input_files(str(upload))
    page.get_by_role("button", name="Preview the import").click()
    preview = page.locator(".import-preview")
    preview.wait_for()
    assert "0 to add, 1 to change, 1 already the same" in preview.locator("h3").inner_text()
    assert preview.locator(".flag.removal, .removal-count").count() == 0
    interfax = preview.locator("li.concept", has_text="Interfax")
    assert "note" in interfax.inner_text() and "<b>Moskau</b>" in interfax.inner_text()
    preview.locator(".import-mode").scroll_into_view_if_needed()
    screenshot(page, "glossary-import-merge")

    page.get_by_label("replace concepts in the file as a whole").check()
    page.get_by_role("button", name="Preview the import").click()
    page.locator(".import-preview .removal-count").wait_for()
    preview = page.locator(".import-preview")
    assert "0 to add, 2 to change" in preview.locator("h3").inner_text()
    sonder = preview.locator("li.concept", has_text="Sondermilitäroperation")
    removed = sonder.locator("del.removed").all_inner_texts()
    assert {"militärische Spezialoperation", "special operation"} <= set(removed)
    assert "Interfaks" in preview.locator("li.concept", has_text="Interfax").locator(
        "del.removed").all_inner_texts()
    sonder.scroll_into_view_if_needed()
    screenshot(page, "glossary-import-replace")
    page.get_by_role("button", name="Apply: add 0, change 2 (2 losing something)").click()
    page.wait_for_url(lambda url: url.endswith("/glossary"))
    entries = {e["key"]: e for e in client.get("/api/glossary").get_json()["entries"]}
    assert entries["Interfax"]["forbidden"] == {} and entries["Interfax"]["dnt"] is False
    assert entries["Sondermilitäroperation"]["terms"] == {"de": ["Sondermilitäroperation"]}


def test_a_saved_row_with_a_forbidden_term_shows_the_warning(client, live_server, page):
    resp = client.post("/documents", data={
        "file": (io.BytesIO(b"Die Agentur Interfax meldete es.\n"), "k.de.txt"),
        "source_lang": "en", "target_lang": "de", "mode": "review",
    }, content_type="multipart/form-data")
    browser_login(page, live_server.url, "ada", PASSWORD)
    page.goto(live_server.url + resp.headers["Location"])
    page.keyboard.press("Enter")
    box = page.locator("tr.seg.editing textarea[name=target]")
    box.wait_for()
    box.fill("Die Agentur Interfaks meldete es.")
    page.keyboard.press("Control+Enter")
    notice = page.locator('tr.seg[data-number="1"] .saved-qa')
    notice.wait_for()
    assert notice.inner_text().startswith("Saved as Translated with 1 QA warning (forbidden term")
    screenshot(page, "saved-with-forbidden-term")
