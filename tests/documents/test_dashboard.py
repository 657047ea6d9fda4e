"""The documents dashboard: the landing page, people, due dates, archive and delete, page and API."""

from __future__ import annotations

import html
import io
import re
import threading
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from webapp.core.db import get_sessionmaker
from webapp.core.models import Change, Document, Segment, utcnow
from webapp.core.states import Action

# No slash: an upload's name is cut to what follows the last one.
HOSTILE = "„Umlaute“ 日本語 <script>alert(1)<img src=x onerror=alert(2)> & Co.txt"


def upload(client, name: str = "vertrag.de.txt", text: str = "Der Vertrag gilt. Er ist neu.\n",
           mode: str = "translate") -> int:
    """Import a document through the API and return its id."""
    resp = client.post("/api/documents", data={
        "file": (io.BytesIO(text.encode()), name), "source_lang": "de", "target_lang": "en",
        "mode": mode}, content_type="multipart/form-data")
    assert resp.status_code == 201, resp.get_json()
    return resp.get_json()["id"]


def changes(app, action: Action) -> list[Change]:
    """Return the change-log rows of one kind."""
    with get_sessionmaker(app)() as db:
        return list(db.scalars(select(Change).where(Change.action == int(action))))


def row_html(html: str, doc_id: int) -> str:
    """Return one document's row of the dashboard page."""
    found = re.search(rf'<tr id="doc-{doc_id}".*?</tr>', html, re.S)
    assert found, f"no row for document {doc_id}"
    return found[0]


@pytest.fixture
def editor(client_as):
    """Return a client logged in as the editor eva."""
    return client_as("editor", "eva")


@pytest.fixture
def translator(client_as):
    """Return a client logged in as the translator tom."""
    return client_as("translator", "tom")


# --- the landing page ---------------------------------------------------------------------

def test_the_first_page_is_the_dashboard_not_the_newest_document(client):
    upload(client, "alt.de.txt")
    newest = upload(client, "neu.de.txt")
    resp = client.get("/")
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    assert "neu.de.txt" in html and "alt.de.txt" in html
    assert f'href="/documents/{newest}"' in html


def test_each_row_shows_progress_by_state_in_segments_and_words(client):
    doc = upload(client, text="Eins zwei drei. Vier fünf.\n\nSechs.\n", mode="review")
    seg = client.get(f"/api/documents/{doc}/segments").get_json()["segments"][0]
    client.put(f"/api/segments/{seg['id']}", json={"target": "One two three.", "version": 1})
    row = row_html(client.get("/").get_data(as_text=True), doc)
    cells = dict(re.findall(r'data-state="(\w+)">(.*?)</td>', row, re.S))
    assert cells["translated"].startswith("1<span class=\"w\">3 w")
    assert cells["mt"].startswith("2<span class=\"w\">3 w")
    assert cells["approved"] == "–"
    assert "50 %" in row and 'data-share="50.0"' in row
    assert "3<span class=\"w\">6 w" in row  # the total


def test_my_documents_come_first(app, client, translator):
    theirs = upload(client, "fremd.de.txt")
    mine = upload(client, "meins.de.txt")
    client.patch(f"/api/documents/{theirs}", json={"translator": "ada"})
    html = translator.get("/").get_data(as_text=True)
    assert "My documents" not in html
    client.patch(f"/api/documents/{mine}", json={"translator": "tom"})
    html = translator.get("/").get_data(as_text=True)
    assert html.index("My documents") < html.index(f'id="doc-{mine}"') \
        < html.index("Other documents") < html.index(f'id="doc-{theirs}"')
    listed = [d["id"] for d in translator.get("/api/documents").get_json()]
    assert listed == [mine, theirs]


def test_a_hostile_name_is_shown_as_text(client):
    doc = upload(client, HOSTILE)
    html = client.get("/").get_data(as_text=True)
    row = row_html(html, doc)
    assert "<script>alert(1)" not in html and "<img src=x" not in row
    assert "„Umlaute“ 日本語 &lt;script&gt;alert(1)&lt;img src=x" in row


def test_two_hundred_documents_are_listed_in_one_page(app, client):
    with get_sessionmaker(app)() as db:
        for i in range(200):
            db.add(Document(name=f"Dokument {i:03d}.txt", source_lang="de", target_lang="en"))
        db.commit()
    html = client.get("/").get_data(as_text=True)
    assert html.count('<tr id="doc-') == 200
    assert "200 documents" in html


# --- people and due dates -------------------------------------------------------------------

def test_an_editor_assigns_people_and_a_due_date_through_the_row_form(app, editor, translator):
    doc = upload(editor)
    form = editor.get(f"/documents/{doc}/row?mode=edit", headers={"HX-Request": "true"})
    assert 'name="translator"' in form.get_data(as_text=True)
    resp = editor.post(f"/documents/{doc}/plan", headers={"HX-Request": "true"}, data={
        "translator": "tom", "editor": "eva", "due_date": "2030-05-01"})
    assert resp.status_code == 200
    row = resp.get_data(as_text=True)
    assert ">tom<" in row and ">eva<" in row and 'datetime="2030-05-01"' in row
    logged = changes(app, Action.ASSIGN)
    assert len(logged) == 1 and logged[0].details["after"] == {"translator": "tom",
                                                               "editor": "eva"}
    assert changes(app, Action.DUE_DATE)[0].details["after"] == "2030-05-01"
    # Saving the same again logs nothing new.
    editor.post(f"/documents/{doc}/plan", headers={"HX-Request": "true"}, data={
        "translator": "tom", "editor": "eva", "due_date": "2030-05-01"})
    assert len(changes(app, Action.ASSIGN)) == 1 and len(changes(app, Action.DUE_DATE)) == 1


@pytest.mark.parametrize("form, words", [
    ({"translator": "nobody"}, "no active user called 'nobody'"),
    ({"editor": "tom"}, "tom is a translator; the editor needs the editor role"),
    ({"due_date": "31.12.2026"}, "is not a date; give it as YYYY-MM-DD"),
    ({"due_date": "0026-12-31"}, "not a plausible due date"),
    ({"due_date": "2026-02-30"}, "is not a date"),
    ({"translator": "tom", "due_date": "morgen"}, "is not a date"),
])
def test_bad_people_or_dates_are_refused_and_change_nothing(app, editor, translator, form, words):
    doc = upload(editor)
    resp = editor.post(f"/documents/{doc}/plan", headers={"HX-Request": "true"}, data=form)
    assert resp.status_code == 422
    assert words in html.unescape(resp.get_data(as_text=True))
    with get_sessionmaker(app)() as db:
        stored = db.get(Document, doc)
        assert (stored.translator, stored.editor, stored.due_date) == (None, None, None)
    assert not changes(app, Action.ASSIGN) and not changes(app, Action.DUE_DATE)


def test_a_translator_may_not_assign(translator, client):
    doc = upload(client)
    assert translator.post(f"/documents/{doc}/plan", data={"translator": "tom"}).status_code == 403
    resp = translator.patch(f"/api/documents/{doc}", json={"due_date": "2030-01-01"})
    assert resp.status_code == 403 and "editor" in resp.get_json()["message"]
    assert "Assign</a>" not in translator.get("/").get_data(as_text=True)


def test_overdue_is_said_in_words_not_by_colour_alone(app, client):
    doc = upload(client)
    done = upload(client, "fertig.de.txt")
    with get_sessionmaker(app)() as db:
        db.get(Document, doc).due_date = utcnow().date() - timedelta(days=3)
        db.get(Document, done).due_date = utcnow().date() - timedelta(days=3)
        for seg in db.scalars(select(Segment).where(Segment.document_id == done)):
            seg.target, seg.state = "Done.", 20
        db.commit()
    html = client.get("/").get_data(as_text=True)
    assert "3 days overdue" in row_html(html, doc) and "⚠" in row_html(html, doc)
    assert "overdue" not in row_html(html, done) and ">done<" in row_html(html, done)
    assert "1 overdue" in html
    data = {d["id"]: d for d in client.get("/api/documents").get_json()}
    assert data[doc]["overdue"] is True and data[done]["overdue"] is False


# --- archive, undo, delete ------------------------------------------------------------------

def test_archive_hides_the_document_and_undo_brings_it_back(app, editor):
    doc = upload(editor, HOSTILE)
    resp = editor.post(f"/documents/{doc}/archive", headers={"HX-Request": "true"})
    assert resp.status_code == 200
    notice = resp.get_data(as_text=True)
    assert "is archived" in notice and "Undo" in notice and "<script>alert" not in notice
    assert 'id="archived-toggle"' in notice and "Show archived (1)" in notice
    assert f'id="doc-{doc}"' not in editor.get("/").get_data(as_text=True)
    assert f'id="doc-{doc}"' in editor.get("/?archived=1").get_data(as_text=True)
    assert editor.get("/api/documents").get_json() == []
    undone = editor.post(f"/documents/{doc}/unarchive", headers={"HX-Request": "true"})
    assert undone.status_code == 200 and "Archive</button>" in undone.get_data(as_text=True)
    assert f'id="doc-{doc}"' in editor.get("/").get_data(as_text=True)
    assert [c.details["name"] for c in changes(app, Action.ARCHIVE)] == [HOSTILE]
    assert len(changes(app, Action.UNARCHIVE)) == 1


def test_without_javascript_archive_redirects_to_an_undo_notice(editor):
    doc = upload(editor)
    resp = editor.post(f"/documents/{doc}/archive")
    assert resp.status_code == 303 and resp.headers["Location"] == f"/?undo={doc}"
    page = editor.get(resp.headers["Location"]).get_data(as_text=True)
    assert "„vertrag.de.txt“ is archived" in page
    assert f'action="/documents/{doc}/unarchive"' in page


def test_two_tabs_archiving_at_once_archive_once(app, editor):
    doc = upload(editor)
    answers = []

    def archive():
        answers.append(editor.post(f"/documents/{doc}/archive",
                                   headers={"HX-Request": "true"}).status_code)

    tabs = [threading.Thread(target=archive) for _ in range(2)]
    for t in tabs:
        t.start()
    for t in tabs:
        t.join()
    assert answers == [200, 200]
    assert len(changes(app, Action.ARCHIVE)) == 1


def test_a_translator_archives_only_what_they_imported(client, translator):
    theirs = upload(client)
    own = upload(translator, "eigen.de.txt")
    assert translator.post(f"/documents/{theirs}/archive").status_code == 403
    assert translator.post(f"/documents/{own}/archive").status_code == 303


def test_only_an_admin_deletes_and_only_an_archived_document(app, client, editor):
    doc = upload(client, HOSTILE)
    other = upload(client, "bleibt.de.txt")
    refused = client.delete(f"/api/documents/{doc}")
    assert refused.status_code == 409 and "archive it first" in refused.get_json()["message"]
    client.patch(f"/api/documents/{doc}", json={"archived": True})
    assert editor.delete(f"/api/documents/{doc}").status_code == 403
    assert editor.post(f"/documents/{doc}/delete").status_code == 403
    confirm = client.get(f"/documents/{doc}/row?mode=confirm", headers={"HX-Request": "true"})
    assert "cannot be undone" in confirm.get_data(as_text=True)
    resp = client.post(f"/documents/{doc}/delete", headers={"HX-Request": "true"})
    assert resp.status_code == 200 and "are deleted" in resp.get_data(as_text=True)
    with get_sessionmaker(app)() as db:
        assert db.get(Document, doc) is None
        assert db.scalar(select(func.count()).select_from(Segment)
                         .where(Segment.document_id == doc)) == 0
        assert db.scalar(select(func.count()).select_from(Segment)
                         .where(Segment.document_id == other)) == 2
    logged = changes(app, Action.DELETE_DOCUMENT)
    assert len(logged) == 1 and logged[0].document_id is None
    assert logged[0].details == {"document": doc, "name": HOSTILE, "segments": 2, "words": 6}
    assert client.delete(f"/api/documents/{doc}").status_code == 404


def test_a_delete_after_another_tab_unarchived_deletes_nothing(app, client):
    doc = upload(client)
    client.patch(f"/api/documents/{doc}", json={"archived": True})
    client.get(f"/documents/{doc}/row?mode=confirm", headers={"HX-Request": "true"})
    client.patch(f"/api/documents/{doc}", json={"archived": False})
    resp = client.post(f"/documents/{doc}/delete", headers={"HX-Request": "true"})
    assert resp.status_code == 422 and "archive it first" in resp.get_data(as_text=True)
    with get_sessionmaker(app)() as db:
        assert db.get(Document, doc) is not None


# --- the JSON API ---------------------------------------------------------------------------

def test_the_api_lists_progress_people_due_date_and_archive(client, editor):
    doc = upload(client, text="Eins zwei. Drei.\n", mode="review")
    resp = editor.patch(f"/api/documents/{doc}", json={
        "translator": "ada", "editor": "eva", "due_date": "2030-01-31"})
    assert resp.status_code == 200
    body = resp.get_json()
    assert body["translator"] == "ada" and body["editor"] == "eva" and body["mine"] is True
    assert body["due_date"] == "2030-01-31" and body["overdue"] is False
    listed = editor.get("/api/documents").get_json()[0]
    assert listed["progress"]["mt"] == {"segments": 2, "words": 3}
    assert listed["segments"] == 2 and listed["words"] == 3 and listed["done_percent"] == 0
    assert listed["last_edit_by"] == "ada" and listed["last_edit_at"].endswith("Z")
    assert listed["archived"] is False
    editor.patch(f"/api/documents/{doc}", json={"archived": True})
    assert editor.get("/api/documents").get_json() == []
    archived = editor.get("/api/documents?archived=1").get_json()[0]
    assert archived["archived"] is True and archived["archived_by"] == "eva"
    cleared = editor.patch(f"/api/documents/{doc}", json={"translator": None, "due_date": ""})
    assert cleared.get_json()["translator"] is None and cleared.get_json()["due_date"] is None


@pytest.mark.parametrize("body, status, words", [
    ({"due_date": "2026-13-01"}, 422, "is not a date"),
    ({"due_date": 20260101}, 400, "'due_date' must be a string or null"),
    ({"translator": "ghost"}, 422, "no active user called 'ghost'"),
    ({"archived": "yes"}, 400, "'archived' must be true or false"),
    ({"colour": "red"}, 400, "unknown: colour"),
    ({}, 400, "Send any of"),
    ({"translator": "ada", "due_date": "bald"}, 422, "is not a date"),
])
def test_bad_patches_get_clear_errors_and_change_nothing(app, client, body, status, words):
    doc = upload(client)
    resp = client.patch(f"/api/documents/{doc}", json=body)
    assert resp.status_code == status and words in resp.get_json()["message"]
    with get_sessionmaker(app)() as db:
        stored = db.get(Document, doc)
        assert (stored.translator, stored.due_date, stored.archived_at) == (None, None, None)


def test_bad_list_parameter_is_a_400(client):
    assert client.get("/api/documents?archived=maybe").status_code == 400


def test_the_due_date_parser_takes_iso_dates_only():
    from webapp.documents.dashboard import DashboardError, parse_due

    assert parse_due("2026-12-24") == date(2026, 12, 24)
    assert parse_due(" ") is None
    with pytest.raises(DashboardError):
        parse_due("2026-12-24" * 1000)
