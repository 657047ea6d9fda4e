"""Review: states by role, rejection comments, diffs, presence, filters and jumps."""

from __future__ import annotations

import io
import re

import pytest

from webapp.core.text import word_diff

TEXT = "Kim traf Putin. Er lobte die Beziehungen. Nordkorea Sie schwieg. Der Kreml nickte."


@pytest.fixture
def doc(client):
    """Import a small review document as the admin and return its segments."""
    resp = client.post("/api/documents", data={
        "file": (io.BytesIO(TEXT.encode()), "a.de.txt"), "source_lang": "en",
        "target_lang": "de", "mode": "review",
    }, content_type="multipart/form-data")
    doc_id = resp.get_json()["id"]
    segs = client.get(f"/api/documents/{doc_id}/segments").get_json()["segments"]
    return doc_id, segs


@pytest.fixture
def translator(client_as):
    """Return a translator's client."""
    return client_as("translator", "tina")


@pytest.fixture
def editor(client_as):
    """Return an editor's client."""
    return client_as("editor", "ed")


def state(client, seg_id, value, comment=None):
    """Ask for a state change through the API."""
    body = {"state": value}
    if comment is not None:
        body["comment"] = comment
    return client.post(f"/api/segments/{seg_id}/state", json=body)


def test_translator_marks_translated_but_may_not_approve_or_reject(doc, translator):
    _, segs = doc
    seg = segs[0]
    assert state(translator, seg["id"], "translated").status_code == 200
    for verdict in ("approved", "rejected"):
        resp = state(translator, seg["id"], verdict, "no")
        assert resp.status_code == 403 and "editor" in resp.get_json()["message"]
    assert translator.get(f"/api/segments/{seg['id']}").get_json()["state"] == "translated"


def test_rejection_needs_a_comment_and_sends_the_segment_back(doc, translator, editor):
    _, segs = doc
    seg = segs[2]
    translator.put(f"/api/segments/{seg['id']}", json={"target": "Nordkorea schwieg.",
                                                        "version": 1})
    resp = state(editor, seg["id"], "rejected")
    assert resp.status_code == 422 and "Say why" in resp.get_json()["message"]
    assert state(editor, seg["id"], "rejected", "   ").status_code == 422
    resp = state(editor, seg["id"], "rejected", "Subjekt fehlt: wer schwieg?")
    assert resp.status_code == 200 and resp.get_json()["state"] == "rejected"
    # The translator sees the comment on the segment in the editor.
    html = translator.get(f"/documents/{doc[0]}").get_data(as_text=True)
    # The name is marked translate="no" (segs, #15): compare the text a person reads.
    assert "ed rejected:" in re.sub(r"<[^>]+>", "", html) and "Subjekt fehlt: wer schwieg?" in html
    comments = translator.get(f"/api/segments/{seg['id']}/comments").get_json()
    assert [(c["author"], c["kind"]) for c in comments] == [("ed", "rejection")]
    # Fixing it makes it translated again.
    fixed = translator.put(f"/api/segments/{seg['id']}",
                           json={"target": "Nordkorea selbst schwieg.", "version": 2})
    assert fixed.status_code == 200 and fixed.get_json()["state"] == "translated"


def test_approved_segments_are_locked_for_translators_but_editors_may_fix_them(
    doc, translator, editor
):
    _, segs = doc
    seg = segs[1]
    assert state(editor, seg["id"], "approved").status_code == 200
    resp = translator.put(f"/api/segments/{seg['id']}", json={"target": "X.", "version": 1})
    assert resp.status_code == 403 and "approved" in resp.get_json()["message"]
    assert translator.post(f"/segments/{seg['id']}", data={"target": "X.", "version": "1"},
                           headers={"HX-Request": "true"}).status_code == 403
    ok = editor.put(f"/api/segments/{seg['id']}",
                    json={"target": "Er lobte die Beziehungen sehr.", "version": 1})
    assert ok.status_code == 200 and ok.get_json()["state"] == "approved"


def test_every_action_is_in_the_append_only_change_log(doc, translator, editor):
    _, segs = doc
    seg = segs[0]
    translator.put(f"/api/segments/{seg['id']}", json={"target": "Kim traf Putin erneut.",
                                                        "version": 1})
    state(editor, seg["id"], "rejected", "Nicht erneut.")
    translator.post(f"/api/segments/{seg['id']}/comments", json={"text": "Quelle prüfen?"})
    translator.post(f"/segments/{seg['id']}/restore/1", headers={"HX-Request": "true"})
    state(editor, seg["id"], "approved")
    hist = editor.get(f"/api/segments/{seg['id']}/history").get_json()
    actions = [c["action"] for c in reversed(hist["changes"])]
    assert actions == ["edit", "state", "comment", "comment", "restore", "state"]
    assert [r["kind"] for r in reversed(hist["revisions"])] == ["import", "edit", "restore"]
    assert [c["text"] for c in reversed(hist["comments"])] == ["Nicht erneut.", "Quelle prüfen?"]


def test_review_view_shows_word_diffs_from_mt_to_translator_to_editor(doc, translator, editor):
    doc_id, segs = doc
    seg = segs[2]
    translator.put(f"/api/segments/{seg['id']}", json={"target": "Nordkorea schwieg.",
                                                        "version": 1})
    editor.put(f"/api/segments/{seg['id']}", json={"target": "Nordkorea schwieg dazu.",
                                                    "version": 2})
    html = editor.get(f"/documents/{doc_id}/review").get_data(as_text=True)
    assert "<del>Sie </del>" in html or "<del> Sie</del>" in html
    assert "<ins> dazu</ins>" in html or "<ins>dazu </ins>" in html
    assert "MT → translator" in html and "→ editor" in html
    # The review view lists translated segments by default.
    assert html.count('class="seg review') == 1


def test_word_diff_marks_whole_words():
    assert word_diff("Nordkorea Sie schwieg.", "Nordkorea schwieg.") == [
        ("equal", "Nordkorea"), ("delete", " Sie"), ("equal", " schwieg.")]
    assert word_diff("", "Neu.") == [("insert", "Neu.")]


def test_approve_and_reject_from_the_review_row(doc, translator, editor):
    doc_id, segs = doc
    seg = segs[0]
    translator.put(f"/api/segments/{seg['id']}", json={"target": "Kim traf Putin.",
                                                        "version": 1})
    resp = editor.post(f"/segments/{seg['id']}/state", headers={"HX-Request": "true"},
                       data={"state": "rejected", "comment": "", "view": "review"})
    assert resp.status_code == 422 and "Say why" in resp.get_data(as_text=True)
    resp = editor.post(f"/segments/{seg['id']}/state", headers={"HX-Request": "true"},
                       data={"state": "approved", "view": "review", "go": "next"})
    assert resp.status_code == 200 and "Approved" in resp.get_data(as_text=True)
    assert 'class="seg review' in resp.get_data(as_text=True)
    denied = translator.post(f"/segments/{seg['id']}/state", headers={"HX-Request": "true"},
                             data={"state": "approved"})
    assert denied.status_code == 403


def test_others_see_who_is_editing_a_segment(doc, translator, editor):
    doc_id, segs = doc
    seg = segs[3]
    translator.get(f"/segments/{seg['id']}/edit", headers={"HX-Request": "true"})
    row = editor.get(f"/segments/{seg['id']}").get_data(as_text=True)
    assert "Being edited by tina" in row
    # Nobody is told they are editing alongside themselves.
    assert "Being edited by" not in translator.get(f"/segments/{seg['id']}").get_data(as_text=True)
    translator.post(f"/segments/{seg['id']}/presence", data={"leave": "1"})
    assert "Being edited by" not in editor.get(f"/segments/{seg['id']}").get_data(as_text=True)


def test_presence_expires_without_a_heartbeat(app, doc, translator, editor):
    from webapp.core.db import get_sessionmaker
    from webapp.review import workflow as review

    seg = doc[1][3]
    with app.app_context(), get_sessionmaker(app)() as db:
        review.touch(db, seg["id"], "tina", seconds=-1)
    assert "Being edited by" not in editor.get(f"/segments/{seg['id']}").get_data(as_text=True)


def test_filters_by_state_author_comment_and_regex(doc, translator, editor):
    doc_id, segs = doc
    translator.put(f"/api/segments/{segs[0]['id']}", json={"target": "Kim traf Putin 2019.",
                                                            "version": 1})
    editor.post(f"/api/segments/{segs[3]['id']}/comments", json={"text": "Kreml oder Moskau?"})
    base = f"/documents/{doc_id}"
    hx = {"HX-Request": "true", "HX-Target": "segment-list"}

    def rows(qs):
        return editor.get(f"{base}?{qs}", headers=hx).get_data(as_text=True).count('<tr id="seg-')

    assert rows("state=translated") == 1
    assert rows("author=tina") == 1
    assert rows("commented=1") == 1
    assert rows("q=%5Cd%7B4%7D&regex=1") == 1
    assert rows("q=Kreml&in=source") == 0
    assert rows("q=Kreml&in=target") == 1
    bad = editor.get(f"{base}?q=%5B&regex=1", headers=hx)
    assert bad.status_code == 400 and "regular expression" in bad.get_data(as_text=True)


def test_next_untranslated_and_next_rejected_wrap_around(doc, translator, editor):
    doc_id, segs = doc
    for seg in segs[:2]:
        translator.put(f"/api/segments/{seg['id']}", json={"target": seg["target"], "version": 1})
    state(editor, segs[0]["id"], "rejected", "Nochmal.")
    nxt = translator.get(f"/api/documents/{doc_id}/next?after=1&kind=untranslated").get_json()
    assert nxt["index"] == 2
    wrapped = translator.get(f"/api/documents/{doc_id}/next?after=3&kind=untranslated").get_json()
    assert wrapped["index"] == 0
    rej = translator.get(f"/api/documents/{doc_id}/next?after=0&kind=rejected").get_json()
    assert rej["index"] == 0
    state(editor, segs[0]["id"], "approved")
    none = translator.get(f"/api/documents/{doc_id}/next?kind=rejected")
    assert none.status_code == 404


def test_progress_counts_segments_and_words_by_state(doc, translator, client):
    doc_id, segs = doc
    translator.put(f"/api/segments/{segs[0]['id']}", json={"target": "Kim traf Putin.",
                                                            "version": 1})
    html = client.get(f"/documents/{doc_id}/progress").get_data(as_text=True)
    assert "4 segments, 13 words" in html
    assert "Translated <b>1</b> <span class=\"words\">3 w</span>" in html


def test_saving_a_segment_ends_its_soft_lock(doc, translator, editor):
    seg = doc[1][0]
    translator.get(f"/segments/{seg['id']}/edit", headers={"HX-Request": "true"})
    assert "Being edited by tina" in editor.get(f"/segments/{seg['id']}").get_data(as_text=True)
    translator.post(f"/segments/{seg['id']}", headers={"HX-Request": "true"},
                    data={"target": "Kim traf Putin.", "version": "1"})
    assert "Being edited by" not in editor.get(f"/segments/{seg['id']}").get_data(as_text=True)


def test_a_refused_save_keeps_the_soft_lock(doc, translator, editor):
    seg = doc[1][0]
    translator.get(f"/segments/{seg['id']}/edit", headers={"HX-Request": "true"})
    # The lock ends in the save's own transaction: a stale save leaves it as it was.
    stale = translator.post(f"/segments/{seg['id']}", headers={"HX-Request": "true"},
                            data={"target": "Kim traf Putin.", "version": "7"})
    assert stale.status_code == 409
    assert "Being edited by tina" in editor.get(f"/segments/{seg['id']}").get_data(as_text=True)


def test_a_tm_prefilled_text_is_not_the_translators_version_in_the_review_view(
    app, client, translator, editor
):
    source = ["Der Vertrag wurde gestern unterzeichnet.", "Die Regierung hat das Gesetz beschlossen."]
    memory = [(source[0], "The contract was signed yesterday."),
              (source[1], "The government passed the law.")]
    tus = "".join(f'<tu><tuv xml:lang="de"><seg>{s}</seg></tuv><tuv xml:lang="en"><seg>{t}</seg>'
                  "</tuv></tu>" for s, t in memory)
    tmx = ('<?xml version="1.0" encoding="UTF-8"?><tmx version="1.4"><header srclang="de" '
           f'creationtool="t" segtype="sentence"/><body>{tus}</body></tmx>').encode()
    job = client.post("/api/tm/import", data={"file": (io.BytesIO(tmx), "memory.tmx")},
                      content_type="multipart/form-data").get_json()
    app.extensions["webapp.jobs"].wait(job["id"], timeout=60)
    resp = client.post("/api/documents", data={
        "file": (io.BytesIO("\n\n".join(source).encode()), "vertrag.de.txt"),
        "source_lang": "de", "target_lang": "en", "mode": "translate", "tm_prefill": "1",
    }, content_type="multipart/form-data")
    assert resp.status_code == 201 and resp.get_json()["tm_prefilled"] == 2
    doc_id = resp.get_json()["id"]
    first, second = client.get(f"/api/documents/{doc_id}/segments").get_json()["segments"]
    # tina revises the memory's first text; the second stays as the memory filled it.
    revised = translator.put(f"/api/segments/{first['id']}", json={
        "target": "The contract was signed on Monday.", "version": first["version"]})
    assert revised.status_code == 200
    html = editor.get(f"/documents/{doc_id}/review").get_data(as_text=True)
    rows = {int(m[1]): m[0] for m in re.finditer(r'<tr id="seg-(\d+)".*?</tr>', html, re.S)}
    assert "MT → translator" in rows[first["id"]] and "Monday" in rows[first["id"]]
    # Nobody translated the second: the memory's text does not stand as a translator's pass.
    assert "MT → translator" not in rows[second["id"]]
