"""Keyboard flow in the editor: focus always lands on a row or a field, Esc keeps the typed
text recoverable, one Tab stop per row list, `?` lists every shortcut."""

from __future__ import annotations

import pytest
from browser import person_page, screenshot

pytestmark = pytest.mark.browser

def wait_focus_on_row(page, number: int) -> None:
    page.wait_for_function("() => document.activeElement.matches('tr.seg') && "
                           f"document.activeElement.dataset.number === '{number}'")


def test_esc_leaves_the_focus_on_the_row_and_arrows_move_on(app, browser, live_server, doc_url):
    page = person_page(browser, live_server, app, "tina", "translator")
    page.goto(doc_url)
    page.keyboard.press("Enter")
    page.locator("tr.seg.editing textarea[name=target]").wait_for()
    page.keyboard.press("Escape")
    page.locator('tr.seg[data-number="1"]:not(.editing)').wait_for()
    wait_focus_on_row(page, 1)
    page.keyboard.press("ArrowDown")
    wait_focus_on_row(page, 2)
    assert page.evaluate("() => window.scrollY") == 0
    # Saving with Cancel (the mouse) also gives the focus back to the row.
    page.keyboard.press("Enter")
    page.locator('tr.seg.editing[data-number="2"]').wait_for()
    page.locator("tr.seg.editing button[data-action=cancel]").click()
    page.locator('tr.seg[data-number="2"]:not(.editing)').wait_for()
    wait_focus_on_row(page, 2)
    page.context.close()


def test_rows_are_one_tab_stop_with_a_roving_tabindex(app, browser, live_server, doc_url):
    page = person_page(browser, live_server, app, "tina", "translator")
    page.goto(doc_url)
    tabindex = ("() => Array.from(document.querySelectorAll('#segment-list tr.seg'))"
                ".map(r => r.getAttribute('tabindex'))")
    assert page.evaluate(tabindex) == ["0", "-1", "-1"]
    page.keyboard.press("ArrowDown")
    wait_focus_on_row(page, 2)
    assert page.evaluate(tabindex) == ["-1", "0", "-1"]
    # Tab leaves the list rather than walking through every row.
    page.keyboard.press("Tab")
    assert page.evaluate("() => !(document.activeElement.matches('tr.seg'))")
    page.keyboard.press("Shift+Tab")
    wait_focus_on_row(page, 2)
    page.context.close()


def test_esc_on_changed_text_offers_it_back(app, browser, live_server, doc_url, client):
    page = person_page(browser, live_server, app, "tina", "translator")
    page.goto(doc_url)
    page.keyboard.press("Enter")
    box = page.locator("tr.seg.editing textarea[name=target]")
    box.wait_for()
    box.fill("Kim traf Putin in Wladiwostok, sagte Tina.")
    page.keyboard.press("Escape")
    restore = page.locator('tr.seg[data-number="1"] button.restore-typed')
    restore.wait_for()
    assert restore.inner_text() == "Restore what you typed"
    wait_focus_on_row(page, 1)
    # The button is in the row's Tab order (after the row's glossary terms).
    for _ in range(6):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.matches('button.restore-typed')"):
            break
    assert page.evaluate("() => document.activeElement.matches('button.restore-typed')")
    screenshot(page, "keyboard-restore-typed")
    page.keyboard.press("Enter")
    box = page.locator('tr.seg.editing[data-number="1"] textarea[name=target]')
    box.wait_for()
    page.wait_for_function("() => document.activeElement.matches('tr.seg.editing textarea')")
    assert box.input_value() == "Kim traf Putin in Wladiwostok, sagte Tina."
    assert page.locator("button.restore-typed").count() == 0
    page.keyboard.press("Control+Enter")
    page.locator('tr.seg[data-number="1"] .ver', has_text="v2").wait_for()
    doc_id = doc_url.rsplit("/", 1)[1]
    first = client.get(f"/api/documents/{doc_id}/segments").get_json()["segments"][0]
    assert first["target"] == "Kim traf Putin in Wladiwostok, sagte Tina."
    page.context.close()


def test_reject_with_comment_puts_the_focus_in_the_box_then_on_the_row(app, browser,
                                                                      live_server, doc_url,
                                                                      client):
    doc_id = doc_url.rsplit("/", 1)[1]
    for seg in client.get(f"/api/documents/{doc_id}/segments").get_json()["segments"]:
        client.put(f"/api/segments/{seg['id']}", json={"target": seg["target"] + " ", "version": 1})
    page = person_page(browser, live_server, app, "ed", "editor")
    page.goto(doc_url + "/review")
    row = page.locator('tr.seg[data-number="2"]')
    row.locator("details.reject summary").click()
    page.wait_for_function(
        "() => document.activeElement.matches('tr.seg[data-number=\"2\"] textarea[name=comment]')")
    page.keyboard.type("Das Subjekt fehlt.")
    row.get_by_role("button", name="Reject with comment").click()
    page.locator('tr.seg[data-number="2"] .badge.st-rejected').wait_for()
    wait_focus_on_row(page, 2)
    page.keyboard.press("ArrowDown")
    wait_focus_on_row(page, 3)
    page.context.close()


def test_esc_closes_the_concordance_also_after_a_search(app, browser, live_server, doc_url):
    page = person_page(browser, live_server, app, "tina", "translator")
    page.goto(doc_url)
    page.keyboard.press("Enter")
    page.locator("tr.seg.editing textarea[name=target]").wait_for()
    page.keyboard.press("Control+K")
    search = page.locator("#concordance-host input[name=q]")
    search.wait_for()
    page.wait_for_function("() => document.activeElement.name === 'q'")
    search.fill("Putin")
    page.keyboard.press("Enter")
    page.locator("#concordance-host h3", has_text="Putin").wait_for()
    page.keyboard.press("Escape")
    page.wait_for_function("() => document.getElementById('concordance-host').hidden")
    # Back in the segment being edited, which Esc did not close.
    page.wait_for_function("() => document.activeElement.matches('tr.seg.editing textarea')")
    page.context.close()


def test_question_mark_lists_every_shortcut_and_esc_gives_the_focus_back(app, browser,
                                                                         live_server, doc_url):
    page = person_page(browser, live_server, app, "tina", "translator")
    page.goto(doc_url)
    page.keyboard.press("ArrowDown")
    wait_focus_on_row(page, 2)
    page.keyboard.press("?")
    dialog = page.locator("dialog#shortcuts")
    dialog.wait_for(state="visible")
    # It opens at its title, not scrolled down to the Close button.
    page.wait_for_function("() => document.activeElement.id === 'shortcuts-title'")
    assert page.evaluate("() => document.getElementById('shortcuts').scrollTop") == 0
    listed = dialog.locator("dt").all_inner_texts()
    squeeze = str.maketrans("", "", "+/ ")
    listed = {dt.translate(squeeze) for dt in listed}
    # Every key the footer names, and the ones only editor.js knows, are in the list.
    footer = page.evaluate(r"""() => Array.from(document.querySelectorAll('footer.keys span')).map(
        s => { const k = s.querySelectorAll('kbd'), last = k[k.length - 1].textContent;
               return s.textContent.slice(0, s.textContent.lastIndexOf(last) + last.length)
                 .replace(/[+\/ ]/g, ''); })""")
    assert len(footer) >= 8
    for keys in footer + ["CtrlShiftX", "↑↓", "AltR", "BackspaceDelete", "Escintheconcordance"]:
        assert any(keys.lower() in dt.lower() for dt in listed), (keys, listed)
    screenshot(page, "keyboard-shortcuts")
    page.keyboard.press("Escape")
    dialog.wait_for(state="hidden")
    wait_focus_on_row(page, 2)
    # Typing a `?` in a field types it.
    page.keyboard.press("Enter")
    box = page.locator("tr.seg.editing textarea[name=target]")
    box.wait_for()
    page.keyboard.press("?")
    assert box.input_value().endswith("?")
    assert not dialog.is_visible()
    page.context.close()
