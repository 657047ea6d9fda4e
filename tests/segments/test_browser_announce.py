"""Screen readers hear a save: the editor's live regions say "saving", "saved" (with the QA
warnings the text has), a failed send and a conflict, without reading whole rows; the texts
editor.js makes go through the catalogue (checked in the pseudo-locale)."""

from __future__ import annotations

import pytest
from api_steps import save, segments
from browser import person_page, screenshot
from i18n_check import untranslated

pytestmark = pytest.mark.browser

STATUS = "#editor-status"
ALERT = "#editor-alert"


def live_text(page, selector: str) -> str:
    return page.locator(selector).text_content() or ""


def wait_said(page, selector: str, words: str) -> str:
    """Wait until the live region says `words`; return all it says."""
    page.wait_for_function(
        "([sel, words]) => (document.querySelector(sel) || {}).textContent?.includes(words)",
        arg=[selector, words])
    return live_text(page, selector)


def test_the_live_regions_are_there_before_anything_is_said(app, browser, live_server, doc_url):
    page = person_page(browser, live_server, app, "tina", "translator")
    page.goto(doc_url)
    page.locator('tr.seg[data-number="1"]').wait_for()
    assert page.locator(STATUS).get_attribute("aria-live") == "polite"
    assert page.locator(STATUS).get_attribute("role") == "status"
    assert page.locator(ALERT).get_attribute("aria-live") == "assertive"
    # Both are outside the rows, so a row's swap never makes a region of its own speak.
    assert page.evaluate("() => !document.querySelector('#segment-list [aria-live]')")
    page.context.close()


def test_a_save_and_its_qa_warning_are_announced(app, browser, live_server, doc_url):
    page = person_page(browser, live_server, app, "tina", "translator")
    page.goto(doc_url)
    page.keyboard.press("Enter")
    box = page.locator("tr.seg.editing textarea[name=target]")
    box.wait_for()
    box.fill("Kim traf Putin in Wladiwostok.")
    page.keyboard.press("Control+Enter")
    said = wait_said(page, STATUS, "saved")
    assert said == "Segment 1 saved as Translated."
    # The next segment is open now; a double space is a QA warning the save does not refuse.
    box = page.locator('tr.seg.editing[data-number="2"] textarea[name=target]')
    box.wait_for()
    box.fill("Nordkorea  schwieg dazu.")
    page.keyboard.press("Control+Enter")
    said = wait_said(page, STATUS, "Segment 2 saved")
    assert said.startswith("Segment 2 saved as Translated with 1 QA warning: ")
    assert "double space" in said
    assert live_text(page, ALERT) == ""
    page.context.close()


def test_a_conflict_is_announced_assertively(app, browser, live_server, doc_url, client):
    page = person_page(browser, live_server, app, "tina", "translator")
    page.goto(doc_url)
    page.keyboard.press("Enter")
    box = page.locator("tr.seg.editing textarea[name=target]")
    box.wait_for()
    # Someone else saves the segment while Tina has it open.
    doc = int(doc_url.rstrip("/").split("/")[-1])
    save(client, segments(client, doc)[0], "Kim begegnete Putin.")
    box.fill("Kim traf Putin.")
    page.keyboard.press("Control+Enter")
    page.locator("tr.seg.conflict").wait_for()
    said = wait_said(page, ALERT, "was not saved")
    assert said.startswith("Segment 1 was not saved. ")
    assert "saved this segment meanwhile" in said and "choose what to save" in said
    # The polite region no longer says the segment is being saved.
    assert "Saving" not in page.locator(STATUS).inner_text()
    page.context.close()


def test_a_send_that_fails_is_announced_once(app, browser, live_server, doc_url):
    page = person_page(browser, live_server, app, "tina", "translator")
    page.goto(doc_url)
    page.route("**/segments/*", lambda r: r.abort("connectionrefused")
               if r.request.method == "POST" else r.continue_())
    page.keyboard.press("Enter")
    box = page.locator("tr.seg.editing textarea[name=target]")
    box.wait_for()
    box.fill("Nie gesendet.")
    page.keyboard.press("Control+Enter")
    said = wait_said(page, STATUS, "unsaved")
    assert said.startswith("Segment 1: unsaved")
    # Once the server is back, the retry's answer is announced as a save.
    page.unroute("**/segments/*")
    page.evaluate("() => window.workbench.retryPending()")
    assert wait_said(page, STATUS, "saved as") == "Segment 1 saved as Translated."
    page.context.close()


def test_the_editors_own_texts_go_through_the_catalogue(app, browser, live_server, doc_url):
    """In the pseudo-locale, what editor.js writes and says is all ⟦…⟧."""
    app.config["I18N_PSEUDO"] = True
    page = person_page(browser, live_server, app, "tina", "translator")
    page.goto(doc_url)
    page.keyboard.press("Enter")
    box = page.locator("tr.seg.editing textarea[name=target]")
    box.wait_for()
    box.fill("Ким встретился с Путиным.")
    page.keyboard.press("Escape")
    restore = page.locator('tr.seg[data-number="1"] button.restore-typed')
    restore.wait_for()
    assert untranslated(restore.evaluate("el => el.outerHTML")) == []
    page.keyboard.press("Enter")
    page.locator("tr.seg.editing textarea[name=target]").wait_for()
    page.keyboard.press("Control+Enter")
    page.locator('tr.seg.just-saved[data-number="1"]').wait_for()
    page.wait_for_timeout(300)  # the region is emptied, then filled a moment later
    said = live_text(page, STATUS)
    assert said and untranslated(f"<p>{said}</p>") == [], said
    screenshot(page, "segs-pseudo-announce")
    page.context.close()
