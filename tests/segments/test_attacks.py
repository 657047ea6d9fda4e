"""Attacks on the segment list and on split and merge (issue #12): each was reproduced first."""

from __future__ import annotations

import io
import json
import statistics
import time

import pytest
from sqlalchemy import select

from webapp.core import patterns
from webapp.core.models import Change, Comment, Segment
from webapp.core.states import Action

HX = {"HX-Request": "true", "HX-Target": "segment-list"}
TEXT = "a" * 27 + "b. Kim traf Putin. Er lobte die Beziehungen. Der Kreml nickte."

XLIFF = b"""<?xml version="1.0" encoding="UTF-8"?>
<xliff xmlns="urn:oasis:names:tc:xliff:document:1.2" version="1.2"><file original="m"
  source-language="en" target-language="de" datatype="plaintext"><body>
  <trans-unit id="a"><source>Press save.</source></trans-unit>
  <trans-unit id="brand" translate="no"><source>ACME GmbH</source><target>ACME GmbH</target>
  </trans-unit>
  <trans-unit id="c"><source>Then wait.</source></trans-unit>
</body></file></xliff>"""


def upload(client, data: bytes, name: str, mode: str = "review") -> int:
    """Upload a document through the API and return its id."""
    resp = client.post("/api/documents", data={
        "file": (io.BytesIO(data), name), "source_lang": "en", "target_lang": "de", "mode": mode,
    }, content_type="multipart/form-data")
    assert resp.status_code == 201, resp.get_data(as_text=True)
    return resp.get_json()["id"]


def segments(client, doc_id: int) -> list[dict]:
    """Return the document's segments through the API."""
    return client.get(f"/api/documents/{doc_id}/segments").get_json()["segments"]


@pytest.fixture
def doc(client):
    """A review document whose first segment is 27 "a"s and a "b": food for (a+)+$."""
    doc_id = upload(client, TEXT.encode(), "a.de.txt")
    return doc_id, segments(client, doc_id)


@pytest.fixture
def translator(client_as):
    """Return a translator's client."""
    return client_as("translator", "tina")


def listed(client, url: str) -> tuple[int, str]:
    """Return the status and HTML of a segment-list request."""
    resp = client.get(url, headers=HX)
    return resp.status_code, resp.get_data(as_text=True)


def test_catastrophic_pattern_is_answered_and_finds_nothing(translator, doc):
    doc_id, _ = doc
    status, html = listed(translator, f"/documents/{doc_id}?q=%28a%2B%29%2B%24&regex=1")
    assert status == 200 and html.count('<tr id="seg-') == 0


def test_pattern_time_grows_linearly_with_the_text_it_searches():
    # Python's re doubles its work with every "a" on (a+)+$; RE2 adds a step. The ratio of
    # 24 to 16 letters is 256 for a backtracking engine and about 1 for a linear one.
    def cost(n: int) -> float:
        text = "a" * n + "b"
        runs = []
        for _ in range(5):
            t0 = time.perf_counter()
            for _ in range(50):
                patterns.search("(a+)+$", text)
            runs.append(time.perf_counter() - t0)
        return min(runs)

    assert cost(24) / cost(16) < 8


def test_back_references_and_look_around_are_refused_with_a_422(translator, doc):
    doc_id, _ = doc
    for pattern in ("%28a%29%5C1", "%28%3F%3DKim%29"):  # (a)\1 and (?=Kim)
        status, html = listed(translator, f"/documents/{doc_id}?q={pattern}&regex=1")
        assert status == 422 and "RE2 syntax" in html


def test_regex_filter_still_finds_what_it_should(translator, doc):
    doc_id, _ = doc
    status, html = listed(translator, f"/documents/{doc_id}?q=K%5Cw%2Bml&regex=1&in=target")
    assert status == 200 and html.count('<tr id="seg-') == 1 and "Kreml" in html


def test_a_nested_pattern_on_a_long_document_never_reaches_the_databases_regex(translator):
    # The search runs in RE2 on SQLite and PostgreSQL alike (PostgreSQL's own engine
    # backtracks): a long document and a nested pattern are answered, with no timeout.
    doc_id = upload(translator, ("Der Kreml nickte lange. " * 4000).encode(), "lang.de.txt")
    status, html = listed(translator, f"/documents/{doc_id}?q=%28x%2Bx%2B%29%2By&regex=1")
    assert status == 200 and html.count('<tr id="seg-') == 0
    status, html = listed(translator, f"/documents/{doc_id}?q=%2FK%5Cw%2Bml%5Cb%2F")
    assert status == 200 and "<strong>4,000 hits</strong> in 4,000 segments" in html


def test_statement_timeout_is_set_on_postgresql_connections(app):
    if not app.config["DATABASE_URL"].startswith("postgresql"):
        assert app.extensions["webapp.engine"].dialect.name == "sqlite"
        return
    with app.extensions["webapp.engine"].connect() as conn:
        assert conn.exec_driver_sql("SHOW statement_timeout").scalar() == "30s"


def approve(client, seg_id: int) -> None:
    """Approve a segment as the admin client."""
    assert client.post(f"/api/segments/{seg_id}/state",
                       json={"state": "approved"}).status_code == 200


def test_merge_into_an_approved_segment_is_refused_for_a_translator(client, translator, doc):
    doc_id, segs = doc
    approve(client, segs[2]["id"])
    client.post(f"/api/segments/{segs[2]['id']}/comments", json={"text": "Passt so."})
    resp = translator.post(f"/segments/{segs[1]['id']}/merge", headers=HX)
    # Refused: the row comes back open with the reason, in its own place (#14).
    assert resp.status_code == 422 and "approved" in resp.get_data(as_text=True)
    assert resp.headers["HX-Retarget"] == f"#seg-{segs[1]['id']}"
    api = translator.post(f"/api/segments/{segs[1]['id']}/merge")
    assert api.status_code in (403, 404, 405)  # whatever the API offers, never a merge
    after = segments(client, doc_id)
    assert [s["id"] for s in after] == [s["id"] for s in segs]
    assert after[2]["state"] == "approved"
    assert [c["text"] for c in client.get(f"/api/segments/{segs[2]['id']}/comments")
            .get_json()] == ["Passt so."]


def test_merge_keeps_the_second_segments_comments_and_history(app, client, doc):
    doc_id, segs = doc
    second = segs[2]["id"]
    client.put(f"/api/segments/{second}", json={"target": "Er lobte die Bande.", "version": 1})
    client.post(f"/api/segments/{second}/comments", json={"text": "Bande? Beziehungen."})
    assert client.post(f"/segments/{segs[1]['id']}/merge", headers=HX).status_code == 200
    comments = client.get(f"/api/segments/{segs[1]['id']}/comments").get_json()
    assert [c["text"] for c in comments] == ["Bande? Beziehungen."]
    with app.extensions["webapp.sessionmaker"]() as db:
        row = db.scalars(select(Change).where(Change.action == int(Action.MERGE))).one()
        history = json.loads(row.details_json)["merged_history"]
        assert [h["text"] for h in history] == ["Er lobte die Beziehungen.", "Er lobte die Bande."]
        assert db.scalars(select(Comment).where(Comment.segment_id == second)).all() == []
        assert db.get(Segment, second) is None


def test_merge_and_split_never_touch_a_locked_unit(client):
    doc_id = upload(client, XLIFF, "m.xlf", mode="translate")
    segs = segments(client, doc_id)
    assert [s["source"] for s in segs] == ["Press save.", "ACME GmbH", "Then wait."]
    for seg_id in (segs[0]["id"], segs[1]["id"]):  # into the locked one, and from it
        resp = client.post(f"/segments/{seg_id}/merge", headers=HX)
        assert resp.status_code == 422 and "is locked" in resp.get_data(as_text=True)
    split = client.post(f"/segments/{segs[1]['id']}/split", headers=HX, data={"offset": "4"})
    assert split.status_code == 422 and "is locked" in split.get_data(as_text=True)
    assert [s["source"] for s in segments(client, doc_id)] == ["Press save.", "ACME GmbH",
                                                               "Then wait."]
    exported = client.get(f"/api/documents/{doc_id}/export?format=xliff12").get_data(as_text=True)
    assert 'translate="no"' in exported and "ACME GmbH" in exported


def test_the_filter_answers_in_linear_time_on_a_long_segment(translator, client):
    # A 20,000-character segment searched with a nested pattern: the page answers at once,
    # and ten times the text costs about ten times as much, not a hundred.
    def cost(n: int) -> float:
        doc_id = upload(client, ("a" * n + "b.").encode(), f"lang{n}.de.txt")
        url = f"/documents/{doc_id}?q=%28a%2Ba%2B%29%2B%24&regex=1"
        listed(translator, url)
        return statistics.median(
            (lambda t0: (listed(translator, url), time.perf_counter() - t0)[1])(time.perf_counter())
            for _ in range(5))

    assert cost(19_000) / cost(1_900) < 30
