"""A dark page for a dark desktop, and an icon for the tab."""

from __future__ import annotations

import io

import pytest
from browser import browser_login, screenshot
from conftest import PASSWORD, make_user

LUMINANCE = """(sel) => {
  const el = document.querySelector(sel);
  const c = getComputedStyle(el).backgroundColor.match(/[0-9.]+/g).map(Number);
  return (0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2]) / 255;
}"""


def test_favicon_ico_answers_and_the_pages_link_an_icon(anon_client, client):
    resp = anon_client.get("/favicon.ico")
    assert resp.status_code in (200, 301, 302, 308)
    if resp.status_code != 200:
        target = anon_client.get(resp.headers["Location"])
        assert target.status_code == 200 and b"<svg" in target.data
        target.close()
    resp.close()
    page = client.get("/documents").get_data(as_text=True)
    assert 'rel="icon"' in page and "favicon.svg" in page


@pytest.mark.browser
def test_a_dark_desktop_gets_a_dark_editor(app, browser, live_server, client):
    resp = client.post("/documents", data={
        "file": (io.BytesIO(b"Kim traf Putin.\nNordkorea schwieg.\n"), "kurz.de.txt"),
        "source_lang": "en", "target_lang": "de", "mode": "review",
    }, content_type="multipart/form-data")
    url = live_server.url + resp.headers["Location"]
    make_user(app, "tina", "translator")
    for scheme, dark in (("dark", True), ("light", False)):
        context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="en-US",
                                      color_scheme=scheme)
        page = context.new_page()
        browser_login(page, live_server.url, "tina", PASSWORD)
        page.goto(url)
        page.locator("tr.seg").first.wait_for()
        body, table = (page.evaluate(LUMINANCE, sel) for sel in ("body", "table.segments"))
        ink = page.evaluate("() => getComputedStyle(document.body).color")
        if dark:
            assert body < 0.2 and table < 0.2, (body, table)
            assert ink != "rgb(31, 35, 40)"
            screenshot(page, "editor-dark")
        else:
            assert body > 0.8 and table > 0.8
        icon = page.evaluate("() => fetch('/favicon.ico')"
                             ".then(r => r.status + ' ' + r.headers.get('content-type'))")
        assert icon.startswith("200 image/svg")
        context.close()
