"""Search and replace in a document's targets: count, preview, apply, undo; through the API
and the editor's fragments, against stale versions, locks, approvals and a second person."""

from __future__ import annotations

import io
import re

import pytest
from api_steps import save, segments
from sqlalchemy import select

from webapp.core.models import Change, ReplaceBatch
from webapp.core.states import Action

SLIP = r"/Nord\s?Korea/"
HX = {"HX-Request": "true"}


def upload(client, text: str, name: str = "t.de.txt", mode: str = "review") -> int:
    """Import a text through the API and return the document id."""
    resp = client.post("/api/documents", data={
        "file": (io.BytesIO(text.encode()), name), "source_lang": "en", "target_lang": "de",
        "mode": mode}, content_type="multipart/form-data")
    assert resp.status_code == 201, resp.get_data(as_text=True)
    return resp.get_json()["id"]


@pytest.fixture
def seed(client, seed_bytes) -> int:
    """The seed article as a review document (its German MT is the target)."""
    return upload(client, seed_bytes.decode(), "kim-putin.de.txt")


@pytest.fixture
def translator(client_as):
    """Return a translator's client."""
    return client_as("translator", "tina")


def preview(client, doc: int, find: str, replace: str, **toggles):
    """Return the replace preview's response."""
    return client.post(f"/api/documents/{doc}/replace/preview",
                       json={"find": find, "replace": replace, **toggles})


def apply(client, doc: int, find: str, replace: str, chosen: list[dict], **toggles):
    """Apply a replace to the chosen preview entries and return the response."""
    return client.post(f"/api/documents/{doc}/replace", json={
        "find": find, "replace": replace, **toggles,
        "segments": [{"id": c["segment_id"], "version": c["version"]} for c in chosen]})


def test_the_search_counts_hits_across_the_whole_document(client, seed):
    targets = [s["target"] for s in segments(client, seed)]
    expected = [len(re.findall(r"Nord\s?Korea", t, re.I)) for t in targets]
    body = client.get(f"/api/documents/{seed}/search", query_string={
        "q": SLIP, "in": "target"}).get_json()
    assert body["hits"] == sum(expected) > 5
    assert body["segments"] == sum(1 for n in expected if n)
    strict = client.get(f"/api/documents/{seed}/search", query_string={
        "q": SLIP, "in": "target", "case": "1"}).get_json()
    assert strict["hits"] == 1 and strict["regex"] is True
    (only,) = strict["segment_ids"]
    assert "Nord KoreaAndererseits" in client.get(f"/api/segments/{only}").get_json()["target"]
    # The same syntax pages the segments of the API.
    page = client.get(f"/api/documents/{seed}/segments",
                      query_string={"q": SLIP, "case": "1", "in": "target"}).get_json()
    assert [s["id"] for s in page["segments"]] == [only]


def test_the_list_marks_and_counts_the_hits_of_a_regex_typed_between_slashes(client, seed):
    html = client.get(f"/documents/{seed}", query_string={"q": SLIP, "case": "1", "in": "target"},
                      headers={**HX, "HX-Target": "segment-list"}).get_data(as_text=True)
    assert html.count('<tr id="seg-') == 1
    assert '<mark class="hit">Nord Korea</mark>Andererseits' in html
    assert "<strong>1 hit</strong> in 1 segment" in html
    many = client.get(f"/documents/{seed}", query_string={"q": SLIP},
                      headers={**HX, "HX-Target": "segment-list"}).get_data(as_text=True)
    count = client.get(f"/api/documents/{seed}/search", query_string={"q": SLIP}).get_json()
    assert f"<strong>{count['hits']} hits</strong> in {count['segments']} segments" in many
    # Whole words: "Nordkoreas" and "Nordkoreanischer" are other words.
    words = client.get(f"/api/documents/{seed}/search",
                       query_string={"q": "Nordkorea", "word": "1", "in": "target"}).get_json()
    loose = client.get(f"/api/documents/{seed}/search",
                       query_string={"q": "Nordkorea", "in": "target"}).get_json()
    assert 0 < words["hits"] < loose["hits"]


def test_hostile_markup_in_a_segment_stays_text_when_its_hits_are_marked(client):
    doc = upload(client, 'Kim <script>alert("x")</script> und <img src=x onerror=alert(1)> Kim.\n')
    html = client.get(f"/documents/{doc}", query_string={"q": "/<script>|Kim/"},
                      headers={**HX, "HX-Target": "segment-list"}).get_data(as_text=True)
    assert "<script>" not in html and "<img" not in html
    assert '<mark class="hit">&lt;script&gt;</mark>alert' in html
    assert html.count('<mark class="hit">Kim</mark>') == 2  # a review document: no source
    seg = segments(client, doc)[0]
    body = preview(client, doc, "Kim", "<b>Kim</b>").get_json()
    assert body["changes"][0]["after"].startswith("<b>Kim</b> <script>")
    frag = client.post(f"/documents/{doc}/replace/preview", data={"q": "Kim", "replace": "<b>"},
                       headers=HX).get_data(as_text=True)
    assert "<b>" not in frag and "<script>" not in frag and "&lt;b&gt;" in frag
    assert f'value="{seg["id"]}:{seg["version"]}"' in frag


def test_preview_shows_every_change_and_writes_nothing(client, seed):
    before = segments(client, seed)
    body = preview(client, seed, SLIP, "Nordkorea. ", case=True).get_json()
    assert body["segments"] == body["replaceable"] == 1
    (change,) = body["changes"]
    assert "Nord KoreaAndererseits" in change["before"]
    assert "Nordkorea. Andererseits" in change["after"] and change["hits"] == 1
    assert segments(client, seed) == before


def test_apply_writes_one_revision_per_segment_marked_as_the_batch(app, client, seed):
    chosen = preview(client, seed, "Pjöngjang", "Pjöngjang (Nordkorea)").get_json()["changes"]
    assert len(chosen) >= 3
    resp = apply(client, seed, "Pjöngjang", "Pjöngjang (Nordkorea)", chosen)
    assert resp.status_code == 201, resp.get_json()
    body = resp.get_json()
    batch = body["batch"]
    assert batch["segments"] == len(chosen) and batch["find"] == "Pjöngjang"
    assert not body["conflicts"] and not body["skipped"]
    for c in chosen:
        seg = client.get(f"/api/segments/{c['segment_id']}").get_json()
        assert seg["target"] == c["after"] and seg["version"] == c["version"] + 1
        # A draft nobody has read whole stays a draft: the replace vouches for no segment.
        assert seg["state"] == c["state"] == "mt"
        revs = client.get(f"/api/segments/{c['segment_id']}/history").get_json()["revisions"]
        assert revs[0]["kind"] == "replace" and revs[0]["batch_id"] == batch["id"]
        assert revs[0]["text"] == c["after"] and revs[1]["text"] == c["before"]
    with app.extensions["webapp.sessionmaker"]() as db:
        rows = db.scalars(select(Change).where(Change.action == int(Action.REPLACE))).all()
        assert len(rows) == len(chosen) and {r.details["batch"] for r in rows} == {batch["id"]}


def test_a_segment_another_person_saved_since_the_preview_is_reported_not_overwritten(
        client, translator, seed):
    chosen = preview(translator, seed, "Pjöngjang", "Pyongyang").get_json()["changes"]
    theirs = save(client, {"id": chosen[1]["segment_id"]}, "Ada hat das hier neu geschrieben.")
    body = apply(translator, seed, "Pjöngjang", "Pyongyang", chosen).get_json()
    assert [c["segment_id"] for c in body["conflicts"]] == [chosen[1]["segment_id"]]
    assert "changed meanwhile by ada" in body["conflicts"][0]["reason"]
    assert len(body["replaced"]) == len(chosen) - 1
    now = client.get(f"/api/segments/{theirs['id']}").get_json()
    assert now["target"] == "Ada hat das hier neu geschrieben." and now["version"] == theirs["version"]


def test_approved_and_locked_segments_are_refused_and_a_selection_with_them_writes_nothing(
        client, translator, client_as):
    doc = upload(client, "Kim sprach.\nKim schwieg.\nKim ging.\n")
    segs = segments(client, doc)
    assert client.post(f"/api/segments/{segs[1]['id']}/state",
                       json={"state": "approved"}).status_code == 200
    body = preview(translator, doc, "Kim", "Putin").get_json()
    refused = [c for c in body["changes"] if not c["replaceable"]]
    assert [c["number"] for c in refused] == [2] and "only an editor" in refused[0]["refused"]
    resp = apply(translator, doc, "Kim", "Putin", body["changes"])
    assert resp.status_code == 422 and "Nothing was replaced" in resp.get_json()["message"]
    assert [s["target"] for s in segments(client, doc)] == [s["target"] for s in segs]
    # An editor may change the approved segment, which stays approved.
    editor = client_as("editor", "ed")
    body = preview(editor, doc, "Kim", "Putin").get_json()
    assert apply(editor, doc, "Kim", "Putin", body["changes"]).status_code == 201
    after = segments(client, doc)
    assert [s["target"] for s in after] == ["Putin sprach.", "Putin schwieg.", "Putin ging."]
    assert after[1]["state"] == "approved"


def test_a_locked_xliff_unit_is_never_replaced(client):
    xliff = b"""<?xml version="1.0" encoding="UTF-8"?>
<xliff xmlns="urn:oasis:names:tc:xliff:document:1.2" version="1.2"><file original="m"
  source-language="en" target-language="de" datatype="plaintext"><body>
  <trans-unit id="a"><source>ACME sells.</source><target>ACME verkauft.</target></trans-unit>
  <trans-unit id="b" translate="no"><source>ACME GmbH</source><target>ACME GmbH</target></trans-unit>
</body></file></xliff>"""
    resp = client.post("/api/documents", data={"file": (io.BytesIO(xliff), "m.xlf")},
                       content_type="multipart/form-data")
    doc = resp.get_json()["id"]
    changes = preview(client, doc, "ACME", "Acme").get_json()["changes"]
    assert [c["replaceable"] for c in changes] == [True, False]
    assert "is locked" in changes[1]["refused"]
    assert apply(client, doc, "ACME", "Acme", changes[1:]).status_code == 422
    assert apply(client, doc, "ACME", "Acme", changes[:1]).status_code == 201
    assert [s["target"] for s in segments(client, doc)] == ["Acme verkauft.", "ACME GmbH"]


def test_a_replace_that_would_empty_segments_is_refused(client):
    doc = upload(client, "Kim sprach.\nDer Kreml schwieg.\n")
    changes = preview(client, doc, "/.+/", "").get_json()["changes"]
    assert len(changes) == 2 and not any(c["replaceable"] for c in changes)
    assert "would be left empty" in changes[0]["refused"]
    resp = apply(client, doc, "/.+/", "", changes)
    assert resp.status_code == 422 and "left empty" in resp.get_json()["message"]
    # Deleting words is fine as long as something is left.
    changes = preview(client, doc, "Der ", "").get_json()["changes"]
    assert apply(client, doc, "Der ", "", changes).status_code == 201
    assert segments(client, doc)[1]["target"] == "Kreml schwieg."


def test_undo_restores_the_batch_as_new_revisions_and_skips_what_was_edited_since(
        client, translator, seed):
    before = {s["id"]: s for s in segments(client, seed)}
    chosen = preview(translator, seed, "Pjöngjang", "Pyongyang").get_json()["changes"]
    batch = apply(translator, seed, "Pjöngjang", "Pyongyang", chosen).get_json()["batch"]
    edited = chosen[0]["segment_id"]
    save(client, {"id": edited}, "Ada war hier.")
    resp = translator.post(f"/api/documents/{seed}/replace/{batch['id']}/undo")
    assert resp.status_code == 200, resp.get_json()
    body = resp.get_json()
    assert [s["segment_id"] for s in body["skipped"]] == [edited]
    assert "edited since the replace (by ada" in body["skipped"][0]["reason"]
    assert len(body["replaced"]) == len(chosen) - 1
    for c in chosen[1:]:
        seg = client.get(f"/api/segments/{c['segment_id']}").get_json()
        assert seg["target"] == before[c["segment_id"]]["target"]
        assert seg["version"] == c["version"] + 2  # history only grows
        rev = client.get(f"/api/segments/{seg['id']}/history").get_json()["revisions"][0]
        assert rev["kind"] == "replace-undo" and rev["batch_id"] == batch["id"]
    assert client.get(f"/api/segments/{edited}").get_json()["target"] == "Ada war hier."
    again = translator.post(f"/api/documents/{seed}/replace/{batch['id']}/undo")
    assert again.status_code == 409 and "undone already" in again.get_json()["message"]


def test_only_the_author_or_an_editor_may_undo_a_replace(app, client, translator, client_as,
                                                         seed):
    chosen = preview(client, seed, "Pjöngjang", "Pyongyang").get_json()["changes"]
    batch = apply(client, seed, "Pjöngjang", "Pyongyang", chosen).get_json()["batch"]
    other = client_as("translator", "tom")
    assert other.post(f"/api/documents/{seed}/replace/{batch['id']}/undo").status_code == 403
    assert client.post(f"/api/documents/{seed + 1}/replace/{batch['id']}/undo").status_code == 404
    with app.extensions["webapp.sessionmaker"]() as db:
        assert db.get(ReplaceBatch, batch["id"]).undone_at is None


@pytest.mark.parametrize("body, status, message", [
    ({"find": "", "replace": "x"}, 400, "Say what to search for"),
    ({"find": "   ", "replace": "x"}, 400, "Say what to search for"),
    ({"replace": "x"}, 400, "'find'"),
    ({"find": "/[/", "replace": "x"}, 400, "not valid"),
    ({"find": "/(a)\\1/", "replace": "x"}, 422, "RE2 syntax"),
    ({"find": "K" * 1001, "replace": "x"}, 422, "at most 1,000"),
    ({"find": "Kim", "replace": "x" * 1001}, 422, "at most 1,000"),
    ({"find": "Kim"}, 400, "'replace' must be a string"),
    ({"find": "Kim", "replace": 3}, 400, "'replace' must be a string"),
    ({"find": "/(Kim)/", "replace": "\\2"}, 400, "group 2"),
    ({"find": "Kim", "replace": "x", "regex": "yes"}, 400, "'regex' must be true or false"),
])
def test_bad_searches_and_replacements_get_a_clear_message(client, seed, body, status, message):
    resp = client.post(f"/api/documents/{seed}/replace/preview", json=body)
    assert resp.status_code == status and message in resp.get_json()["message"], resp.get_json()


def test_bad_apply_requests_change_nothing(client, seed):
    before = segments(client, seed)
    other = upload(client, "Pjöngjang schwieg.\n")
    foreign = segments(client, other)[0]
    for extra, status in (({"segments": "all"}, 400), ({"segments": [{"id": 1}]}, 400),
                          ({"segments": []}, 400),
                          ({"segments": [{"id": 2**40, "version": 1}]}, 400),
                          ({"segments": [{"id": 1, "version": -1}]}, 400),
                          ({"segments": [{"id": foreign["id"], "version": 1}]}, 400)):
        resp = client.post(f"/api/documents/{seed}/replace",
                           json={"find": "Pjöngjang", "replace": "P", **extra})
        assert resp.status_code == status, (extra, resp.get_json())
    assert segments(client, seed) == before
    assert client.get(f"/api/documents/{seed}/search").status_code == 400
    assert client.get(f"/api/documents/{seed}/search?q=/(?=K)/").status_code == 422


def test_the_editor_fragments_preview_apply_and_undo(client, seed):
    frag = client.post(f"/documents/{seed}/replace/preview",
                       data={"q": SLIP, "case": "1", "replace": "Nordkorea. "}, headers=HX)
    html = frag.get_data(as_text=True)
    assert frag.status_code == 200 and html.count('name="seg"') == 1
    assert '<mark class="hit-old">Nord Korea</mark>' in html
    assert '<mark class="hit-new">Nordkorea. </mark>Andererseits' in html
    (value,) = re.findall(r'name="seg" value="([0-9:]+)"', html)
    done = client.post(f"/documents/{seed}/replace", headers=HX, data={
        "q": SLIP, "case": "1", "replace": "Nordkorea. ", "seg": value})
    assert done.headers["HX-Trigger"] == "segments-changed"
    text = done.get_data(as_text=True)
    assert "Replaced in 1 segment." in text
    undo_url = re.search(r'hx-post="([^"]+/undo)"', text).group(1)
    seg_id = int(value.split(":")[0])
    assert "Nordkorea. Andererseits" in client.get(f"/api/segments/{seg_id}").get_json()["target"]
    undone = client.post(undo_url, headers=HX).get_data(as_text=True)
    assert "Undone." in undone
    assert "Nord KoreaAndererseits" in client.get(f"/api/segments/{seg_id}").get_json()["target"]
    bad = client.post(f"/documents/{seed}/replace/preview", data={"q": "/[/", "replace": "x"},
                      headers=HX)
    assert bad.status_code == 400 and "not valid" in bad.get_data(as_text=True)


def test_whole_word_replace_in_german_and_japanese_text_and_its_undo(client):
    text = "Die „Straße“ und die Straßen.\n日本語のStraße、STRASSE!\n"
    doc = upload(client, text)
    before = [s["target"] for s in segments(client, doc)]
    changes = preview(client, doc, "strasse", "Gasse", word=True).get_json()["changes"]
    assert [c["after"] for c in changes] == ["Die „Gasse“ und die Straßen.",
                                             "日本語のStraße、Gasse!"]
    batch = apply(client, doc, "strasse", "Gasse", changes, word=True).get_json()["batch"]
    assert batch["options"] == "word" and batch["find"] == "strasse"
    assert client.post(f"/api/documents/{doc}/replace/{batch['id']}/undo").status_code == 200
    assert [s["target"] for s in segments(client, doc)] == before


def test_a_replace_never_breaks_an_inline_tag(client):
    xliff = b"""<?xml version="1.0" encoding="UTF-8"?>
<xliff xmlns="urn:oasis:names:tc:xliff:document:1.2" version="1.2"><file original="m"
  source-language="en" target-language="de" datatype="plaintext"><body>
  <trans-unit id="2"><source>Open the <g id="i">file</g>.</source>
   <target state="translated">Die <g id="i">Datei</g> &#246;ffnen.</target></trans-unit>
</body></file></xliff>"""
    doc = client.post("/api/documents", data={"file": (io.BytesIO(xliff), "t.xlf")},
                      content_type="multipart/form-data").get_json()["id"]
    (seg,) = segments(client, doc)
    # Over a tag: the tag would be lost. Inside it: the tag stays, the word changes.
    (over,) = preview(client, doc, "/Die.*öffnen/", "Öffnen").get_json()["changes"]
    assert not over["replaceable"] and "inline tag" in over["refused"]
    (inside,) = preview(client, doc, "Datei", "Akte").get_json()["changes"]
    assert inside["replaceable"]
    assert apply(client, doc, "Datei", "Akte", [inside]).status_code == 201
    after = client.get(f"/api/segments/{seg['id']}").get_json()["target"]
    assert after == seg["target"].replace("Datei", "Akte")
    html = client.get(f"/documents/{doc}", query_string={"q": "Akte"},
                      headers={**HX, "HX-Target": "segment-list"}).get_data(as_text=True)
    assert '<mark class="hit">Akte</mark>' in html and 'class="tag tag-open"' in html
