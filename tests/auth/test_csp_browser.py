"""The Content-Security-Policy in Debian's Chromium: pages work, and inline script is refused."""

from __future__ import annotations

import io

import pytest
from browser import browser_login, screenshot
from conftest import PASSWORD

pytestmark = pytest.mark.browser


def test_pages_run_under_the_policy_and_an_injected_inline_script_does_not(
    client, live_server, page, seed_bytes
):
    violations = []
    page.on("console", lambda msg: violations.append(msg.text)
            if "Content Security Policy" in msg.text or "Refused to" in msg.text else None)
    page.on("pageerror", lambda err: violations.append(str(err)))
    resp = client.post("/documents", data={
        "file": (io.BytesIO(seed_bytes), "kim-putin.de.txt"),
        "source_lang": "en", "target_lang": "de", "mode": "review",
    }, content_type="multipart/form-data")
    browser_login(page, live_server.url, "ada", PASSWORD)

    page.goto(live_server.url + resp.headers["Location"])
    page.locator("#segment-list tr.seg").first.wait_for()
    # The progress bar's parts get their widths from app.js, not from style attributes.
    part = page.locator("#doc-progress .bar span").first
    assert part.evaluate("el => el.getBoundingClientRect().width") > 0
    # Something htmx swaps in works too: open a segment for editing.
    page.locator("#segment-list tr.seg").first.click()
    page.locator("tr.seg.editing textarea[name=target]").wait_for()
    page.keyboard.press("Escape")

    injected = page.evaluate("""() => {
        const s = document.createElement('script');
        s.textContent = 'window.pwned = true';
        document.body.appendChild(s);
        return window.pwned === true;
    }""")
    assert injected is False
    assert any("inline script" in v.lower() for v in violations), violations
    violations.clear()

    for path in ("/admin/users", "/glossary", "/tm", "/documents", "/account"):
        page.goto(live_server.url + path)
        page.wait_for_load_state("networkidle")
    assert "(this browser)" in page.locator("#sessions").inner_text()
    screenshot(page, "my-account")
    assert violations == []
