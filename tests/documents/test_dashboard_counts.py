"""The kept progress counts: after every kind of change they equal a fresh COUNT of the segments."""

from __future__ import annotations

import io
import threading
from datetime import datetime

import pytest
from conftest import database_url, drop_database
from sqlalchemy import column, insert, select, table, text, update

from webapp import create_app
from webapp.core.db import get_sessionmaker, upgrade_schema
from webapp.core.models import Document, DocumentProgress, Segment
from webapp.core.states import Role, State
from webapp.documents import dashboard, queries
from webapp.segments import editing

XLIFF = """<?xml version="1.0" encoding="UTF-8"?>
<xliff xmlns="urn:oasis:names:tc:xliff:document:1.2" version="1.2">
 <file original="ui.properties" datatype="plaintext" source-language="en" target-language="de">
  <body>
   <trans-unit id="a"><source>Hello world.</source>
    <target state="translated">Hallo Welt.</target></trans-unit>
   <trans-unit id="b" approved="yes"><source>Open the file now.</source>
    <target state="final">Öffnen Sie die Datei jetzt.</target></trans-unit>
   <trans-unit id="c"><source>Machine made.</source>
    <target state="needs-review-translation" state-qualifier="leveraged-mt">Maschinell.</target>
   </trans-unit>
   <trans-unit id="d"><source>Nothing yet here.</source></trans-unit>
  </body>
 </file>
</xliff>""".encode()


def assert_kept(app) -> None:
    """Assert every document's kept counts and last edit equal a fresh count of its segments."""
    with get_sessionmaker(app)() as db:
        docs = set(db.scalars(select(Document.id)))
        assert set(db.scalars(select(DocumentProgress.document_id))) == docs
        for doc_id in docs:
            assert queries.progress(db, doc_id) == queries.counted_progress(db, doc_id), doc_id
            newest = db.execute(select(Segment.updated_at, Segment.updated_by)
                                .where(Segment.document_id == doc_id)
                                .order_by(Segment.updated_at.desc()).limit(1)).first()
            kept = db.get(DocumentProgress, doc_id)
            assert kept.last_edit_at == (newest[0] if newest else None)
            if newest:
                assert kept.last_edit_by == newest[1]


def upload(client, data: bytes, name: str, mode: str = "translate", **form) -> int:
    """Import a document through the API and return its id."""
    resp = client.post("/api/documents", data={
        "file": (io.BytesIO(data), name), "source_lang": "de", "target_lang": "en",
        "mode": mode, **form}, content_type="multipart/form-data")
    assert resp.status_code == 201, resp.get_json()
    return resp.get_json()["id"]


def segments(client, doc_id: int) -> list[dict]:
    """Return the document's segments through the API."""
    return client.get(f"/api/documents/{doc_id}/segments").get_json()["segments"]


def kept(app, doc_id: int) -> dict[State, tuple[int, int]]:
    """Return the document's kept (segments, words) per state."""
    with get_sessionmaker(app)() as db:
        return queries.progress(db, doc_id)


TEXT = (b"Der Vertrag wurde gestern unterzeichnet. Die Regierung hat das Gesetz beschlossen.\n\n"
        b"Kim traf Putin in Wladiwostok. Der Kreml lobte die Beziehungen.\n")


def test_counts_follow_import_edits_verdicts_restore_split_merge_and_bulk_updates(app, client):
    translate = upload(client, TEXT, "vertrag.de.txt")
    review = upload(client, TEXT, "entwurf.de.txt", mode="review")
    assert_kept(app)
    assert kept(app, translate)[State.NEW] == (4, 21)
    assert kept(app, review)[State.MT] == (4, 21)

    first, second, third, fourth = segments(client, review)
    # A save through the API (one Core statement, not an ORM flush).
    resp = client.put(f"/api/segments/{first['id']}",
                      json={"target": "Der Vertrag ist unterschrieben.", "version": 1})
    assert resp.status_code == 200
    assert_kept(app)
    assert kept(app, review)[State.TRANSLATED] == (1, 5)
    # Review verdicts.
    assert client.post(f"/api/segments/{first['id']}/state",
                       json={"state": "approved"}).status_code == 200
    assert client.post(f"/api/segments/{second['id']}/state",
                       json={"state": "rejected", "comment": "Falsch."}).status_code == 200
    assert_kept(app)
    assert kept(app, review)[State.APPROVED] == (1, 5)
    assert kept(app, review)[State.REJECTED][0] == 1
    with app.app_context(), get_sessionmaker(app)() as db:
        seg = db.get(Segment, first["id"])
        # Restore the imported MT: back to translated.
        editing.restore_revision(db, seg, 1, "ada")
        assert_kept(app)
        # Split, then merge back: segments and words move between rows.
        one, two = editing.split_segment(db, db.get(Segment, third["id"]), 15, "ada")
        assert_kept(app)
        editing.merge_segments(db, db.get(Segment, second["id"]), "ada")
        assert_kept(app)
        # A bulk update as search & replace might write it, with no ORM in sight.
        db.execute(update(Segment).where(Segment.document_id == translate)
                   .values(target="x", state=int(State.TRANSLATED)))
        db.commit()
    assert_kept(app)
    assert kept(app, translate)[State.TRANSLATED] == (4, 21)
    assert kept(app, translate)[State.NEW] == (0, 0)
    # Changes rolled back leave the counts as they were.
    with get_sessionmaker(app)() as db:
        db.execute(update(Segment).values(state=int(State.APPROVED)))
        db.rollback()
    assert_kept(app)
    assert kept(app, translate)[State.APPROVED] == (0, 0)


def test_counts_follow_xliff_import_tm_prefill_and_document_delete(app, client):
    xliff = upload(client, XLIFF, "ui.xlf")
    assert_kept(app)
    counts = kept(app, xliff)
    assert counts[State.APPROVED][0] == 1 and counts[State.TRANSLATED][0] == 1
    assert counts[State.MT][0] == 1 and counts[State.NEW][0] == 1
    # Approving a segment feeds the memory; a second document is filled from it.
    source = "Die Regierung hat das Gesetz beschlossen."
    first = upload(client, source.encode(), "a.de.txt")
    seg = segments(client, first)[0]
    client.put(f"/api/segments/{seg['id']}", json={"target": "The government passed the law.",
                                                  "version": seg["version"]})
    assert client.post(f"/api/segments/{seg['id']}/state",
                       json={"state": "approved"}).status_code == 200
    filled = upload(client, (source + "\n\nNoch ein Satz hier.").encode(), "b.de.txt",
                    tm_prefill="1")
    assert_kept(app)
    assert kept(app, filled)[State.TRANSLATED] == (1, 6)
    # Archived, then deleted: its counts go with it, the others stay.
    with app.app_context(), get_sessionmaker(app)() as db:
        doc = db.get(Document, filled)
        dashboard.archive(db, doc, "ada", Role.ADMIN)
        dashboard.delete_archived(db, doc, "ada", Role.ADMIN)
        assert db.get(DocumentProgress, filled) is None
    assert_kept(app)


def test_pretranslation_moves_segments_to_mt_in_the_counts(app, client, argos_installed):
    doc = client.post("/api/documents", data={
        "file": (io.BytesIO(b"Hello world.\n\nThe cat sleeps.\n"), "hello.txt"),
        "source_lang": "en", "target_lang": "de", "mode": "translate"},
        content_type="multipart/form-data").get_json()["id"]
    job = client.post(f"/api/documents/{doc}/pretranslate").get_json()
    app.extensions["webapp.jobs"].wait(job["id"], timeout=120)
    assert client.get(f"/api/jobs/{job['id']}").get_json()["status"] == "done"
    assert_kept(app)
    assert kept(app, doc)[State.MT][0] == 2 and kept(app, doc)[State.NEW] == (0, 0)


def test_two_sessions_saving_at_once_lose_no_count(app, client):
    doc = upload(client, "\n\n".join(f"Satz Nummer {i} ist hier." for i in range(40)).encode(),
                 "viele.de.txt")
    ids = [s["id"] for s in segments(client, doc)]
    errors = []

    def save(mine: list[int], who: str) -> None:
        try:
            with get_sessionmaker(app)() as db:
                for seg_id in mine:
                    seg = db.get(Segment, seg_id)
                    editing.save_target(db, seg, f"Sentence {seg_id}.", seg.version, who)
        except Exception as exc:  # reported below, where pytest shows it
            errors.append(exc)

    workers = [threading.Thread(target=save, args=(ids[0::2], "ann")),
               threading.Thread(target=save, args=(ids[1::2], "bob"))]
    for w in workers:
        w.start()
    for w in workers:
        w.join(timeout=120)
    assert not errors
    assert_kept(app)
    assert kept(app, doc)[State.TRANSLATED] == (40, 200)


def test_recount_command_repairs_counts_that_went_wrong(app, client, runner):
    doc = upload(client, TEXT, "vertrag.de.txt")
    with get_sessionmaker(app)() as db:
        db.execute(text("UPDATE document_progress SET new_segments = 99, approved_words = 7"))
        db.commit()
    assert kept(app, doc)[State.NEW] == (99, 21)
    result = runner.invoke(args=["recount"])
    assert result.exit_code == 0 and "1 document" in result.output
    assert_kept(app)
    one = runner.invoke(args=["recount", "--document", str(doc)])
    assert one.exit_code == 0
    missing = runner.invoke(args=["recount", "--document", "999"])
    assert missing.exit_code != 0 and "no document 999" in missing.output


def test_the_api_total_is_the_kept_count(app, client):
    doc = upload(client, TEXT, "vertrag.de.txt")
    with get_sessionmaker(app)() as db:
        db.execute(text("UPDATE document_progress SET new_segments = 4000"))
        db.commit()
    page = client.get(f"/api/documents/{doc}/segments?limit=2").get_json()
    assert page["total"] == 4000 and len(page["segments"]) == 2
    filtered = client.get(f"/api/documents/{doc}/segments?state=new&state=mt").get_json()
    assert filtered["total"] == 4000
    # A text search cannot be answered from the counts: it counts.
    assert client.get(f"/api/documents/{doc}/segments?q=Kreml").get_json()["total"] == 1


@pytest.fixture
def migrated_app(tmp_path, monkeypatch):
    """Return an app whose database the migrations built (not create_all)."""
    monkeypatch.setenv("WEBAPP_INSTANCE", str(tmp_path / "instance"))
    app = create_app({"TESTING": True, "SECRET_KEY": "test-secret",
                      "DATABASE_URL": database_url(tmp_path)})
    yield app
    app.extensions["webapp.jobs"].executor.shutdown(wait=True)
    app.extensions["webapp.engine"].dispose()
    drop_database(app.config["DATABASE_URL"])


def test_migrations_count_existing_documents_and_install_the_triggers(migrated_app):
    from webapp.documents import importing

    # A document stored before the dashboard's migration gets its counts from it.
    upgrade_schema(migrated_app, "0006")
    document = table("document", *map(column, (
        "id", "name", "source_lang", "target_lang", "mode", "source_kind", "leading",
        "encoding", "created_at", "created_by")))
    segment = table("segment", *map(column, (
        "document_id", "position", "paragraph", "source", "target", "mt", "trailing", "state",
        "version", "words", "updated_at", "updated_by")))
    with migrated_app.extensions["webapp.engine"].begin() as conn:
        old = conn.execute(insert(document).returning(document.c.id).values(
            name="alt.txt", source_lang="de", target_lang="en", mode="translate",
            source_kind="original", leading="", encoding="utf-8",
            created_at=datetime(2026, 1, 2), created_by="x")).scalar_one()
        conn.execute(insert(segment), [
            dict(document_id=old, position=0, paragraph=0, source="Eins zwei.", target="One two.",
                 mt="", trailing="", state=20, version=1, words=2,
                 updated_at=datetime(2026, 1, 2, 3, 4, 5), updated_by="x"),
            dict(document_id=old, position=1, paragraph=0, source="Drei.", target="", mt="",
                 trailing="", state=0, version=0, words=1,
                 updated_at=datetime(2026, 1, 3, 3, 4, 5), updated_by="y")])
    upgrade_schema(migrated_app)
    assert kept(migrated_app, old)[State.TRANSLATED] == (1, 2)
    assert kept(migrated_app, old)[State.NEW] == (1, 1)
    assert_kept(migrated_app)
    # Every later migration must leave the triggers in place (a SQLite table rebuild drops
    # them): a new import and a save are counted.
    with get_sessionmaker(migrated_app)() as db:
        doc = importing.import_text(db, TEXT, "neu.de.txt", "de", "en", "translate", 10**6)
        seg = db.scalar(select(Segment).where(Segment.document_id == doc.id).limit(1))
        editing.save_target(db, seg, "Done.", seg.version, "ann")
    assert_kept(migrated_app)
    assert kept(migrated_app, doc.id)[State.TRANSLATED][0] == 1
