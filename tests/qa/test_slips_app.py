"""The checks of the target alone in the app: the seed's slips in the QA API and the filter,
dismissal, and the spelling word lists (API, panel button, roles, change log)."""

from __future__ import annotations

import io
import re

from api_steps import codes, save, segments
from sqlalchemy import func, select

from webapp.core.db import get_sessionmaker
from webapp.core.models import Change, WordListEntry
from webapp.core.states import Action

HX = {"HX-Request": "true"}


def import_review(client, text: bytes, name: str = "kim-putin.de.txt") -> int:
    """Import a German MT to review, with no source, through the API; return its id."""
    resp = client.post("/api/documents", data={
        "file": (io.BytesIO(text), name), "source_lang": "en", "target_lang": "de",
        "mode": "review"}, content_type="multipart/form-data")
    assert resp.status_code == 201, resp.get_json()
    return resp.get_json()["id"]


def starting(segs: list[dict], start: str) -> dict:
    [seg] = [s for s in segs if s["target"].startswith(start)]
    return seg


def listed_ids(client, doc: int) -> list[int]:
    html = client.get(f"/documents/{doc}?qa=1&limit=200",
                      headers={**HX, "HX-Target": "segment-list"}).get_data(as_text=True)
    return [int(i) for i in re.findall(r'<tr id="seg-(\d+)"', html)]


def test_the_seed_slips_show_in_the_qa_api_and_the_has_qa_warning_filter(client, seed_bytes):
    doc = import_review(client, seed_bytes)
    segs = segments(client, doc)
    glued = starting(segs, "Für Nord KoreaAndererseits")
    qa = client.get(f"/api/segments/{glued['id']}/qa").get_json()
    by_code = {w["code"]: w for w in qa["warnings"]}
    assert {"glued_words", "forbidden_term"} <= set(by_code)
    assert by_code["forbidden_term"]["key"] == "Nordkorea"
    assert "hidden in “Nord KoreaAndererseits”" in by_code["forbidden_term"]["message"]
    assert "truncated" in codes(client, starting(segs, "Kim Jong Un Warum sich"))
    assert "web_leftover" in codes(client, starting(segs, "toi-allgemeines"))
    assert "quotes" in codes(client, starting(segs, "„Moskaus"))
    expected = {starting(segs, s)["id"] for s in (
        "Kim Jong Un: Warum", "Kim Jong Un Warum sich", "Für Nord KoreaAndererseits",
        "„Moskaus", "toi-allgemeines")}
    assert expected <= set(listed_ids(client, doc))


def test_a_glued_word_warning_is_dismissed_until_the_text_changes(client, seed_bytes):
    doc = import_review(client, seed_bytes)
    glued = starting(segments(client, doc), "Für Nord KoreaAndererseits")
    resp = client.post(f"/api/segments/{glued['id']}/qa/dismiss", json={
        "code": "glued_words", "key": "KoreaAndererseits", "reason": "Checked: kept on purpose."})
    assert resp.status_code == 201
    assert "glued_words" not in codes(client, glued)
    assert "glued_words" in codes(client, glued, open_only=False)
    text = glued["target"].replace("KoreaAndererseits", "KoreaAndererseits ")
    save(client, glued, text)
    assert "glued_words" in codes(client, glued)


def test_a_word_on_the_document_list_is_no_longer_flagged_there_only(app, client):
    text = "Der Bericht nennt toi.\nDie Quelle heißt toi.\n".encode()
    doc = import_review(client, text)
    other = import_review(client, text, "zweites.de.txt")
    first = segments(client, doc)[0]
    assert "spelling" in codes(client, first)
    resp = client.post(f"/api/documents/{doc}/words", json={"word": "toi"})
    assert resp.status_code == 201
    assert resp.get_json()["scope"] == "document" and resp.get_json()["added_by"] == "ada"
    assert "spelling" not in codes(client, first)
    assert "spelling" in codes(client, segments(client, other)[0])
    again = client.post(f"/api/documents/{doc}/words", json={"word": "toi"})
    assert again.status_code == 422 and "already" in again.get_json()["error"]
    listed = client.get(f"/api/documents/{doc}/words").get_json()
    assert [w["word"] for w in listed["document"]] == ["toi"] and listed["team"] == []
    assert listed["lang"] == "de"
    with app.app_context(), get_sessionmaker(app)() as db:
        log = db.scalar(select(Change).where(Change.action == int(Action.WORD_ADD)))
        assert log.document_id == doc and log.details["word"] == "toi"
        assert log.details["list"] == "document"
    # Taking it off flags it again, and the log keeps both.
    entry = listed["document"][0]["id"]
    assert client.delete(f"/api/documents/{other}/words/{entry}").status_code == 404
    assert client.delete(f"/api/documents/{doc}/words/{entry}").status_code == 200
    assert "spelling" in codes(client, first)
    with app.app_context(), get_sessionmaker(app)() as db:
        actions = list(db.scalars(select(Change.action).where(Change.action.in_(
            [int(Action.WORD_ADD), int(Action.WORD_REMOVE)])).order_by(Change.id)))
        assert actions == [int(Action.WORD_ADD), int(Action.WORD_REMOVE)]


def test_the_team_list_needs_an_editor_and_counts_in_every_document(app, client_as):
    text = b"Der Bericht nennt toi.\n"
    translator, editor = client_as("translator", "tina"), client_as("editor", "eddie")
    doc = import_review(editor, text)
    other = import_review(editor, text, "zweites.de.txt")
    refused = translator.post(f"/api/documents/{doc}/words", json={"word": "toi", "list": "team"})
    assert refused.status_code == 403 and "editors" in refused.get_json()["error"]
    with app.app_context(), get_sessionmaker(app)() as db:
        assert db.scalar(select(func.count()).select_from(WordListEntry)) == 0
    made = editor.post(f"/api/documents/{doc}/words", json={"word": "toi", "list": "team"})
    assert made.status_code == 201 and made.get_json()["scope"] == "team"
    for d in (doc, other):
        assert "spelling" not in codes(translator, segments(translator, d)[0])
    entry = made.get_json()["id"]
    assert translator.delete(f"/api/documents/{doc}/words/{entry}").status_code == 403
    # An English document has its own team list.
    english = editor.post("/api/documents", data={
        "file": (io.BytesIO(b"The report names toi.\n"), "en.txt"), "source_lang": "de",
        "target_lang": "en", "mode": "review"}, content_type="multipart/form-data")
    en_doc = english.get_json()["id"]
    assert "spelling" in codes(editor, segments(editor, en_doc)[0])
    with app.app_context(), get_sessionmaker(app)() as db:
        log = db.scalar(select(Change).where(Change.action == int(Action.WORD_ADD)))
        assert log.document_id is None and log.details["from_document"] == doc


def test_bad_words_are_refused_and_nothing_is_stored(app, client):
    doc = import_review(client, b"Der Bericht nennt toi.\n")
    for body in ({"word": ""}, {"word": "zwei Wörter"}, {"word": "x" * 101}, {"word": 5},
                 {"word": "toi", "list": "everyone"}, {"word": "<script>"}):
        resp = client.post(f"/api/documents/{doc}/words", json=body)
        assert resp.status_code == 422, body
        assert resp.get_json()["error"]
    assert client.post(f"/api/documents/{doc}/words", data="x").status_code == 400
    assert client.post("/api/documents/999999/words", json={"word": "toi"}).status_code == 404
    for huge in (2**31, 2**63):
        assert client.delete(f"/api/documents/{doc}/words/{huge}").status_code == 404
    with app.app_context(), get_sessionmaker(app)() as db:
        assert db.scalar(select(func.count()).select_from(WordListEntry)) == 0
    # German umlauts and ß are words.
    assert client.post(f"/api/documents/{doc}/words",
                       json={"word": "Straßenbahnhaltestellenüberdachung"}).status_code == 201


def test_the_panel_button_adds_the_word_and_shows_the_panel_without_the_warning(client_as):
    translator = client_as("translator", "tina")
    doc = import_review(translator, b"Der Bericht nennt toi.\n")
    seg = segments(translator, doc)[0]
    page = translator.get(f"/documents/{doc}").get_data(as_text=True)
    assert f'hx-post="/segments/{seg["id"]}/qa/words"' in page
    assert "Add to document’s words" in page and "Add to team’s words" not in page
    resp = translator.post(f"/segments/{seg['id']}/qa/words", headers=HX,
                           data={"word": "toi", "list": "document"})
    assert resp.status_code == 200
    assert "code-spelling" not in resp.get_data(as_text=True)
    refused = translator.post(f"/segments/{seg['id']}/qa/words", headers=HX,
                              data={"word": "Bericht", "list": "team"})
    assert refused.status_code == 403 and "editors" in refused.get_data(as_text=True)
    bad = translator.post(f"/segments/{seg['id']}/qa/words", headers=HX,
                          data={"word": "zwei Wörter", "list": "document"})
    assert bad.status_code == 422 and "not one word" in bad.get_data(as_text=True)
