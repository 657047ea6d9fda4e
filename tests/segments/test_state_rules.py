"""State rules of a save and a restore: machine text stays a draft, empty is new, QA is said."""

from __future__ import annotations

import io
import re

from api_steps import save, segments

HX = {"HX-Request": "true"}
TEXT = ("Die Agentur Interfax meldete den Besuch.\nKim traf Putin.\n"
        "Der Kreml lobte die Beziehungen.\n")


def upload(client, text: str = TEXT) -> int:
    """Import a review document (the German MT to correct); return its id."""
    resp = client.post("/api/documents", data={
        "file": (io.BytesIO(text.encode()), "kurz.de.txt"), "source_lang": "en",
        "target_lang": "de", "mode": "review",
    }, content_type="multipart/form-data")
    assert resp.status_code == 201, resp.get_json()
    return resp.get_json()["id"]


def test_restoring_the_mt_revision_gives_back_the_mt_draft_state(client):
    seg = segments(client, upload(client))[1]
    assert seg["state"] == "mt" and seg["version"] == 1
    save(client, seg, "Kim traf Putin in Wladiwostok.")
    row = client.post(f"/segments/{seg['id']}/restore/1", headers=HX,
                      data={"base": "2"}).get_data(as_text=True)
    assert "MT draft" in row and "Translated" not in row and "v3" in row
    assert "HTER" not in row
    now = client.get(f"/api/segments/{seg['id']}").get_json()
    assert (now["state"], now["target"], now["version"]) == ("mt", "Kim traf Putin.", 3)
    # Restoring the person's text again makes it translated again.
    client.post(f"/segments/{seg['id']}/restore/2", headers=HX, data={"base": "3"})
    assert client.get(f"/api/segments/{seg['id']}").get_json()["state"] == "translated"
    hist = client.get(f"/api/segments/{seg['id']}/history").get_json()
    assert [r["kind"] for r in hist["revisions"]] == ["restore", "restore", "edit", "import"]
    assert [r["state"] for r in hist["revisions"]][:2] == ["translated", "mt"]


def test_a_restored_mt_draft_is_not_counted_as_post_edited(app, client):
    doc = upload(client)
    seg = segments(client, doc)[1]
    save(client, seg, "Kim traf Putin in Wladiwostok.")
    client.post(f"/segments/{seg['id']}/restore/1", headers=HX, data={"base": "2"})
    report = client.get(f"/documents/{doc}/report.json").get_json()
    assert [s["post_edited"] for s in report["segments"]] == [False, False, False]


def test_restore_on_a_segment_saved_by_someone_else_meanwhile_is_a_conflict(client, client_as):
    seg = segments(client, upload(client))[1]
    save(client, seg, "Kim traf Putin in Wladiwostok.")
    bea = client_as("translator", "bea")
    save(bea, seg, "Kim begegnete Putin.")
    # ada still looks at version 2 in her history list and restores v1 from it.
    resp = client.post(f"/segments/{seg['id']}/restore/1", headers=HX, data={"base": "2"})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 409
    # The name is marked translate="no" inside the sentence: compare the text read.
    assert "bea saved this segment meanwhile" in re.sub(r"<[^>]+>", "", html)
    assert "Kim begegnete Putin." in html
    assert "Kim traf Putin." in html  # the text she wanted back, offered as hers
    now = client.get(f"/api/segments/{seg['id']}").get_json()
    assert (now["target"], now["version"]) == ("Kim begegnete Putin.", 3)


def test_an_emptied_segment_is_new_and_can_be_translated_and_approved_again(client):
    seg = segments(client, upload(client))[2]
    emptied = save(client, seg, "   ")
    assert (emptied["state"], emptied["target"]) == ("new", "")
    row = client.get(f"/segments/{seg['id']}").get_data(as_text=True)
    assert "st-new" in row and "empty" in row
    refused = client.post(f"/api/segments/{seg['id']}/state", json={"state": "approved"})
    assert refused.status_code in (400, 422)
    again = save(client, seg, "Der Kreml lobte die Beziehungen sehr.")
    assert again["state"] == "translated"
    ok = client.post(f"/api/segments/{seg['id']}/state", json={"state": "approved"})
    assert ok.status_code == 200 and ok.get_json()["state"] == "approved"


def test_an_editor_emptying_an_approved_segment_makes_it_new(client):
    seg = segments(client, upload(client))[2]
    save(client, seg, "Der Kreml lobte die Beziehungen.")
    client.post(f"/api/segments/{seg['id']}/state", json={"state": "approved"})
    assert save(client, seg, "")["state"] == "new"


def test_a_save_with_a_forbidden_term_says_so_at_once(client):
    doc = upload(client)
    seg = segments(client, doc)[0]
    current = client.get(f"/api/segments/{seg['id']}").get_json()
    resp = client.put(f"/api/segments/{seg['id']}", json={
        "target": "Die Agentur Interfaks meldete den Besuch.", "version": current["version"]})
    body = resp.get_json()
    assert resp.status_code == 200 and body["state"] == "translated"
    assert [w["code"] for w in body["warnings"]] == ["forbidden_term"]
    assert "Interfaks" in body["warnings"][0]["message"]
    clean = client.put(f"/api/segments/{seg['id']}", json={
        "target": "Die Agentur Interfax meldete den Besuch.", "version": body["version"]})
    assert clean.get_json()["warnings"] == []

    # The page's save: the saved row carries the warning, and the QA filter counts it.
    row = client.post(f"/segments/{seg['id']}", headers=HX, data={
        "target": "Interfaks meldete den Besuch.", "version": clean.get_json()["version"],
    }).get_data(as_text=True)
    assert 'class="message warn saved-qa"' in row
    assert "Saved as Translated with 1 QA warning (forbidden term, below)" in row
    assert "“Interfaks” is a forbidden rendering of “Interfax”" in row
    listed = client.get(f"/documents/{doc}?qa=1", headers={**HX, "HX-Target": "segment-list"})
    assert f'id="seg-{seg["id"]}"' in listed.get_data(as_text=True)
