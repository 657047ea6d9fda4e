"""What the JavaScript writes goes through the catalogue too: the editor in the pseudo-locale."""

from __future__ import annotations

import io

import pytest
from browser import browser_login, screenshot  # noqa: F401  (fixtures)
from conftest import PASSWORD, make_user
from i18n_check import ARTICLE, untranslated_in_page


@pytest.fixture
def cyrillic_doc(client, live_server):
    """A review document in Cyrillic (data the check never takes for interface English)."""
    resp = client.post("/documents", data={
        "file": (io.BytesIO(ARTICLE.encode()), "статья.de.txt"), "source_lang": "en",
        "target_lang": "de", "mode": "review"}, content_type="multipart/form-data")
    return live_server.url + resp.headers["Location"]


def assert_all_through_catalogue(page, state: str) -> None:
    """Fail, with a screenshot, when the page shows text outside ⟦…⟧."""
    found = untranslated_in_page(page, titles=("статья.de.txt",))
    if found:
        screenshot(page, f"pseudo-{state}")
    assert not found, f"{state}: text that skipped the catalogue:\n" + "\n".join(found)


def test_the_editor_in_the_pseudo_locale(browser, live_server, app, cyrillic_doc):
    """Open, type, save with a QA warning, list the shortcuts: all text is ⟦…⟧."""
    app.config["I18N_PSEUDO"] = True
    make_user(app, "pia", "translator")
    context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="en-US")
    page = context.new_page()
    browser_login(page, live_server.url, "pia", PASSWORD)
    page.goto(cyrillic_doc)
    page.wait_for_load_state("networkidle")
    assert_all_through_catalogue(page, "editor")
    page.keyboard.press("Enter")
    box = page.locator("tr.seg.editing textarea[name=target]")
    box.wait_for()
    box.fill("Ким  Ким встретился")
    page.wait_for_timeout(400)
    assert_all_through_catalogue(page, "editing")
    page.keyboard.press("Control+Enter")
    page.locator('tr.seg[data-number="1"][data-version="2"]:not(.editing)').wait_for()
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(300)
    assert_all_through_catalogue(page, "saved")
    page.keyboard.press("Escape")
    page.keyboard.press("?")
    page.wait_for_timeout(300)
    assert_all_through_catalogue(page, "shortcuts")
    screenshot(page, "pseudo-editor")
    context.close()
