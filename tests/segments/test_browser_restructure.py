"""In the browser: split and merge keep every row the list had, the focus and the counts (#14)."""

from __future__ import annotations

import io

from browser import person_page, screenshot

TEXT = "\n\n".join(f"Satz {i} steht hier." for i in range(1, 40))



def import_doc(client, live_server) -> str:
    """Import 39 review segments; return the editor's URL."""
    resp = client.post("/documents", data={
        "file": (io.BytesIO(TEXT.encode()), "lang.de.txt"), "source_lang": "en",
        "target_lang": "de", "mode": "review"}, content_type="multipart/form-data")
    return live_server.url + resp.headers["Location"]


def numbers(page) -> list[int]:
    """Return the numbers of the rows in the list."""
    return page.evaluate(
        "() => Array.from(document.querySelectorAll('#segment-list tr.seg'), r => +r.dataset.number)")


def load_all(page) -> None:
    """Load every chunk of the page's rows, as scrolling down does."""
    for _ in range(10):
        if not page.evaluate("() => { const m = document.getElementById('seg-more');"
                             " if (m && !m.classList.contains('htmx-request')) htmx.trigger(m, 'load-more');"
                             " return !!m; }"):
            return
        page.wait_for_timeout(200)


def focused_number(page) -> str | None:
    """Return the number of the row holding the focus."""
    return page.evaluate("() => { const r = document.activeElement.closest('tr.seg');"
                         " return r ? r.dataset.number : null; }")


def test_split_and_merge_keep_the_rows_the_focus_and_the_count(app, browser, live_server, client):
    url = import_doc(client, live_server)
    page = person_page(browser, live_server, app, "tina", "translator")
    page.goto(url)
    page.locator("#doc-progress .total", has_text="39 segments").wait_for()
    load_all(page)
    assert numbers(page) == list(range(1, 40))

    page.locator('tr.seg[data-number="35"] td.tgt').click()
    box = page.locator('tr.seg.editing[data-number="35"] textarea[name=target]')
    box.wait_for()
    box.evaluate("ta => { ta.focus(); ta.setSelectionRange(5, 5); }")
    page.locator('tr.seg.editing[data-number="35"] button[data-action=split]').click()
    page.wait_for_function("() => document.querySelectorAll('#segment-list tr.seg').length === 40")
    assert numbers(page) == list(range(1, 41))
    page.wait_for_function("() => document.activeElement.matches('tr.seg[data-number=\"35\"]')")
    page.locator("#doc-progress .total", has_text="40 segments").wait_for()
    assert page.locator('tr.seg[data-number="36"] td.tgt').inner_text().startswith("35 steht hier.")
    screenshot(page, "split-keeps-the-list")

    page.on("dialog", lambda dialog: dialog.accept())
    page.locator('tr.seg[data-number="24"] td.tgt').click()
    page.locator('tr.seg.editing[data-number="24"]').get_by_role(
        "button", name="Merge with next").click()
    page.wait_for_function("() => document.querySelectorAll('#segment-list tr.seg').length === 39")
    assert numbers(page) == list(range(1, 40))
    page.wait_for_function("() => document.activeElement.matches('tr.seg[data-number=\"24\"]')")
    page.locator("#doc-progress .total", has_text="39 segments").wait_for()
    assert "Satz 24 steht hier. Satz 25 steht hier." in page.locator(
        'tr.seg[data-number="24"] td.tgt').inner_text()
    # Arrow keys go on from the merged row.
    page.keyboard.press("ArrowDown")
    page.wait_for_function("() => document.activeElement.matches('tr.seg[data-number=\"25\"]')")
    page.context.close()


def test_a_list_that_starts_further_down_loads_the_rows_before_on_arrow_up(
        app, browser, live_server, client):
    url = import_doc(client, live_server)
    page = person_page(browser, live_server, app, "tina", "translator")
    page.goto(url + "?goto=32")
    page.locator('tr.seg.editing[data-number="32"]').wait_for()
    assert numbers(page)[0] == 31
    assert page.locator("#seg-less button").inner_text() == "↑ Segments 1–30"
    screenshot(page, "rows-before-loader")
    page.keyboard.press("Escape")
    page.wait_for_function("() => document.activeElement.matches('tr.seg[data-number=\"32\"]')")
    page.keyboard.press("ArrowUp")
    page.wait_for_function("() => document.activeElement.matches('tr.seg[data-number=\"31\"]')")
    page.keyboard.press("ArrowUp")
    page.wait_for_function("() => document.activeElement.matches('tr.seg[data-number=\"30\"]')")
    assert numbers(page)[:3] == [1, 2, 3] and page.locator("#seg-less").count() == 0
    assert 32 in numbers(page)
    page.context.close()
