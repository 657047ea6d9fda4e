"""Exporting a reviewed German MT: XLIFF carries the aligned English as its source or says
there is none; the text export warns, in the page and the API, about unfinished segments."""

from __future__ import annotations

import io
import re

from api_steps import align_original
from lxml import etree
from sqlalchemy import select

from webapp.core.db import get_sessionmaker
from webapp.core.models import Comment, Segment

NS12 = {"x": "urn:oasis:names:tc:xliff:document:1.2"}
NS20 = {"x": "urn:oasis:names:tc:xliff:document:2.0"}
GERMAN = "Kim traf Putin in Wladiwostok.\nDer Kreml lobte die Beziehungen.\nEs regnete.\n"
ENGLISH = "Kim met Putin in Vladivostok.\nThe Kremlin praised the ties.\nIt rained.\n"


def upload(client, text: str = GERMAN) -> int:
    """Import a German MT for review and return its id."""
    resp = client.post("/api/documents", data={
        "file": (io.BytesIO(text.encode()), "kurz.de.txt"), "source_lang": "en",
        "target_lang": "de", "mode": "review"}, content_type="multipart/form-data")
    assert resp.status_code == 201
    return resp.get_json()["id"]


def export(client, doc: int, fmt: str):
    """Return the export response."""
    resp = client.get(f"/api/documents/{doc}/export", query_string={"format": fmt})
    assert resp.status_code == 200
    return resp


def test_xliff_without_an_original_says_so_in_a_note_on_the_source(client):
    doc = upload(client)
    root = etree.fromstring(export(client, doc, "xliff12").data)
    units = root.findall(".//x:trans-unit", NS12)
    assert len(units) == 3
    for unit in units:
        assert (unit.findtext("x:source", namespaces=NS12) or "") == ""
        note = unit.find("x:note", NS12)
        assert note.get("annotates") == "source" and note.get("from") == "workbench-source"
        assert note.text.startswith("No en source: this de machine translation was reviewed")
    root20 = etree.fromstring(export(client, doc, "xliff20").data)
    notes = root20.findall(".//x:unit/x:notes/x:note", NS20)
    assert len(notes) == 3 and all(n.get("appliesTo") == "source" for n in notes)


def test_xliff_carries_the_aligned_original_as_its_source(app, client):
    doc = upload(client)
    align_original(client, doc, ENGLISH)
    root = etree.fromstring(export(client, doc, "xliff12").data)
    units = root.findall(".//x:trans-unit", NS12)
    assert [u.findtext("x:source", namespaces=NS12) for u in units] == ENGLISH.splitlines()
    assert [u.findtext("x:target", namespaces=NS12) for u in units] == GERMAN.splitlines()
    assert root.findall(".//x:note", NS12) == []
    # Re-imported, our note about the source never turns into a comment.
    with get_sessionmaker(app)() as db:
        db.execute(Segment.__table__.update().where(Segment.position == 1).values(source=""))
        db.commit()
    data = export(client, doc, "xliff12").data
    assert data.count(b'annotates="source"') == 1
    again = client.post("/api/documents", data={"file": (io.BytesIO(data), "kurz.xlf")},
                        content_type="multipart/form-data")
    assert again.status_code == 201
    with get_sessionmaker(app)() as db:
        assert db.scalars(select(Comment)).all() == []


def test_the_text_export_warns_about_unfinished_and_flagged_segments(client):
    doc = upload(client, GERMAN + "Kim Jong-un schwieg dazu.\n")  # a forbidden rendering
    segs = client.get(f"/api/documents/{doc}/segments").get_json()["segments"]
    done = client.put(f"/api/segments/{segs[0]['id']}",
                      json={"target": segs[0]["target"], "version": 1, "state": "translated"})
    assert done.status_code == 200, done.get_json()
    check = client.get(f"/api/documents/{doc}/export/check").get_json()
    assert check["unfinished_segments"] == [2, 3, 4] and check["unfinished"] == 3
    assert check["qa_flagged_segments"] == [4]
    assert check["warnings"] == [
        "3 of 4 segments are not translated or reviewed yet (still new, MT draft or "
        "rejected): #2, #3, #4",
        "1 segment has an open QA warning: #4"]
    for url in (f"/documents/{doc}/export.txt", f"/api/documents/{doc}/export?format=txt"):
        resp = client.get(url)
        assert resp.headers["X-Export-Warnings"] == " | ".join(check["warnings"])
    # The page asks first: what is unfinished, where to see it, and "Export anyway".
    page = client.get(f"/documents/{doc}").get_data(as_text=True)
    assert f'hx-get="/documents/{doc}/export/check"' in page
    step = client.get(f"/documents/{doc}/export/check").get_data(as_text=True)
    assert "Not finished." in step and "#2, #3, #4" in step and "Export anyway" in step
    assert f'href="/documents/{doc}?qa=1"' in step


def test_a_finished_document_exports_without_warnings(client):
    doc = upload(client, "Es regnete.\n")
    seg = client.get(f"/api/documents/{doc}/segments").get_json()["segments"][0]
    assert client.put(f"/api/segments/{seg['id']}", json={
        "target": seg["target"], "version": 1, "state": "translated"}).status_code == 200
    assert client.get(f"/documents/{doc}/export.txt").headers["X-Export-Warnings"] == ""
    step = client.get(f"/documents/{doc}/export/check").get_data(as_text=True)
    assert "The 1 segment is translated or reviewed" in re.sub(r"\s+", " ", step)


def test_an_emptied_review_segment_exports_its_german_mt_never_english(app, client):
    doc = upload(client)
    align_original(client, doc, ENGLISH)
    with get_sessionmaker(app)() as db:
        db.execute(Segment.__table__.update().where(Segment.position == 2).values(target=""))
        db.commit()
    assert client.get(f"/documents/{doc}/export.txt").data.decode() == GERMAN
