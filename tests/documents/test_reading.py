"""The reading view (#14): the corrected article as running text, the changes from the MT
marked and hideable, every comment, a click back to the editor, printable."""

from __future__ import annotations

import io
import re

import pytest
from api_steps import save, segments
from browser import browser_login, screenshot
from conftest import PASSWORD

from webapp.core.text import word_diff

STRAY = "Nordkoreanischer Führer Kim Jong Un Sie könnten"
FIXED = "Der nordkoreanische Machthaber Kim Jong Un könnte"


def import_seed(client, seed_bytes) -> int:
    """Import the seed article in review mode; return its id."""
    resp = client.post("/documents", data={
        "file": (io.BytesIO(seed_bytes), "kim-putin.de.txt"),
        "source_lang": "en", "target_lang": "de", "mode": "review",
    }, content_type="multipart/form-data")
    return int(resp.headers["Location"].rsplit("/", 1)[1])


def comment(client, seg_id: int, text: str) -> None:
    """Add a comment through the API."""
    resp = client.post(f"/api/segments/{seg_id}/comments", json={"text": text})
    assert resp.status_code in (200, 201), resp.get_json()


@pytest.fixture
def seed_doc(client, seed_bytes):
    """The seed article with its stray "Sie" fixed and six comments on that sentence."""
    doc = import_seed(client, seed_bytes)
    seg = next(s for s in segments(client, doc) if STRAY in s["target"])
    save(client, seg, seg["target"].replace(STRAY, FIXED))
    for i in range(1, 7):
        comment(client, seg["id"], f"Kommentar {i}: „Waffengeschäfte“ prüfen – ß, 日本語")
    return doc, seg


def paragraphs_of(html: str) -> list[str]:
    """Return the article's paragraphs as text, markup removed."""
    article = re.search(r'<article class="reading"[^>]*>(.*)</article>', html, re.S).group(1)
    article = re.sub(r'<aside class="threads".*?</aside>', "", article, flags=re.S)
    article = re.sub(r"<del>.*?</del>", "", article, flags=re.S)
    article = re.sub(r'<sup class="note-ref">.*?</sup>', "", article, flags=re.S)
    return [re.sub(r"<[^>]+>", "", p).strip() for p in re.findall(r"<p>(.*?)</p>", article, re.S)]


def test_the_reading_view_is_the_corrected_article_in_its_paragraphs(client, seed_doc, seed_bytes):
    doc, seg = seed_doc
    html = client.get(f"/documents/{doc}/read").get_data(as_text=True)
    assert '<article class="reading" lang="de">' in html
    # The paragraphs of the file, each sentence's corrected text (the deletions left out).
    expected = [" ".join(line.split()) for line in seed_bytes.decode().replace(STRAY, FIXED)
                .splitlines() if line.strip()]
    assert [" ".join(p.split()) for p in paragraphs_of(html)] == expected
    # The change from the MT, word by word, as core.text.word_diff sees it.
    ops = word_diff(seg["mt"], seg["mt"].replace(STRAY, FIXED))
    assert "<del>Sie könnten</del><ins>könnte</ins>" in html.replace("\n", "")
    assert ("delete", "Sie könnten") in ops
    # Every comment of the thread, not the last three; escaped, non-Latin kept.
    for i in range(1, 7):
        assert f"Kommentar {i}: „Waffengeschäfte“ prüfen – ß, 日本語" in html
    assert html.count('class="comment kind-comment"') == 6
    # Each sentence opens its row in the editor.
    assert f'href="/documents/{doc}?goto={seg["index"] + 1}"' in html
    # The editor links to it.
    assert f'href="/documents/{doc}/read"' in client.get(f"/documents/{doc}").get_data(as_text=True)


def test_untranslated_segments_show_the_mt_or_the_source_in_its_language(client):
    resp = client.post("/documents", data={
        "file": (io.BytesIO(b"The first sentence.\nThe <b>second</b> one.\n"), "t.en.txt"),
        "source_lang": "en", "target_lang": "de", "mode": "translate",
    }, content_type="multipart/form-data")
    doc = int(resp.headers["Location"].rsplit("/", 1)[1])
    first, second = segments(client, doc)
    save(client, first, "Der erste Satz.")
    html = client.get(f"/documents/{doc}/read").get_data(as_text=True)
    assert ">Der erste Satz.</a>" in html  # typed, no MT: nothing marked as changed
    untranslated = re.search(r'<a class="sent untranslated"[^>]*>', html).group(0)
    assert 'lang="en"' in untranslated
    assert "The &lt;b&gt;second&lt;/b&gt; one." in html and "<b>second" not in html
    assert "0 sentences changed" in html and "1 not yet translated" in html


def test_reading_a_missing_document_is_404_and_translators_may_read(client, client_as, seed_doc):
    assert client.get("/documents/999/read").status_code == 404
    doc, _ = seed_doc
    assert client_as("translator").get(f"/documents/{doc}/read").status_code == 200


def test_a_long_comment_thread_and_a_long_document_stay_whole(client):
    text = "\n".join(f"Satz Nummer {i} über Waffengeschäfte." for i in range(1, 1001)).encode()
    resp = client.post("/documents", data={
        "file": (io.BytesIO(text), "lang.de.txt"), "source_lang": "en", "target_lang": "de",
        "mode": "review",
    }, content_type="multipart/form-data")
    doc = int(resp.headers["Location"].rsplit("/", 1)[1])
    last = segments(client, doc)[-1]
    for i in range(40):
        comment(client, last["id"], f"Anmerkung {i}")
    html = client.get(f"/documents/{doc}/read").get_data(as_text=True)
    assert len(paragraphs_of(html)) == 1000
    assert html.count('class="comment kind-comment"') == 40


@pytest.mark.browser
def test_changes_hide_a_sentence_opens_in_the_editor_and_print_drops_the_controls(
    client, live_server, page, seed_doc
):
    doc, seg = seed_doc
    browser_login(page, live_server.url, "ada", PASSWORD)
    page.goto(f"{live_server.url}/documents/{doc}")
    page.get_by_role("link", name="Read").click()
    page.wait_for_url(f"**/documents/{doc}/read")
    article = page.locator("article.reading")
    assert article.get_attribute("lang") == "de"
    assert article.evaluate("el => getComputedStyle(el).hyphens") == "auto"
    deleted = article.locator("del", has_text="Sie könnten")
    assert deleted.is_visible()
    screenshot(page, "reading")
    # Hiding the changes leaves the corrected text alone, the insertions unmarked.
    page.get_by_label("Show changes from the MT").uncheck()
    assert not deleted.is_visible()
    inserted = article.locator("ins", has_text="könnte").first
    assert inserted.evaluate("el => getComputedStyle(el).backgroundColor") == "rgba(0, 0, 0, 0)"
    # Print: no navigation, no controls; the article and the comments stay.
    page.emulate_media(media="print")
    assert not page.locator(".topbar").is_visible()
    assert not page.get_by_label("Show changes from the MT").is_visible()
    assert page.locator(".threads").first.is_visible()
    page.emulate_media(media="screen")
    # A sentence opens its segment in the editor.
    article.locator(f"#s-{seg['index'] + 1}").click()
    editing = page.locator(f'tr.seg.editing[data-number="{seg["index"] + 1}"] textarea[name=target]')
    editing.wait_for()
    assert FIXED in editing.input_value()


@pytest.mark.browser
def test_the_reading_view_in_dark_mode_and_on_a_phone(browser, client, live_server, seed_doc):
    doc, _ = seed_doc
    context = browser.new_context(viewport={"width": 390, "height": 844}, has_touch=True,
                                  is_mobile=True, color_scheme="dark", locale="de-DE")
    page = context.new_page()
    browser_login(page, live_server.url, "ada", PASSWORD)
    page.goto(f"{live_server.url}/documents/{doc}/read")
    assert page.evaluate("() => document.documentElement.scrollWidth <= innerWidth "
                         "&& innerWidth === 390")
    colors = page.locator("article.reading p").first.evaluate(
        "el => [getComputedStyle(el).color, getComputedStyle(document.body).backgroundColor]")
    assert colors == ["rgb(227, 231, 235)", "rgb(21, 25, 29)"]  # the dark palette's ink, paper
    screenshot(page, "reading-dark-390")
    context.close()
