"""QA warnings in the reader's language: the memo keeps Messages (msgid and parameters), so one
cached finding reads German in a German page and English in the API."""

from __future__ import annotations

import io

import pytest
from api_steps import save, segments

from webapp.core.messages import Message
from webapp.qa import checks

SOURCE = "The council met 38 times in 2019.\n\nMoscow was silent.\n"
# 39 for 38, and two spaces: the numbers and double-space checks, both kept in the memo.
TARGET = "Der Rat tagte  39 Mal im Jahr 2019."
GERMAN = {"Accept-Language": "de"}


def upload(client) -> int:
    resp = client.post("/api/documents", data={
        "file": (io.BytesIO(SOURCE.encode()), "council.txt"), "source_lang": "en",
        "target_lang": "de", "mode": "translate"}, content_type="multipart/form-data")
    assert resp.status_code == 201, resp.get_json()
    return resp.get_json()["id"]


@pytest.fixture
def checked(client, monkeypatch):
    """A saved segment with two warnings, checked once into a fresh memo; any check that runs
    again afterwards fails the test."""
    doc = upload(client)
    seg = segments(client, doc)[0]
    checks._MEMO.clear()
    save(client, seg, TARGET)
    assert checks._MEMO, "the save's QA should have filled the memo"

    def guard(check):
        def no_recheck(*args, **kwargs):
            if TARGET in args:  # other segments of the page may be checked for the first time
                raise AssertionError("the warning was checked again, not read from the memo")
            return check(*args, **kwargs)
        return no_recheck

    monkeypatch.setattr(checks, "text_checks", guard(checks.text_checks))
    monkeypatch.setattr(checks, "check_segment", guard(checks.check_segment))
    return {"doc": doc, "seg": seg}


def test_the_memo_keeps_messages_not_frozen_text(checked):
    kept = [w for found in checks._MEMO.values() for w in found]
    assert {w.code for w in kept} >= {checks.NUMBERS, checks.DOUBLE_SPACE}
    assert all(isinstance(w.message, Message) for w in kept)


def test_one_cached_warning_reads_german_in_a_page_and_english_in_the_api(client, checked):
    doc, seg = checked["doc"], checked["seg"]
    page = client.get(f"/documents/{doc}", headers=GERMAN).get_data(as_text=True)
    assert "Der Zieltext enthält zwei Leerzeichen hintereinander." in page
    assert "Die Zahlen weichen ab: Im Zieltext fehlen 38, hinzugekommen sind 39." in page
    assert "The target has two spaces in a row." not in page

    api = client.get(f"/api/segments/{seg['id']}/qa", headers=GERMAN).get_json()
    messages = {w["code"]: w["message"] for w in api["warnings"]}
    assert messages[checks.DOUBLE_SPACE] == "The target has two spaces in a row."
    assert messages[checks.NUMBERS] == ("The numbers differ: the target lacks 38 and adds 39.")

    # And German again after the API read it: nothing froze in English either.
    again = client.get(f"/documents/{doc}", headers=GERMAN).get_data(as_text=True)
    assert "Der Zieltext enthält zwei Leerzeichen hintereinander." in again


def test_the_installation_language_is_german_too(app, client, checked):
    app.config["DEFAULT_LOCALE"] = "de"
    row = client.get(f"/segments/{checked['seg']['id']}", headers={"HX-Request": "true"})
    html = row.get_data(as_text=True)
    assert "Der Zieltext enthält zwei Leerzeichen hintereinander." in html
    assert "doppeltes Leerzeichen" in html  # the label, from LABELS
    english = client.get(f"/segments/{checked['seg']['id']}",
                         headers={"HX-Request": "true", "Accept-Language": "en"})
    assert "The target has two spaces in a row." in english.get_data(as_text=True)
