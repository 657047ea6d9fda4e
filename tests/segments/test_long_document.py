"""A book-length document in Chromium: the page holds one page of rows, wherever you jump."""

from __future__ import annotations

import pytest
from browser import browser_login, screenshot
from conftest import PASSWORD
from sqlalchemy import update

from webapp.core.db import get_sessionmaker
from webapp.core.models import Segment
from webapp.core.states import State
from webapp.documents import importing, queries

pytestmark = pytest.mark.browser

SEGMENTS = 10_000
DONE = 7_600  # segments 1–7,600 translated, so the next untranslated after 7,500 is 7,601
MOST_ROWS = 300


@pytest.fixture
def long_doc(app, client) -> int:
    """Store a 10,000-segment document, its first 7,600 segments translated; return its id."""
    text = "\n\n".join(f"Das ist Satz Nummer {i + 1} des langen Dokuments." for i in
                       range(SEGMENTS)).encode()
    with get_sessionmaker(app)() as db:
        doc = importing.import_text(db, text, "buch.de.txt", "de", "en", "translate",
                                    max_bytes=len(text) + 1, author="ada")
        db.execute(update(Segment).where(Segment.document_id == doc.id,
                                         Segment.position < DONE)
                   .values(target="This is a sentence.", state=int(State.TRANSLATED),
                           version=1))
        db.commit()
        assert queries.count_segments(db, doc.id) == SEGMENTS
        return doc.id


def row_count(page) -> int:
    """Return how many segment rows the page holds right now."""
    return page.locator("#segment-list tr.seg").count()


def test_paging_go_to_and_next_untranslated_keep_the_page_to_a_few_hundred_rows(
        page, live_server, long_doc):
    browser_login(page, live_server.url, "ada", PASSWORD)
    page.goto(f"{live_server.url}/documents/{long_doc}")
    page.locator('tr.seg[data-number="1"]').wait_for()
    assert 0 < row_count(page) <= MOST_ROWS
    assert f"of {SEGMENTS:,}" in page.locator("nav.pager").first.inner_text()  # 10,000

    page.get_by_label("Go to #").fill("7500")
    page.get_by_label("Go to #").press("Enter")
    row = page.locator('tr.seg[data-number="7500"]')
    row.wait_for()
    assert row_count(page) <= MOST_ROWS
    screenshot(page, "long-document-goto-7500")

    row.focus()
    page.keyboard.press("Alt+n")
    page.locator('tr.seg[data-number="7601"]').wait_for()
    assert row_count(page) <= MOST_ROWS
    assert page.locator('tr.seg[data-number="1"]').count() == 0


def test_rows_arrive_a_screenful_at_a_time_as_the_translator_scrolls_or_moves_on(
        page, live_server, long_doc, app):
    first, size = app.config["FIRST_ROWS"], app.config["PAGE_SIZE"]
    browser_login(page, live_server.url, "ada", PASSWORD)
    page.goto(f"{live_server.url}/documents/{long_doc}?goto=7500")
    page.locator('tr.seg.editing[data-number="7500"]').wait_for()  # "go to" opens it
    page.keyboard.press("Escape")
    page.wait_for_load_state("networkidle")
    numbers = [int(n) for n in page.locator("#segment-list tr.seg").evaluate_all(
        "rows => rows.map(r => r.dataset.number)")]
    # The first screen, and whatever more rows the screen showed at once, in order.
    assert numbers[:first] == list(range(7491, 7491 + first))
    assert numbers == list(range(7491, 7491 + len(numbers))) and len(numbers) < size

    # The keyboard moves past the rows that are here: the next ones load, the row opens.
    last = numbers[-1]
    page.locator(f'tr.seg[data-number="{last}"]').click()
    editing = page.locator("tr.seg.editing textarea[name=target]")
    editing.fill("Ein neuer Satz am Ende der geladenen Zeilen.")
    editing.press("Control+Enter")
    page.locator(f'tr.seg.editing[data-number="{last + 1}"]').wait_for()
    page.keyboard.press("Escape")

    # Scrolling to the end of the page loads the rest of it, never more than a page.
    scroll_to_more = """() => { const more = document.getElementById("seg-more");
                                 if (more) more.scrollIntoView(); return Boolean(more); }"""
    for _ in range(size):
        if not page.evaluate(scroll_to_more):
            break
        page.wait_for_timeout(50)
    assert page.locator("#seg-more").count() == 0
    numbers = [int(n) for n in page.locator("#segment-list tr.seg").evaluate_all(
        "rows => rows.map(r => r.dataset.number)")]
    assert numbers == list(range(7491, 7491 + size))
    assert page.locator(".pager a[rel=next]").first.get_attribute("href").endswith(
        f"offset={7490 + size}")
    screenshot(page, "long-document-scrolled-to-page-end")
