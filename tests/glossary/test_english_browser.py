"""In Chromium: the seed's English column of source terms, and the dictionary panel opened
from the keyboard on the word at the cursor, by Alt+click, and from a term."""

from __future__ import annotations

import io

import pytest
from browser import person_page, screenshot
from conftest import SEED

pytestmark = pytest.mark.browser


@pytest.fixture
def seed_url(client, live_server):
    """Import the seed article for review and return its editor URL (every row at once)."""
    resp = client.post("/documents", data={
        "file": (io.BytesIO(SEED.read_bytes()), "kim-putin.de.txt"), "source_lang": "en",
        "target_lang": "de", "mode": "review"}, content_type="multipart/form-data")
    return live_server.url + resp.headers["Location"] + "?rows=100"


def test_the_seed_shows_english_terms_beside_the_german(app, browser, live_server, seed_url):
    page = person_page(browser, live_server, app, "tina", "translator")
    page.goto(seed_url)
    head = page.locator("table.segments th").nth(1)
    assert head.inner_text() == "EN source terms (glossary)"
    row = page.locator('tr.seg[data-number="3"]')
    column = row.locator("td.src")
    assert column.locator("li.src-term .en").all_inner_texts()[:3] == [
        "Kim Jong Un", "Vladimir Putin", "arms deal | weapons deal"]
    assert column.locator("li.src-term.dnt .keep").first.is_visible()
    # The column sits beside the German, level with it, not under it.
    src, tgt = column.bounding_box(), row.locator("td.tgt").bounding_box()
    assert src["x"] + src["width"] <= tgt["x"] + 1 and abs(src["y"] - tgt["y"]) < 2
    assert row.locator(".seg-terms").count() == 0
    # A long note stays on one line until the segment is opened.
    note = column.locator(".note").first
    assert note.bounding_box()["height"] < 20 and note.get_attribute("title").startswith(
        "North Korea's leader.")
    # One quiet line, no commands, for a translator.
    assert page.locator("#mt-missing").inner_text() == (
        "No back-translation: no de→en model is installed.")
    assert "argospm" not in page.content()
    screenshot(page, "english-column-seed")
    page.context.close()


def test_the_dictionary_looks_up_the_word_at_the_cursor(app, browser, live_server, seed_url):
    page = person_page(browser, live_server, app, "tina", "translator")
    page.goto(seed_url)
    row = page.locator('tr.seg[data-number="3"]')
    row.click()
    box = page.locator("tr.seg.editing textarea[name=target]")
    box.wait_for()
    # The cursor inside "Waffengeschäfte", nothing selected; Ctrl+D looks the word up.
    box.evaluate("""ta => { const i = ta.value.indexOf('Waffengeschäfte') + 4;
                            ta.focus(); ta.setSelectionRange(i, i); }""")
    page.keyboard.press("Control+d")
    panel = page.locator("#dict-panel")
    panel.locator(".dict-word").wait_for()
    assert panel.locator(".dict-word").inner_text() == "Waffengeschäfte"
    assert "arms deal | weapons deal" in panel.locator(".dict-glossary").inner_text()
    assert "arms deal" in panel.locator(".dict-freedict").inner_text()
    # The translator keeps typing where they were.
    assert page.evaluate("() => document.activeElement.name") == "target"
    # The panel takes its own room: the segment table is not under it.
    table, aside = page.locator("table.segments").bounding_box(), panel.bounding_box()
    assert table["x"] + table["width"] <= aside["x"] + 1
    screenshot(page, "dictionary-panel")

    # Alt+D on an inflected word: its base form, from the real FreeDict data.
    box.evaluate("""ta => { const i = ta.value.indexOf('Beziehungen') + 2;
                            ta.setSelectionRange(i, i); }""")
    page.keyboard.press("Alt+d")
    page.wait_for_function("() => document.querySelector('#dict-panel .dict-word')"
                           ".textContent === 'Beziehungen'")
    assert "relationship" in panel.locator(".dict-freedict").inner_text()

    # A term of the English column, clicked, is looked up without opening its segment.
    other = page.locator('tr.seg[data-number="4"]')
    other.locator('[data-lookup="Nordkorea"]').click()
    page.wait_for_function("() => document.querySelector('#dict-panel .dict-word')"
                           ".textContent === 'Nordkorea'")
    assert "North Korea | DPRK" in panel.locator(".dict-glossary").inner_text()
    assert not other.evaluate("r => r.classList.contains('editing')")

    # Alt+click on any German word of a row, again without opening it.
    word = other.locator("td.tgt")
    word.click(modifiers=["Alt"], position={"x": 30, "y": 8})
    page.wait_for_function("() => document.querySelector('#dict-panel .dict-word')"
                           ".textContent === 'Analysten'")
    assert "analysts" in panel.locator(".dict-freedict").inner_text()
    assert not other.evaluate("r => r.classList.contains('editing')")

    # A hit fills the proposal form; a translator proposes, an admin decides later.
    panel.locator('button.use-en[data-en="analyst"]').first.click()
    form = panel.locator("form.dict-term")
    assert form.locator("input[name=terms_de]").input_value() == "Analyst"
    form.locator("button[type=submit]").click()
    page.wait_for_function("() => document.querySelector('#dict-panel form.dict-term "
                           ".message.ok') !== null")
    assert "Proposed “Analyst”" in form.inner_text()

    # Esc in the panel closes it and gives the focus back.
    panel.locator("#dict-q").focus()
    page.keyboard.press("Escape")
    page.wait_for_function("() => document.getElementById('dict-panel').hidden")
    page.context.close()

    # The admin finds it on the glossary page and accepts it.
    admin = person_page(browser, live_server, app, "ann", "admin")
    admin.goto(live_server.url + "/glossary#proposals")
    proposal = admin.locator("#proposals tbody tr", has_text="Analyst")
    assert "tina" in proposal.inner_text()
    screenshot(admin, "glossary-proposals")
    proposal.get_by_role("button", name="Accept").click()
    admin.locator(".message.ok", has_text="Accepted “Analyst” from tina.").wait_for()
    admin.context.close()


def test_the_shortcut_list_names_the_dictionary_key(app, browser, live_server, doc_url):
    page = person_page(browser, live_server, app, "tina", "translator")
    page.goto(doc_url)
    page.keyboard.press("?")
    dialog = page.locator("#shortcuts")
    dialog.wait_for()
    assert "dictionary: look up the word at the cursor" in dialog.inner_text()
    page.context.close()


def test_opening_the_dictionary_keeps_the_edited_row_in_view(app, browser, live_server,
                                                             seed_url):
    page = person_page(browser, live_server, app, "tina", "translator")
    page.goto(seed_url)
    page.locator('tr.seg[data-number="9"]').click()
    box = page.locator("tr.seg.editing textarea[name=target]")
    box.wait_for()
    # The row sits just above the shortcut footer; the panel narrows the table and the
    # row grows taller, past the footer, unless the page follows it.
    page.evaluate("""() => { const r = document.querySelector('tr.seg.editing');
        const f = document.querySelector('footer.keys').getBoundingClientRect();
        window.scrollBy(0, r.getBoundingClientRect().bottom - f.top + 4); }""")
    box.evaluate("ta => { ta.focus(); ta.setSelectionRange(10, 10); }")
    page.keyboard.press("Control+d")
    page.locator("#dict-panel .dict-word").wait_for()
    page.wait_for_function("""() => {
        const r = document.querySelector('tr.seg.editing').getBoundingClientRect();
        const f = document.querySelector('footer.keys').getBoundingClientRect();
        return r.bottom <= f.top + 1; }""", timeout=5000)
    page.context.close()
