"""Segment QA in the app: dismissing and reopening warnings, the QA filter, the QA API."""

from __future__ import annotations

import io
import re

from api_steps import codes, save, segments
from sqlalchemy import select

from webapp.core.db import get_sessionmaker
from webapp.core.models import Change
from webapp.core.states import Action
from webapp.qa import checks as qa_module

HX = {"HX-Request": "true"}

# A German text to translate into English: one term, DNT name or number per line.
DE = (
    "Der UN-Sicherheitsrat tagte am Montag in Pjöngjang.\n\n"
    "Artyom Lukin schrieb für 38 North über Wladiwostok.\n\n"
    "Die Nachrichtenagentur Interfax meldete 15 Raketen.\n\n"
    "Moskau schwieg.\n"
)


def upload(client, text: str = DE) -> int:
    """Import a German text to translate into English through the API; return the document id."""
    resp = client.post("/api/documents", data={
        "file": (io.BytesIO(text.encode()), "article.txt"), "source_lang": "de",
        "target_lang": "en", "mode": "translate",
    }, content_type="multipart/form-data")
    assert resp.status_code == 201, resp.get_json()
    return resp.get_json()["id"]


def test_a_warning_is_dismissed_with_a_reason_and_stays_dismissed_for_that_text(app, client):
    doc = upload(client)
    first = segments(client, doc)[0]
    save(client, first, "The Security Council met in Pyongyang on Monday.")
    url = f"/segments/{first['id']}/qa/dismiss"
    key = "UN-Sicherheitsrat"
    refused = client.post(url, headers=HX, data={"code": "missing_term", "key": key})
    assert refused.status_code == 422
    assert "Say why the warning does not apply" in refused.get_data(as_text=True)

    resp = client.post(url, headers=HX, data={
        "code": "missing_term", "key": key,
        f"reason:missing_term:{key}": "The council was named in the sentence before."})
    panel = resp.get_data(as_text=True)
    assert resp.status_code == 200 and panel.lstrip().startswith('<div class="seg-glossary"')
    assert "qa-item" not in panel and "1 dismissed" in panel
    assert "ada: The council was named in the sentence before." in panel
    qa = client.get(f"/api/segments/{first['id']}/qa").get_json()
    assert qa["open"] == 0
    assert qa["warnings"][0]["dismissed"]["author"] == "ada"
    with app.app_context(), get_sessionmaker(app)() as db:
        log = db.scalar(select(Change).where(Change.action == int(Action.QA_DISMISS)))
        assert log.details["reason"] == "The council was named in the sentence before."

    # A new text is a new judgement; going back to the dismissed text keeps it dismissed.
    save(client, first, "The Security Council met in Pyongyang on Monday!")
    assert "missing_term" in codes(client, first)
    save(client, first, "The Security Council met in Pyongyang on Monday.")
    assert "missing_term" not in codes(client, first)
    again = client.post(url, headers=HX, data={"code": "missing_term", "key": key,
                                                "reason": "twice"})
    assert again.status_code == 409


def test_a_dismissal_can_be_taken_back_and_the_log_keeps_both(app, client):
    doc = upload(client)
    first = segments(client, doc)[0]
    save(client, first, "The Security Council met in Pyongyang on Monday.")
    key = "UN-Sicherheitsrat"
    client.post(f"/segments/{first['id']}/qa/dismiss", headers=HX, data={
        "code": "missing_term", "key": key, "reason": "Named in the sentence before."})
    dismissed = client.get(f"/api/segments/{first['id']}/qa").get_json()["warnings"][0]
    dismissal = dismissed["dismissed"]["id"]
    panel = client.get(f"/documents/{doc}").get_data(as_text=True)
    assert f'hx-post="/segments/{first["id"]}/qa/reopen"' in panel
    assert f'{{"dismissal": {dismissal}}}' in panel

    resp = client.post(f"/segments/{first['id']}/qa/reopen", headers=HX,
                       data={"dismissal": str(dismissal)})
    panel = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "qa-item code-missing_term" in panel
    assert "dismissed" not in panel
    assert client.get(f"/api/segments/{first['id']}/qa").get_json()["open"] == 1
    gone = client.post(f"/segments/{first['id']}/qa/reopen", headers=HX,
                       data={"dismissal": str(dismissal)})
    assert gone.status_code == 409 and "gone already" in gone.get_data(as_text=True)
    with app.app_context(), get_sessionmaker(app)() as db:
        actions = [c.action for c in db.scalars(
            select(Change).where(Change.segment_id == first["id"]).order_by(Change.id))]
        assert actions[-2:] == [int(Action.QA_DISMISS), int(Action.QA_REOPEN)]
        reopened = db.scalar(select(Change).where(Change.action == int(Action.QA_REOPEN)))
        assert reopened.details["reason"] == "Named in the sentence before."
        assert reopened.details["dismissed_by"] == "ada"

    # The API: dismiss again, take it back by id; another segment's id is refused.
    made = client.post(f"/api/segments/{first['id']}/qa/dismiss",
                       json={"code": "missing_term", "key": key, "reason": "Again."})
    again = made.get_json()["dismissed"]["id"]
    other = segments(client, doc)[1]
    assert client.post(f"/api/segments/{other['id']}/qa/reopen",
                       json={"dismissal": again}).status_code == 404
    assert client.post(f"/api/segments/{first['id']}/qa/reopen",
                       json={"dismissal": "x"}).status_code == 400
    for huge in (2**31, 2**63, -1):  # beyond the column: no such dismissal, not a 500
        assert client.post(f"/api/segments/{first['id']}/qa/reopen",
                           json={"dismissal": huge}).status_code == 404
    ok = client.post(f"/api/segments/{first['id']}/qa/reopen", json={"dismissal": again})
    assert ok.status_code == 200 and ok.get_json()["reopened"]["reason"] == "Again."
    assert client.get(f"/api/segments/{first['id']}/qa").get_json()["open"] == 1


def test_the_segment_list_can_be_narrowed_to_segments_with_open_warnings(client):
    doc = upload(client)
    segs = segments(client, doc)
    save(client, segs[0], "The Security Council met in Pyongyang on Monday.")
    save(client, segs[1], "Artyom Lukin wrote for 38 North about Vladivostok.")
    save(client, segs[2], "The news agency Interfax reported 16 missiles.")
    page = client.get(f"/documents/{doc}").get_data(as_text=True)
    assert 'name="qa" value="1"' in page and "has QA warning" in page
    listed = client.get(f"/documents/{doc}?qa=1", headers={**HX, "HX-Target": "segment-list"})
    ids = re.findall(r'<tr id="seg-(\d+)"', listed.get_data(as_text=True))
    # Segment 4 is untranslated (no target): no warning; segment 2 is right.
    assert ids == [str(segs[0]["id"]), str(segs[2]["id"])]
    client.post("/api/segments/{}/qa/dismiss".format(segs[2]["id"]),
                json={"code": "numbers", "reason": "The source miscounts; checked."})
    listed = client.get(f"/documents/{doc}?qa=1", headers={**HX, "HX-Target": "segment-list"})
    assert re.findall(r'<tr id="seg-(\d+)"', listed.get_data(as_text=True)) == [
        str(segs[0]["id"])]


def test_after_a_save_the_qa_filter_checks_only_the_saved_segment_again(client, monkeypatch):
    doc = upload(client)
    segs = segments(client, doc)
    save(client, segs[0], "The Security Council met in Pyongyang on Monday.")
    checked = []
    real = qa_module.content_checks
    monkeypatch.setattr(qa_module, "content_checks",
                        lambda gloss, source, target, *rest: checked.append(target)
                        or real(gloss, source, target, *rest))

    def listed() -> list[str]:
        html = client.get(f"/documents/{doc}?qa=1",
                          headers={**HX, "HX-Target": "segment-list"}).get_data(as_text=True)
        return re.findall(r'<tr id="seg-(\d+)"', html)

    # Each row listed is checked once more as it is drawn; the rest is the filter's work.
    first = "The Security Council met in Pyongyang on Monday."
    assert listed() == [str(segs[0]["id"])]
    assert len(checked) == len(segs) + 1 and checked.count(first) == 2
    checked.clear()
    assert listed() == [str(segs[0]["id"])] and checked == [first]  # unchanged: no recheck
    checked.clear()
    save(client, segs[0], "The UN Security Council met in Pyongyang on Monday.")
    save(client, segs[2], "The news agency Interfax reported 16 missiles.")
    checked.clear()
    assert listed() == [str(segs[2]["id"])]
    assert sorted(checked) == sorted(["The UN Security Council met in Pyongyang on Monday.",
                                      "The news agency Interfax reported 16 missiles.",
                                      "The news agency Interfax reported 16 missiles."])


def test_the_qa_api_has_glossary_text_and_registered_checks(app, client):
    doc = upload(client)
    segs = segments(client, doc)
    save(client, segs[2], "The news agency  Interfax reported 16 missiles")
    save(client, segs[3], "Moskau schwieg.")
    app.extensions["webapp.qa_providers"].append(
        lambda seg: [{"code": "tag_missing", "message": "A tag is missing."}]
        if "Interfax" in seg.target else [])
    data = client.get(f"/api/segments/{segs[2]['id']}/qa").get_json()
    found = {w["code"]: w["message"] for w in data["warnings"]}
    assert set(found) == {"numbers", "end_punctuation", "double_space", "tag_missing"}
    assert found["numbers"] == "The numbers differ: the target lacks 15 and adds 16."
    assert found["end_punctuation"] == "The source ends with “.”, the target with no punctuation."
    assert data["open"] == 4 and data["glossary_version"]
    untranslated = {w["code"] for w in client.get(
        f"/api/segments/{segs[3]['id']}/qa").get_json()["warnings"]}
    # "Moskau" in an English target is also a forbidden rendering of Moscow, and "schwieg"
    # is no English word.
    assert untranslated == {"untranslated", "missing_term", "forbidden_term", "spelling"}
    listed = client.get(f"/documents/{doc}?qa=1", headers={**HX, "HX-Target": "segment-list"})
    assert f'id="seg-{segs[2]["id"]}"' in listed.get_data(as_text=True)
    assert client.get("/api/segments/999999/qa").status_code == 404
