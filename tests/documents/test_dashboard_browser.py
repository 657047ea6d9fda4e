"""The documents dashboard in Debian's Chromium: landing, assigning, due dates, archive, delete."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from browser import browser_login, person_page, screenshot
from conftest import PASSWORD, make_user
from sqlalchemy import select

from webapp.core.db import get_sessionmaker
from webapp.core.models import Change, Document, Segment, utcnow
from webapp.core.states import Action, State

pytestmark = pytest.mark.browser

HOSTILE = "„Umlaute“ 日本語 <script>alert(1)<img src=x onerror=alert(2)>.txt"


def upload(client, name: str, text: str = "Der Vertrag gilt. Er ist neu.\n",
           mode: str = "translate", src: str = "de", tgt: str = "en") -> int:
    """Import a document through the API and return its id."""
    resp = client.post("/api/documents", data={
        "file": (io.BytesIO(text.encode()), name), "source_lang": src, "target_lang": tgt,
        "mode": mode}, content_type="multipart/form-data")
    assert resp.status_code == 201, resp.get_json()
    return resp.get_json()["id"]


def archives(app) -> int:
    """Return how many archive changes the log holds."""
    with get_sessionmaker(app)() as db:
        return len(db.scalars(select(Change).where(Change.action == int(Action.ARCHIVE))).all())


def test_login_lands_on_the_dashboard(page, client, live_server):
    upload(client, "alt.de.txt")
    newest = upload(client, HOSTILE)
    browser_login(page, live_server.url, "ada", PASSWORD)
    assert page.url == live_server.url + "/"
    row = page.locator(f"#doc-{newest}")
    row.wait_for()
    assert HOSTILE in row.inner_text()
    # The hostile name is text: no element came out of it, no dialog opened.
    assert page.locator("#dashboard img").count() == 0
    assert page.locator("#dashboard tr.doc").count() == 2


def test_an_editor_assigns_people_and_a_due_date(browser, live_server, app, client):
    make_user(app, "tom", "translator")
    doc = upload(client, "plan.de.txt")
    page = person_page(browser, live_server, app, "eva", "editor")
    row = page.locator(f"#doc-{doc}")
    row.get_by_role("link", name="Assign").click()
    form = page.locator(f"#doc-{doc} form.plan")
    form.wait_for()
    form.get_by_label("Translator").select_option("tom")
    form.get_by_label("Editor").select_option("eva")
    overdue = (utcnow().date() - timedelta(days=2)).isoformat()
    form.get_by_label("Due").fill(overdue)
    page.locator(f"#doc-{doc}").get_by_role("button", name="Save").click()
    page.wait_for_function(f"() => !document.querySelector('#doc-{doc}.planning')")
    text = page.locator(f"#doc-{doc}").inner_text()
    # Esc closes a form opened again, keeping what was saved.
    page.locator(f"#doc-{doc}").get_by_role("link", name="Assign").click()
    page.wait_for_function("() => document.activeElement.name === 'translator'")
    page.keyboard.press("Escape")
    page.wait_for_function(f"() => !document.querySelector('#doc-{doc}.planning')")
    assert "tom" in text and "eva" in text and "2 days overdue" in text
    page.reload()
    # Assigned to eva as editor: among her documents now, still overdue.
    assert page.locator("tbody.group-1 tr.group").text_content().strip().startswith("My documents")
    assert "2 days overdue" in page.locator(f"#doc-{doc} td.due").inner_text()
    page.context.close()


def test_a_bad_date_typed_in_the_form_gets_a_message(browser, live_server, app, client):
    doc = upload(client, "datum.de.txt")
    page = person_page(browser, live_server, app, "eva", "editor")
    page.locator(f"#doc-{doc}").get_by_role("link", name="Assign").click()
    due = page.locator(f"#doc-{doc} input[name=due_date]")
    due.wait_for()
    # A date input cannot hold a bad date; a script (or an old browser) can send one.
    due.evaluate("el => { el.type = 'text'; el.value = '31.12.2026'; }")
    page.locator(f"#doc-{doc}").get_by_role("button", name="Save").click()
    page.locator(f"#doc-{doc} [role=alert]").wait_for()
    assert "YYYY-MM-DD" in page.locator(f"#doc-{doc} [role=alert]").inner_text()
    page.context.close()


def test_archive_then_undo(page, client, live_server, app):
    doc = upload(client, HOSTILE)
    browser_login(page, live_server.url, "ada", PASSWORD)
    page.locator(f"#doc-{doc}").get_by_role("button", name="Archive").click()
    notice = page.locator(f"#doc-{doc}.doc-notice")
    notice.wait_for()
    assert "is archived" in notice.inner_text() and HOSTILE in notice.inner_text()
    assert page.locator("#archived-toggle").inner_text() == "Show archived (1)"
    # The Undo has the keyboard: Enter brings the document back.
    page.wait_for_function("() => document.activeElement.textContent.trim() === 'Undo'")
    page.keyboard.press("Enter")
    page.locator(f"#doc-{doc}.doc").wait_for()
    assert page.locator("#archived-toggle").inner_text() == "Show archived (0)"
    page.reload()
    assert page.locator(f"#doc-{doc}.doc").count() == 1
    page.locator(f"#doc-{doc}").get_by_role("button", name="Archive").click()
    page.locator(f"#doc-{doc}.doc-notice").wait_for()
    page.reload()
    assert page.locator(f"#doc-{doc}").count() == 0
    assert archives(app) == 2


def test_an_admin_deletes_an_archived_document_after_confirming(page, client, live_server, app):
    doc = upload(client, "falsch.de.txt")
    keep = upload(client, "richtig.de.txt")
    client.patch(f"/api/documents/{doc}", json={"archived": True})
    browser_login(page, live_server.url, "ada", PASSWORD)
    page.locator("#archived-toggle").click()
    page.wait_for_url("**/?archived=1")
    row = page.locator(f"#doc-{doc}")
    row.get_by_role("link", name="Delete…").click()
    confirm = page.locator(f"#doc-{doc}.doc-confirm")
    confirm.wait_for()
    assert "cannot be undone" in confirm.inner_text()
    # Cancel has the keyboard, not the delete: Enter cancels and nothing happens.
    page.wait_for_function("() => document.activeElement.textContent.trim() === 'Cancel'")
    page.keyboard.press("Enter")
    page.locator(f"#doc-{doc}.doc").wait_for()
    page.locator(f"#doc-{doc}").get_by_role("link", name="Delete…").click()
    page.locator(f"#doc-{doc}.doc-confirm").get_by_role("button", name="Delete for good").click()
    page.get_by_text("„falsch.de.txt“ and its 2 segments are deleted.").wait_for()
    page.reload()
    assert page.locator(f"#doc-{doc}").count() == 0 and page.locator(f"#doc-{keep}").count() == 1
    with get_sessionmaker(app)() as db:
        assert db.get(Document, doc) is None


def test_two_tabs_archiving_at_once(browser, live_server, app, client):
    doc = upload(client, "doppelt.de.txt")
    first = person_page(browser, live_server, app, "eva", "editor")
    second = first.context.new_page()
    second.goto(live_server.url + "/")
    for tab in (first, second):
        tab.locator(f"#doc-{doc}").get_by_role("button", name="Archive").click()
    for tab in (first, second):
        tab.locator(f"#doc-{doc}.doc-notice").wait_for()
        assert "is archived" in tab.locator(f"#doc-{doc}").inner_text()
    assert archives(app) == 1
    first.context.close()


def test_the_dashboard_with_the_seed_and_documents_in_every_state(
        page, client, live_server, app, seed_bytes):
    make_user(app, "tom", "translator")
    make_user(app, "eva", "editor")
    seed = upload(client, "kim-putin.de.txt", seed_bytes.decode(), "review", "en", "de")
    plans = [("Pressemitteilung Q3.txt", "tom", "eva", 5, State.TRANSLATED, 0.6),
             ("Vertrag „Nordstream“ – Anhang B.txt", "ada", "eva", -3, State.MT, 0.3),
             ("Handbuch Kapitel 7.txt", "tom", None, None, State.APPROVED, 1.0),
             ("Alte Fassung (falsch).txt", None, None, None, State.NEW, 0.0)]
    text = " ".join(f"Dies ist Satz {i} des Dokuments mit einigen Wörtern." for i in range(30))
    with get_sessionmaker(app)() as db:
        db.get(Document, seed).translator = "ada"
        db.get(Document, seed).due_date = utcnow().date() + timedelta(days=1)
        db.commit()
    for name, translator, editor, days, state, share in plans:
        doc = upload(client, name, text)
        with get_sessionmaker(app)() as db:
            row = db.get(Document, doc)
            row.translator, row.editor = translator, editor
            row.due_date = utcnow().date() + timedelta(days=days) if days is not None else None
            segs = db.scalars(select(Segment).where(Segment.document_id == doc)
                              .order_by(Segment.position)).all()
            for seg in segs[:int(len(segs) * share)]:
                seg.target, seg.state, seg.updated_by = "Done.", int(state), translator or "ada"
            if state == State.TRANSLATED:
                segs[-1].state = int(State.REJECTED)
            db.commit()
    client.patch(f"/api/documents/{doc}", json={"archived": True})
    browser_login(page, live_server.url, "ada", PASSWORD)
    page.locator("#dashboard").wait_for()
    # The figures of a column share one right edge, whatever their width.
    edges = page.eval_on_selector_all(
        "#dashboard td[data-state=approved]",
        "cells => cells.map(c => Math.round(c.getBoundingClientRect().right))")
    assert len(edges) == 4 and len(set(edges)) == 1
    assert page.locator("#dashboard tr.doc").count() == 4
    screenshot(page, "dashboard")
    page.locator(f"#doc-{seed}").get_by_role("link", name="Assign").click()
    page.locator(f"#doc-{seed} form.plan").wait_for()
    screenshot(page, "dashboard-assign")
    page.keyboard.press("Escape")
    page.locator("#archived-toggle").click()
    page.wait_for_url("**/?archived=1")
    screenshot(page, "dashboard-archived")
    page.emulate_media(color_scheme="dark")
    screenshot(page, "dashboard-dark")
