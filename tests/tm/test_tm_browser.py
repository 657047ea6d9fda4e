"""In Chromium: a TMX import on the memory page shows its progress and finishes on screen."""

from __future__ import annotations

import threading

import pytest
from browser import browser_login, screenshot
from conftest import PASSWORD
from test_memory import tmx_file

pytestmark = pytest.mark.browser


def test_a_tmx_import_polls_its_progress_and_the_pairs_reload_when_it_is_done(
        app, client, live_server, page, tmp_path):
    violations = []
    page.on("console", lambda msg: violations.append(msg.text)
            if "Content Security Policy" in msg.text or "Refused to" in msg.text else None)
    page.on("pageerror", lambda err: violations.append(str(err)))
    path = tmp_path / "greet.tmx"
    path.write_bytes(tmx_file([("Good morning.", "Guten Morgen."), ("Good night.", "Gute Nacht.")]))
    browser_login(page, live_server.url, "ada", PASSWORD)
    page.goto(f"{live_server.url}/tm")
    assert "The memory is empty" in page.locator("#tm-pairs").inner_text()

    # The worker is busy when the page comes back: the import is still queued there, so
    # only its progress fragment, polling, can bring the result to the screen.
    gate = threading.Event()
    app.extensions["webapp.jobs"].executor.submit(gate.wait, 60)
    try:
        page.locator("input[name=file]").set_input_files(str(path))
        page.get_by_role("button", name="Import").click()
        page.wait_for_url("**/tm?job=*")
        job = page.locator("#tm-import-slot .job")
        assert job.get_attribute("hx-trigger") == "load delay:500ms"
        assert "The memory is empty" in page.locator("#tm-pairs").inner_text()
    finally:
        gate.set()

    page.locator("#tm-import-slot .job-done").wait_for(timeout=30_000)
    assert "Imported 2 units" in page.locator("#tm-import-slot").inner_text()
    # "job-finished" (and the import's own "tm-changed") made the table of pairs reload.
    page.locator("#tm-pairs td.num", has_text="2").wait_for(timeout=10_000)
    assert "de-DE" in page.locator("#tm-pairs").inner_text()
    screenshot(page, "tm-import")
    assert violations == []
