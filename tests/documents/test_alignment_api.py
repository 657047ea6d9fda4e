"""Uploading an original with any sentence count: the proposal, joins and splits, acceptance, errors."""

from __future__ import annotations

import io

import pytest
from api_steps import save, segments

from webapp.core.db import get_sessionmaker
from webapp.core.models import Change
from webapp.core.states import Action

GERMAN = ("Kim Jong Un ist am Dienstag mit dem Zug in Russland eingetroffen.\n"
          "Er will Präsident Wladimir Putin treffen.\n"
          "Das sagte der Kreml am Abend.\n"
          "Beide Länder stehen seit 2006 unter Sanktionen.\n"
          "Das letzte Treffen fand 2019 in Wladiwostok statt.\n")
# Five German segments, five English sentences, but not one to one: the second English
# sentence is the second and third German segments together (2:1), the fourth is split (1:2).
ENGLISH = ("Kim Jong Un arrived in Russia by train on Tuesday. "
           "He wants to meet President Vladimir Putin, the Kremlin said in the evening. "
           "Both countries have been under sanctions. They have been since 2006. "
           "The last meeting took place in Vladivostok in 2019.")


def upload_doc(client, text: str = GERMAN, mode: str = "review") -> dict:
    """Import a document through the API and return its JSON."""
    resp = client.post("/api/documents", data={
        "file": (io.BytesIO(text.encode()), "kurz.de.txt"), "source_lang": "en",
        "target_lang": "de", "mode": mode}, content_type="multipart/form-data")
    assert resp.status_code == 201, resp.get_json()
    return resp.get_json()


def upload_original(client, doc: dict, data: bytes, name: str = "orig.en.txt"):
    """Upload an original through the API and return the response."""
    return client.post(f"/api/documents/{doc['id']}/original",
                       data={"file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


@pytest.fixture
def doc(client) -> dict:
    """Return a five-segment review document."""
    return upload_doc(client)


@pytest.fixture
def proposal(client, doc) -> dict:
    """Upload the English original and return the proposal."""
    resp = upload_original(client, doc, ENGLISH.encode())
    assert resp.status_code == 201, resp.get_json()
    return resp.get_json()


def edit(client, doc: dict, what: str, **body):
    """Post a join, split or accept and return the response."""
    return client.post(f"/api/documents/{doc['id']}/alignment/{what}", json=body)


def kinds(data: dict) -> list[str]:
    """Return the kind of each link."""
    return [link["kind"] for link in data["links"]]


def test_an_original_with_a_different_sentence_count_is_proposed_not_refused(
        client, doc, proposal):
    assert proposal["sentences"] == 5 and proposal["status"] == "open"
    assert kinds(proposal) == ["1:1", "2:1", "1:2", "1:1"]
    second = proposal["links"][1]
    assert [d["index"] for d in second["de"]] == [1, 2]
    assert second["en"] == ["He wants to meet President Vladimir Putin, the Kremlin said in "
                            "the evening."]
    # A proposal is not yet the source column.
    assert all(seg["source"] == "" for seg in segments(client, doc["id"]))
    again = client.get(f"/api/documents/{doc['id']}/alignment").get_json()
    assert again["links"] == proposal["links"] and again["version"] == proposal["version"]


def test_accepting_writes_the_source_and_leaves_targets_states_and_approved_text(
        client, doc, proposal):
    segs = segments(client, doc["id"])
    save(client, segs[4], "Das letzte Treffen fand 2019 in Wladiwostok statt, hieß es.")
    resp = client.post(f"/api/segments/{segs[4]['id']}/state", json={"state": "approved"})
    assert resp.status_code == 200, resp.get_json()
    before = {s["id"]: (s["target"], s["state"], s["version"]) for s in segments(client, doc["id"])}
    resp = edit(client, doc, "accept", version=proposal["version"])
    assert resp.status_code == 200, resp.get_json()
    assert resp.get_json()["accepted"] == {"segments": 5, "without_english": 0, "shared": 1,
                                           "english_unpaired": 0}
    after = segments(client, doc["id"])
    assert [s["source"] for s in after] == [
        "Kim Jong Un arrived in Russia by train on Tuesday.",
        "He wants to meet President Vladimir Putin, the Kremlin said in the evening.",
        # The second German segment of the 2:1 link shares the English of the first.
        "",
        "Both countries have been under sanctions. They have been since 2006.",
        "The last meeting took place in Vladivostok in 2019."]
    assert {s["id"]: (s["target"], s["state"], s["version"]) for s in after} == before
    assert client.get(f"/api/documents/{doc['id']}").get_json()["source_kind"] == "original"
    assert client.get(f"/api/documents/{doc['id']}/alignment").get_json()["status"] == "accepted"


def test_every_proposal_edit_and_acceptance_is_in_the_change_log(app, client, doc, proposal):
    edit(client, doc, "split", row=3, version=proposal["version"])
    version = client.get(f"/api/documents/{doc['id']}/alignment").get_json()["version"]
    edit(client, doc, "join", row=3, version=version)
    edit(client, doc, "accept", version=version + 1)
    with app.app_context(), get_sessionmaker(app)() as db:
        actions = [Action(c.action) for c in db.query(Change).filter_by(document_id=doc["id"])
                   .order_by(Change.id)]
    assert actions[-4:] == [Action.ALIGN_PROPOSAL, Action.ALIGN_EDIT, Action.ALIGN_EDIT,
                            Action.ALIGN_SOURCE]


def test_split_sends_the_second_part_to_a_row_of_english_with_nothing_and_join_takes_it_back(
        client, doc, proposal):
    row = proposal["links"][2]
    assert row["en"] == ["Both countries have been under sanctions.", "They have been since 2006."]
    resp = edit(client, doc, "split", row=3, version=proposal["version"])
    data = resp.get_json()
    assert resp.status_code == 200 and kinds(data) == ["1:1", "2:1", "1:1", "0:1", "1:1"]
    assert data["links"][3]["en"] == ["They have been since 2006."]
    assert data["links"][3]["de"] == [] and data["version"] == proposal["version"] + 1
    data = edit(client, doc, "join", row=3, version=data["version"]).get_json()
    assert kinds(data) == ["1:1", "2:1", "1:2", "1:1"]
    assert all(link["edited"] for link in data["links"][2:3])


def test_split_at_a_character_divides_a_sentence_and_gives_each_shared_segment_its_part(
        client, doc, proposal):
    text = proposal["links"][1]["en"][0]
    at = text.index("the Kremlin")
    data = edit(client, doc, "split", row=2, at=at, version=proposal["version"]).get_json()
    assert kinds(data)[:3] == ["1:1", "1:1", "1:1"]
    assert data["links"][1]["en"] == ["He wants to meet President Vladimir Putin,"]
    assert data["links"][2]["en"] == ["the Kremlin said in the evening."]
    assert [d["index"] for d in data["links"][2]["de"]] == [2]


def test_join_with_a_german_row_that_has_no_english_makes_them_share(client, doc, proposal):
    data = edit(client, doc, "split", row=2, at=len(proposal["links"][1]["en"][0]) // 2,
                version=proposal["version"]).get_json()
    data = edit(client, doc, "join", row=2, version=data["version"]).get_json()
    # The third row's German now has no English...
    assert data["links"][2]["en"] == [] and kinds(data)[1:3] == ["1:2", "1:0"]
    # ...and joining it again makes the two German segments share the English (2:1).
    data = edit(client, doc, "join", row=2, version=data["version"]).get_json()
    assert kinds(data)[1] == "2:2" and [d["index"] for d in data["links"][1]["de"]] == [1, 2]


def test_a_stale_version_is_refused_and_nothing_changes(client, doc, proposal):
    first = edit(client, doc, "join", row=1, version=proposal["version"])
    assert first.status_code == 200
    stale = edit(client, doc, "split", row=3, version=proposal["version"])
    assert stale.status_code == 409 and "changed meanwhile" in stale.get_json()["message"]
    assert client.get(f"/api/documents/{doc['id']}/alignment").get_json() == first.get_json()


@pytest.mark.parametrize("body, status, message", [
    ({"row": 4, "version": 1}, 422, "no next row"),
    ({"row": 99, "version": 1}, 422, "There is no row 99"),
    ({"row": "1", "version": 1}, 400, "'row' must be a whole number"),
    ({"row": 1}, 400, "'version' must be a whole number"),
])
def test_impossible_joins_are_refused_with_a_reason(client, doc, proposal, body, status, message):
    resp = edit(client, doc, "join", **body)
    assert resp.status_code == status and message in resp.get_json()["message"]
    assert client.get(f"/api/documents/{doc['id']}/alignment").get_json() == proposal


def test_splitting_needs_a_point_that_splits_something_off(client, doc, proposal):
    resp = edit(client, doc, "split", row=1, version=proposal["version"])
    assert resp.status_code == 422 and "Say where to split" in resp.get_json()["message"]
    end = len(proposal["links"][0]["en"][0])
    resp = edit(client, doc, "split", row=1, at=end, version=proposal["version"])
    assert resp.status_code == 422 and "not at its end" in resp.get_json()["message"]


def test_split_at_the_start_of_a_shared_row_leaves_the_first_german_with_no_english(
        client, doc, proposal):
    data = edit(client, doc, "split", row=2, at=0, version=proposal["version"]).get_json()
    assert kinds(data)[1:3] == ["1:0", "1:1"]
    assert data["links"][2]["en"] == proposal["links"][1]["en"]


@pytest.mark.parametrize("data, status, message", [
    (b"", 422, "The file is empty."),
    ("Hello there. Again.".encode("utf-32"), 422, "UTF-32"),
    (b"\x00\x01\x02PK\x03\x04" * 50, 422, "looks binary"),
    (b"\xef\xbb\xbfStra\xdfe.", 422, "not valid UTF-8"),
    (b"   \n\n  ", 422, "only whitespace"),
    (b"Sentence. " * 2_000, 413, "The file is 20,000 bytes; the limit is 19,999 bytes."),
])
def test_a_bad_upload_is_refused_and_the_stored_proposal_is_unchanged(
        app, client, doc, proposal, data, status, message):
    # Uploads over 5 MB are refused; a smaller file stands for a huge one (the test client
    # would leave a 5 MB upload's spooled temporary file for the garbage collector).
    assert app.config["MAX_UPLOAD_BYTES"] == 5 * 1024 * 1024
    app.config["MAX_UPLOAD_BYTES"] = 19_999 if len(data) == 20_000 else 5 * 1024 * 1024
    resp = upload_original(client, doc, data)
    assert resp.status_code == status and message in resp.get_json()["message"]
    assert client.get(f"/api/documents/{doc['id']}/alignment").get_json() == proposal
    assert all(seg["source"] == "" for seg in segments(client, doc["id"]))


def test_reupload_replaces_the_proposal(client, doc, proposal):
    edit(client, doc, "join", row=1, version=proposal["version"])
    resp = upload_original(client, doc, b"Kim arrived. Putin waited.", "second.txt")
    data = resp.get_json()
    assert resp.status_code == 201 and data["filename"] == "second.txt"
    assert data["sentences"] == 2 and data["version"] == 1
    assert client.get(f"/api/documents/{doc['id']}/alignment").get_json() == data


def test_a_translation_document_takes_no_original(client):
    doc = upload_doc(client, "One sentence. Another one.", mode="translate")
    resp = upload_original(client, doc, b"Ein Satz.")
    assert resp.status_code == 422 and "Only a review document" in resp.get_json()["message"]


def test_accepting_after_the_segments_were_split_is_refused(client, doc, proposal):
    seg = segments(client, doc["id"])[0]
    resp = client.post(f"/segments/{seg['id']}/split", data={"offset": 12})
    assert resp.status_code == 200
    resp = edit(client, doc, "accept", version=proposal["version"])
    assert resp.status_code == 422 and "upload it again" in resp.get_json()["message"]
    assert all(s["source"] == "" for s in segments(client, doc["id"]))


def test_accepted_english_with_nothing_stays_visible_in_the_proposal(client, doc):
    extra = ENGLISH + " Reporting by Hyonhee Shin in Seoul; editing by Lincoln Feast and others."
    data = upload_original(client, doc, extra.encode()).get_json()
    assert data["links"][-1]["de"] == [] and data["links"][-1]["low_confidence"]
    done = edit(client, doc, "accept", version=data["version"]).get_json()
    assert done["accepted"]["english_unpaired"] == 1
    assert done["links"][-1]["en"] == ["Reporting by Hyonhee Shin in Seoul; editing by Lincoln "
                                       "Feast and others."]


def test_accepted_alignment_cannot_be_edited(client, doc, proposal):
    edit(client, doc, "accept", version=proposal["version"])
    resp = edit(client, doc, "join", row=1, version=proposal["version"] + 1)
    assert resp.status_code == 422 and "was accepted" in resp.get_json()["message"]


def test_roles_anonymous_is_refused_and_a_translator_may_align(anon_client, client_as, doc):
    assert anon_client.get(f"/api/documents/{doc['id']}/alignment").status_code == 401
    resp = anon_client.post(f"/api/documents/{doc['id']}/original",
                            data={"file": (io.BytesIO(b"Hi."), "o.txt")},
                            content_type="multipart/form-data")
    assert resp.status_code in (401, 403)
    translator = client_as("translator")
    resp = upload_original(translator, doc, ENGLISH.encode())
    assert resp.status_code == 201
    resp = edit(translator, doc, "accept", version=resp.get_json()["version"])
    assert resp.status_code == 200


def test_no_proposal_is_a_404(client, doc):
    assert client.get(f"/api/documents/{doc['id']}/alignment").status_code == 404
    assert edit(client, doc, "join", row=1, version=1).status_code == 404


def test_the_upload_page_shows_its_error_once_not_under_every_row(client, doc, proposal):
    resp = client.post(f"/documents/{doc['id']}/original",
                       data={"file": (io.BytesIO(b"\x00\x01binary"), "o.txt")},
                       content_type="multipart/form-data")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 400 and html.count("The file looks binary") == 1


def test_the_page_upload_opens_the_alignment_view_with_rows_to_check(client, doc):
    resp = client.post(f"/documents/{doc['id']}/original",
                       data={"file": (io.BytesIO(ENGLISH.encode()), "o.txt")},
                       content_type="multipart/form-data")
    assert resp.status_code == 303 and resp.headers["Location"].endswith("/alignment")
    html = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert html.count('class="align-row') == 4
    assert "shares the English with #2" in html


def test_the_editor_marks_a_segment_that_shares_its_neighbours_english(client, doc, proposal):
    page = client.get(f"/documents/{doc['id']}").get_data(as_text=True)
    assert "shares the English of" not in page
    edit(client, doc, "accept", version=proposal["version"])
    page = client.get(f"/documents/{doc['id']}").get_data(as_text=True)
    assert page.count("shares the English of #2") == 1
