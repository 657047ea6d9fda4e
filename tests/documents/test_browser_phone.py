"""Phone and tablet (#14): the editor, the review page and the glossary fit the screen, the
source stands above the target, German is marked for hyphenation, touch has buttons."""

from __future__ import annotations

import io

import pytest
from api_steps import save, segments
from browser import browser_login, screenshot
from conftest import PASSWORD

from webapp.glossary.cli import seed_glossary

pytestmark = pytest.mark.browser

SOURCES = [
    "North Korean leader Kim Jong Un may soon meet President Vladimir Putin to discuss "
    "possible arms deals, a US security official said.",
    "Analysts say Russia's isolation over its war in Ukraine has increased North Korea's value.",
    "Kim first met Putin in 2019 in the Russian city of Vladivostok.",
]
TARGET = ("Nordkoreas Machthaber Kim Jong Un könnte sich bald mit Präsident Wladimir Putin "
          "treffen und mögliche Waffengeschäfte besprechen, sagte ein US-Sicherheitsbeamter.")
NO_SIDEWAYS_SCROLL = "() => [document.documentElement.scrollWidth, window.innerWidth]"


def touch_page(browser, live_server, width: int, height: int = 844):
    """Return a logged-in page on a touch screen of this width (Chromium's mobile emulation)."""
    # English like the other browser tests: the assertions read the English interface (a
    # de-DE browser now gets the German one).
    context = browser.new_context(viewport={"width": width, "height": height}, has_touch=True,
                                  is_mobile=True, locale="en-US")
    page = context.new_page()
    browser_login(page, live_server.url, "ada", PASSWORD)
    return page


def assert_fits(page, width: int) -> None:
    # Mobile Chromium widens the layout viewport to the page: innerWidth must stay the screen's.
    scroll_width, inner_width = page.evaluate(NO_SIDEWAYS_SCROLL)
    assert inner_width == width, f"the page is {inner_width} px wide on a {width} px screen"
    assert scroll_width <= inner_width


@pytest.fixture
def translate_url(client, live_server):
    """Import an English document to translate into German, the first segment translated."""
    resp = client.post("/documents", data={
        "file": (io.BytesIO("\n".join(SOURCES).encode()), "arms.en.txt"),
        "source_lang": "en", "target_lang": "de", "mode": "translate",
    }, content_type="multipart/form-data")
    url = resp.headers["Location"]
    save(client, segments(client, int(url.rsplit("/", 1)[1]))[0], TARGET)
    return live_server.url + url


@pytest.mark.parametrize("width", [390, 768])
def test_editor_fits_a_phone_and_a_tablet_with_the_source_above_the_target(
    browser, live_server, translate_url, width
):
    page = touch_page(browser, live_server, width)
    page.goto(translate_url)
    row = page.locator('tr.seg[data-number="1"]')
    row.wait_for()
    assert_fits(page, width)
    src, tgt = row.locator("td.src"), row.locator("td.tgt")
    src_box, tgt_box = src.bounding_box(), tgt.bounding_box()
    assert src_box["y"] + src_box["height"] <= tgt_box["y"] + 1, "the source is not above"
    # The German column is the screen's width, not a sliver that breaks words anywhere.
    assert tgt_box["width"] >= 0.8 * width
    # Every text cell says its language and lets the browser hyphenate it.
    cells = page.evaluate("""() => Array.from(document.querySelectorAll('td.src, td.tgt'))
        .map(td => [td.className, td.lang, getComputedStyle(td).hyphens])""")
    assert cells and all(h == "auto" for _, _, h in cells)
    assert {(c, lang) for c, lang, _ in cells} == {("src", "en"), ("tgt", "de")}
    # Every navigation link is on the screen.
    for link in page.locator(".topbar nav a").all():
        box = link.bounding_box()
        assert box and 0 <= box["x"] and box["x"] + box["width"] <= width
    # No shortcut footer without a keyboard.
    assert not page.locator("footer.keys").is_visible()
    screenshot(page, f"phone-editor-{width}")
    page.context.close()


def test_a_phone_edits_with_buttons_save_next_and_move(browser, live_server, translate_url):
    page = touch_page(browser, live_server, 390)
    page.goto(translate_url)
    page.locator('tr.seg[data-number="2"] td.tgt').tap()
    editor = page.locator('tr.seg.editing[data-number="2"] textarea[name=target]')
    editor.wait_for()
    assert editor.bounding_box()["width"] >= 300
    assert_fits(page, 390)
    editor.fill("Analysten zufolge hat der Krieg in der Ukraine Nordkoreas Wert erhöht.")
    page.get_by_role("button", name="Save, next").tap()
    # Saved, and the next segment is open, as Ctrl+Enter does.
    page.locator('tr.seg.editing[data-number="3"]').wait_for()
    saved = page.locator('tr.seg[data-number="2"]')
    assert "Translated" in saved.inner_text() and "Nordkoreas Wert" in saved.inner_text()
    # ◂ goes back, keeping nothing unsaved (nothing was typed).
    page.get_by_role("button", name="Previous segment").tap()
    page.locator('tr.seg.editing[data-number="2"]').wait_for()
    page.get_by_role("button", name="Next segment").tap()
    page.locator('tr.seg.editing[data-number="3"]').wait_for()
    assert_fits(page, 390)
    page.context.close()


def test_a_phone_approves_with_a_button_on_the_review_page(browser, live_server, client,
                                                           translate_url):
    for seg in segments(client, int(translate_url.rsplit("/", 1)[1]))[1:]:
        save(client, seg, f"Übersetzung {seg['id']}")
    page = touch_page(browser, live_server, 390)
    page.goto(translate_url + "/review")
    first = page.locator('tr.seg.review[data-number="1"]')
    first.wait_for()
    assert_fits(page, 390)
    assert first.locator("td.tgt").get_attribute("lang") == "de"
    assert not page.locator("footer.keys").is_visible()
    first.get_by_role("button", name="Approve, next").tap()
    page.locator('tr.seg[data-number="1"].st-approved').wait_for()
    page.wait_for_function("() => document.activeElement.dataset.number === '2'")
    screenshot(page, "phone-review-390")
    page.context.close()


def test_the_glossary_fits_a_phone(app, browser, live_server, client):
    with app.app_context():
        seed_glossary()  # the curated glossary: long notes, long German compounds
    page = touch_page(browser, live_server, 390)
    page.goto(live_server.url + "/glossary")
    page.locator("table.glossary").wait_for()
    assert_fits(page, 390)
    langs = page.evaluate("""() => Array.from(document.querySelectorAll('table.glossary tbody td[lang]'))
        .map(td => td.lang)""")
    assert "de" in langs and "en" in langs
    page.context.close()


def test_a_desktop_keeps_the_shortcut_footer_and_no_touch_buttons(page, live_server,
                                                                   translate_url):
    browser_login(page, live_server.url, "ada", PASSWORD)
    page.goto(translate_url)
    assert page.locator("footer.keys").is_visible()
    page.keyboard.press("Enter")
    page.locator("tr.seg.editing textarea[name=target]").wait_for()
    assert not page.locator("button[data-touch]").first.is_visible()
    # Side by side on a wide screen: the source beside the target, not above it.
    row = page.locator('tr.seg[data-number="2"]')
    assert row.locator("td.src").bounding_box()["y"] == row.locator("td.tgt").bounding_box()["y"]
