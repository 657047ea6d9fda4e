"""In Chromium: tag chips in the rows, fuzzy matches in the open segment, Ctrl+1, Ctrl+K."""

from __future__ import annotations

import io

import pytest
from browser import browser_login, screenshot
from conftest import PASSWORD

from webapp.interchange.formats.inline import placeholder

pytestmark = pytest.mark.browser

P = [placeholder(i) for i in range(3)]

XLIFF = """<?xml version="1.0" encoding="UTF-8"?>
<xliff xmlns="urn:oasis:names:tc:xliff:document:1.2" version="1.2">
 <file original="help.html" datatype="html" source-language="en" target-language="de">
  <body>
   <trans-unit id="1"><source>Click <g id="b">Save</g> to keep your changes.</source></trans-unit>
   <trans-unit id="2"><source>Press <x id="br"/>Enter to open the <g id="i">file</g>.</source>
    <target state="translated">Drücken Sie <x id="br"/>Enter, um die <g id="i">Datei</g> zu öffnen.</target>
   </trans-unit>
   <trans-unit id="3" translate="no"><source>ACME Writer</source><target>ACME Writer</target></trans-unit>
  </body>
 </file>
</xliff>""".encode()

MEMORY = """<?xml version="1.0" encoding="UTF-8"?>
<tmx version="1.4"><header srclang="en" creationtool="t" segtype="sentence"/><body>
<tu creationid="lena"><tuv xml:lang="en">
<seg>Click <bpt i="1">&lt;b></bpt>Save<ept i="1">&lt;/b></ept> to keep your work.</seg></tuv>
<tuv xml:lang="de">
<seg>Klicken Sie auf <bpt i="1">&lt;b></bpt>Speichern<ept
 i="1">&lt;/b></ept>, um Ihre Arbeit zu behalten.</seg>
</tuv></tu>
<tu creationid="omar"><tuv xml:lang="en"><seg>Click Save to keep your changes.</seg></tuv>
<tuv xml:lang="de"><seg>Klicken Sie auf Speichern, damit Ihre Änderungen bleiben.</seg></tuv></tu>
</body></tmx>""".encode()


@pytest.fixture
def editor_url(app, client, live_server, page):
    """Fill the memory, import the XLIFF, log the page in and return the editor's URL."""
    resp = client.post("/api/tm/import", data={"file": (io.BytesIO(MEMORY), "help-memory.tmx")},
                       content_type="multipart/form-data")
    app.extensions["webapp.jobs"].wait(resp.get_json()["id"], timeout=60)
    doc = client.post("/api/documents", data={"file": (io.BytesIO(XLIFF), "help.xlf")},
                      content_type="multipart/form-data").get_json()
    browser_login(page, live_server.url, "ada", PASSWORD)
    return f"{live_server.url}/documents/{doc['id']}"


def test_ctrl_1_inserts_the_best_match_with_the_segments_own_tags(client, page, editor_url):
    page.goto(editor_url)
    second = page.locator('tr.seg[data-number="2"]')
    assert second.locator("td.tgt .tag").count() == 3  # ⟨1/⟩, ⟨2⟩, ⟨/2⟩ as chips
    page.keyboard.press("Enter")  # the first row has focus: open it
    box = page.locator("tr.seg.editing textarea[name=target]")
    box.wait_for()
    matches = page.locator("tr.seg.editing .tm-match")
    assert matches.count() == 2
    assert "help-memory.tmx" in matches.first.inner_text()
    assert page.locator("tr.seg.editing .tm-source del").first.inner_text() == "work"
    screenshot(page, "editor-fuzzy-matches-and-tags")

    page.keyboard.press("Control+1")
    assert box.input_value() == "Klicken Sie auf ⟨1⟩Speichern⟨/1⟩, um Ihre Arbeit zu behalten."
    # A tag token goes as a whole: Backspace after ⟨/1⟩ removes all of it.
    box.evaluate("ta => ta.setSelectionRange(ta.value.indexOf(',') , ta.value.indexOf(','))")
    page.keyboard.press("Backspace")
    assert box.input_value() == "Klicken Sie auf ⟨1⟩Speichern, um Ihre Arbeit zu behalten."
    # Alt+2 does the same as Ctrl+2, for browsers that keep Ctrl+digits for their tabs.
    page.keyboard.press("Alt+2")
    assert box.input_value() == "Klicken Sie auf Speichern, damit Ihre Änderungen bleiben."
    page.keyboard.press("Control+1")
    box.evaluate("ta => { ta.value = ta.value.replace('Arbeit', 'Änderungen');"
                 " ta.dispatchEvent(new Event('input')); }")
    page.keyboard.press("Control+Enter")
    page.locator('tr.seg.editing[data-number="2"]').wait_for()
    saved = page.locator('tr.seg[data-number="1"]')
    assert saved.locator(".tag").count() == 4  # source and target, each ⟨1⟩ and ⟨/1⟩
    doc_id = editor_url.rsplit("/", 1)[1]
    stored = client.get(f"/api/documents/{doc_id}/segments?limit=1").get_json()["segments"][0]
    assert stored["target"] == (f"Klicken Sie auf {P[0]}Speichern{P[1]}, um Ihre Änderungen "
                                "zu behalten.")


def test_ctrl_k_searches_the_memory_for_the_selected_words(page, editor_url):
    page.goto(editor_url)
    page.keyboard.press("Enter")
    box = page.locator("tr.seg.editing textarea[name=target]")
    box.wait_for()
    box.fill("keep your")
    box.evaluate("ta => ta.setSelectionRange(0, ta.value.length)")
    page.keyboard.press("Control+k")
    panel = page.locator("#concordance-host .concordance")
    panel.wait_for()
    panel.locator("mark").first.wait_for()
    assert panel.locator(".concordance-hits li").count() == 2
    assert panel.locator("input[name=q]").input_value() == "keep your"
    screenshot(page, "editor-concordance")
    page.keyboard.press("Escape")
    assert page.locator("#concordance-host").is_hidden()


def test_a_locked_unit_opens_read_only(page, editor_url):
    page.goto(editor_url)
    row = page.locator('tr.seg[data-number="3"]')
    assert "Locked" in row.inner_text()
    row.click()
    box = page.locator('tr.seg.editing[data-number="3"] textarea[name=target]')
    box.wait_for()
    assert box.get_attribute("readonly") is not None


def test_the_memory_page_imports_a_tmx_and_shows_its_progress_and_counts(
    client, page, live_server, tmp_path
):
    browser_login(page, live_server.url, "ada", PASSWORD)
    page.goto(live_server.url + "/tm")
    assert "The memory is empty" in page.inner_text("#tm-pairs")
    path = tmp_path / "help-memory.tmx"
    path.write_bytes(MEMORY)
    page.set_input_files("input[type=file][name=file]", str(path))
    page.get_by_role("button", name="Import").click()
    page.locator(".job-done").wait_for()
    assert "Imported 2 units from help-memory.tmx (en→de)" in page.inner_text(".job-done")
    assert page.locator(".job-done progress").get_attribute("value") == "100"
    page.locator("#tm-pairs td.num").wait_for()
    assert page.inner_text("#tm-pairs td.num") == "2"
    page.fill(".concordance input[name=q]", "Save")
    page.locator(".concordance button[type=submit]").click()
    page.locator(".concordance-hits mark").first.wait_for()
    screenshot(page, "memory-page")
