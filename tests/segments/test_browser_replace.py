"""Search and replace in the editor, in Chromium: Ctrl+H, the seed's "Nord Korea" slip found
by a regex, hits marked and counted, Enter to the next hit, preview, apply, undo, Esc."""

from __future__ import annotations

import io

import pytest
from api_steps import segments
from browser import person_page, screenshot

pytestmark = pytest.mark.browser

SLIP = r"/Nord\s?Korea/"


@pytest.fixture
def seed_url(client, live_server, seed_bytes):
    """Import the seed article as a review document and return its editor URL and id."""
    resp = client.post("/documents", data={
        "file": (io.BytesIO(seed_bytes), "kim-putin.de.txt"), "source_lang": "en",
        "target_lang": "de", "mode": "review"}, content_type="multipart/form-data")
    url = live_server.url + resp.headers["Location"]
    return url, int(url.rsplit("/", 1)[1])


def open_search(page):
    """Press Ctrl+H and wait until the search box has the focus."""
    page.keyboard.press("Control+h")
    page.locator("#replace-bar").wait_for(state="visible")
    page.wait_for_function("() => document.activeElement.id === 'filter-q'")


def test_a_regex_between_slashes_finds_the_slip_marks_and_counts_every_hit(
        app, browser, live_server, client, seed_url):
    url, doc = seed_url
    page = person_page(browser, live_server, app, "tina", "translator")
    page.goto(url)
    page.keyboard.press("ArrowDown")
    open_search(page)
    assert page.locator("#filters select[name=in]").input_value() == "target"
    page.keyboard.type(SLIP)
    counted = client.get(f"/api/documents/{doc}/search",
                         query_string={"q": SLIP, "in": "target"}).get_json()
    status = page.locator("#hit-count")
    status.filter(has_text=f"{counted['hits']} hits").wait_for()
    assert f"in {counted['segments']} segments" in status.inner_text()
    # The count is the document's, more than the rows this page has loaded.
    shown = page.locator("#segment-list mark.hit").count()
    assert 0 < shown < counted["hits"]
    screenshot(page, "search-hits")
    page.get_by_label("Aa").check()
    status.filter(has_text="1 hit in 1 segment").wait_for()
    assert page.locator("#segment-list mark.hit").all_inner_texts() == ["Nord Korea"]
    page.locator("#filter-q").focus()
    page.keyboard.press("Enter")
    current = page.locator("#segment-list tr.seg.hit-current")
    current.wait_for()
    assert "Nord KoreaAndererseits" in current.inner_text()
    page.wait_for_function("() => document.activeElement.id === 'filter-q'")
    page.keyboard.press("Escape")
    page.locator("#replace-bar").wait_for(state="hidden")
    page.wait_for_function("() => document.activeElement.matches('tr.seg.hit-current')")
    page.context.close()


def test_preview_apply_and_undo_a_replace(app, browser, live_server, client, seed_url):
    url, doc = seed_url
    page = person_page(browser, live_server, app, "tina", "translator")
    page.goto(url)
    open_search(page)
    page.keyboard.type(SLIP)
    page.get_by_label("Aa").check()
    page.locator("#hit-count", has_text="1 hit in 1 segment").wait_for()
    page.locator("#replace-with").fill("Nordkorea. ")
    page.keyboard.press("Enter")
    preview = page.locator("#replace-preview")
    preview.wait_for()
    assert preview.locator("input[name=seg]").count() == 1
    assert preview.locator("mark.hit-old").all_inner_texts() == ["Nord Korea"]
    assert preview.locator("mark.hit-new").all_inner_texts() == ["Nordkorea. "]
    screenshot(page, "replace-preview")
    screenshot(page, "replace-preview")
    slip = next(s for s in segments(client, doc) if "Nord Korea" in s["target"])
    preview.get_by_role("button", name="Replace in ticked segments").click()
    page.locator(".replace-result", has_text="Replaced in 1 segment.").wait_for()
    # The list follows: the slip is gone from the search.
    page.locator("#hit-count", has_text="No hits").wait_for()
    after = client.get(f"/api/segments/{slip['id']}").get_json()
    assert "Nordkorea. Andererseits" in after["target"]
    assert after["version"] == slip["version"] + 1
    screenshot(page, "replace-done")
    # The pressed button is swapped out; the focus goes to the Undo the answer offers.
    page.wait_for_function("() => document.activeElement.matches('button.undo-replace')")
    page.keyboard.press("Enter")
    page.locator(".replace-result", has_text="Undone.").wait_for()
    page.wait_for_function("() => document.activeElement.id === 'replace-with'")
    page.locator("#hit-count", has_text="1 hit in 1 segment").wait_for()
    undone = client.get(f"/api/segments/{slip['id']}").get_json()
    assert undone["target"] == slip["target"] and undone["version"] == slip["version"] + 2
    # And Esc still closes the bar, back to where the person was (a row, or the search).
    page.keyboard.press("Escape")
    page.wait_for_function("() => document.getElementById('replace-bar').hidden"
                           " && document.activeElement.matches('tr.seg, #filter-q')")
    page.context.close()


def test_an_unticked_segment_keeps_its_text(app, browser, live_server, client, seed_url):
    url, doc = seed_url
    before = {s["id"]: s["target"] for s in segments(client, doc)}
    page = person_page(browser, live_server, app, "tina", "translator")
    page.goto(url)
    open_search(page)
    page.keyboard.type("Pjöngjang")
    page.get_by_label("whole word").check()
    page.locator("#hit-count", has_text="hits in").wait_for()
    page.locator("#replace-with").fill("Pyongyang")
    page.get_by_role("button", name="Preview changes").click()
    boxes = page.locator("#replace-preview input[name=seg]")
    boxes.first.wait_for()
    n = boxes.count()
    assert n >= 2  # "Pjöngjangs" is another word
    first_id = int(boxes.first.get_attribute("value").split(":")[0])
    boxes.first.uncheck()
    page.get_by_role("button", name="Replace in ticked segments").click()
    done = f"Replaced in {n - 1} segment{'' if n == 2 else 's'}."
    page.locator(".replace-result", has_text=done).wait_for()
    now = {s["id"]: s["target"] for s in segments(client, doc)}
    assert now[first_id] == before[first_id] and "Pjöngjang" in now[first_id]
    changed = [i for i in now if now[i] != before[i]]
    assert len(changed) == n - 1 and all("Pyongyang" in now[i] for i in changed)
    page.context.close()


def test_ctrl_k_on_words_selected_in_the_german_target_searches_the_target_side(
        app, browser, live_server, doc_url):
    page = person_page(browser, live_server, app, "tina", "translator")
    page.goto(doc_url)
    page.keyboard.press("Enter")
    box = page.locator("tr.seg.editing textarea[name=target]")
    box.wait_for()
    page.evaluate("""() => { const ta = document.querySelector('tr.seg.editing textarea');
        const at = ta.value.indexOf('Wladiwostok'); ta.focus();
        ta.setSelectionRange(at, at + 'Wladiwostok'.length); }""")
    page.keyboard.press("Control+K")
    panel = page.locator("#concordance-host .concordance")
    panel.wait_for()
    assert panel.locator("select[name=side]").input_value() == "target"
    assert panel.locator("input[name=q]").input_value() == "Wladiwostok"
    terms = panel.locator(".concordance-terms")
    terms.wait_for()
    assert "Vladivostok" in terms.inner_text()
    page.context.close()


def test_esc_after_ctrl_h_from_nowhere_puts_the_focus_on_a_row(
        app, browser, live_server, seed_url):
    """Ctrl+H pressed while nothing had the focus yet (a fast key after load): Esc still
    leaves the focus on a segment, not on <body> where the keys reach nothing."""
    url, _doc = seed_url
    page = person_page(browser, live_server, app, "tina", "translator")
    page.goto(url)
    page.locator("#segment-list tr.seg").first.wait_for()
    page.evaluate("() => document.activeElement && document.activeElement.blur()")
    open_search(page)
    # No row has the roving tab stop (as after a list swap), and Esc is pressed in the bar.
    page.evaluate("() => document.querySelectorAll('#segment-list tr.seg')"
                  ".forEach(r => r.setAttribute('tabindex', '-1'))")
    page.locator("#replace-with").focus()
    page.keyboard.press("Escape")
    page.wait_for_function("() => document.getElementById('replace-bar').hidden"
                           " && document.activeElement.matches('tr.seg, #filter-q')",
                           timeout=5000)
    page.context.close()
