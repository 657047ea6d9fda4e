"""The interface language: who chooses it, what it reaches, and what stays English."""

from __future__ import annotations

import json
import pickle

import pytest
from conftest import PASSWORD, login, make_user

from webapp.core.i18n import pseudo
from webapp.core.messages import _l, _ln

DE = {"Accept-Language": "de-DE,de;q=0.9,en;q=0.5"}
EN = {"Accept-Language": "en-GB,en;q=0.8"}


def html_lang(resp) -> str:
    """Return the page's <html lang>."""
    text = resp.get_data(as_text=True)
    return text.split('<html lang="', 1)[1].split('"', 1)[0]


def test_accept_language_then_the_installation_default(app, anon_client):
    """Without a choice, the browser's Accept-Language decides; without one, the default."""
    assert html_lang(anon_client.get("/login", headers=DE)) == "de"
    assert html_lang(anon_client.get("/login", headers=EN)) == "en"
    assert html_lang(anon_client.get("/login", headers={"Accept-Language": "fr, ja"})) == "en"
    app.config["DEFAULT_LOCALE"] = "de"
    assert html_lang(anon_client.get("/login")) == "de"
    assert html_lang(anon_client.get("/login", headers={"Accept-Language": "fr"})) == "de"


def switch(client, locale: str, next_url: str = "/login", headers: dict | None = None):
    """Press the header's language switch."""
    client.get("/login")
    with client.session_transaction() as s:
        token = s["csrf"]
    return client.post("/language", data={"locale": locale, "next": next_url,
                                           "csrf_token": token}, headers=headers or {})


def test_the_switch_beats_the_browser_and_stays_on_the_page(anon_client):
    """The header's switch overrides Accept-Language for this browser and goes back."""
    resp = switch(anon_client, "de", "/login?next=/documents", headers=EN)
    assert resp.status_code == 303 and resp.headers["Location"] == "/login?next=/documents"
    assert html_lang(anon_client.get("/login", headers=EN)) == "de"
    switch(anon_client, "en", headers=DE)
    assert html_lang(anon_client.get("/login", headers=DE)) == "en"


@pytest.mark.parametrize("target", ["//evil.example/x", "https://evil.example/", "/\\evil",
                                    "/\t/evil.example"])
def test_the_switch_only_goes_back_to_this_site(anon_client, target):
    """A crafted next= cannot send the person elsewhere."""
    assert switch(anon_client, "de", target).headers["Location"] == "/"


def test_three_slashes_stay_on_this_site(anon_client):
    """"///evil" (another host to a browser) goes to a path of this site."""
    location = switch(anon_client, "de", "///evil.example").headers["Location"]
    assert location.startswith("/") and not location.startswith("//")


def test_the_switch_refuses_a_forged_form_and_an_unknown_language(anon_client):
    """Without the session's token, or with a language we do not have, nothing changes."""
    anon_client.get("/login")
    forged = anon_client.post("/language", data={"locale": "de", "next": "/login"})
    assert forged.status_code == 400
    assert html_lang(anon_client.get("/login", headers=EN)) == "en"
    assert switch(anon_client, "xx").status_code == 400
    assert switch(anon_client, "de<script>").status_code == 400


def test_a_persons_choice_follows_them_to_another_browser(app, anon_client):
    """Switching while logged in is kept on the account: another browser opens in it."""
    make_user(app, "ute", "translator")
    login(anon_client, "ute", PASSWORD)
    switch(anon_client, "de", "/", headers=EN)
    other = app.test_client()
    login(other, "ute", PASSWORD)
    assert html_lang(other.get("/", headers=EN)) == "de"
    from webapp.core.db import get_sessionmaker
    from webapp.core.models import User

    with app.app_context(), get_sessionmaker(app)() as db:
        assert db.query(User).filter_by(username="ute").one().locale == "de"


def test_the_api_stays_english_whatever_the_browser_says(app, client):
    """The JSON API's messages are English for scripts, even to a German browser."""
    resp = client.get("/api/documents/999999", headers=DE)
    body = resp.get_json()
    assert resp.status_code == 404 and body["code"] == "not_found"
    assert body["message"].isascii()


def test_pages_are_german_for_a_german_browser(app, client):
    """With the compiled catalogue, a German browser reads German: the navigation, a state."""
    page = client.get("/documents", headers=DE).get_data(as_text=True)
    assert 'lang="de"' in page
    assert "Abmelden" in page and "Log out" not in page


def test_the_js_catalogue_is_served_per_language(app, anon_client):
    """The JS strings come from the same catalogue, as a cacheable script per language."""
    de = anon_client.get("/i18n/de.js?v=1")
    assert de.status_code == 200 and de.mimetype == "text/javascript"
    assert "immutable" in de.headers["Cache-Control"]
    data = json.loads(de.get_data(as_text=True).split("=", 1)[1].rstrip().rstrip(";"))
    assert data["locale"] == "de" and data["messages"]
    en = json.loads(anon_client.get("/i18n/en.js").get_data(as_text=True)
                    .split("=", 1)[1].rstrip().rstrip(";"))
    assert set(en["messages"]) == set(data["messages"])
    assert all(k == v or isinstance(v, list) for k, v in en["messages"].items())
    assert anon_client.get("/i18n/xx.js").status_code == 404


def test_a_message_is_english_as_a_str_and_translated_when_shown(app):
    """A Message is its English for the API, JSON and storage, and German when rendered."""
    msg = _ln("%(n)s segment is locked.", "%(n)s segments are locked.", 1200, doc="Ким")
    assert msg == "1,200 segments are locked."
    assert json.dumps({"m": msg}) == '{"m": "1,200 segments are locked."}'
    assert pickle.loads(pickle.dumps(msg)).msgid == msg.msgid
    with app.test_request_context("/", headers={"Accept-Language": "de"}):
        app.config["I18N_PSEUDO"] = True
        assert str(msg).startswith("⟦") and "1.200" in str(msg)
        assert f"{_l('Saved')}" == pseudo("Saved")
    assert str(msg) == "1,200 segments are locked."  # outside a request: English (the CLI)


def test_pseudo_keeps_placeholders_and_markup():
    """The pseudo-locale lengthens the words and leaves %(name)s and tags intact."""
    out = pseudo("Saved as <strong>%(state)s</strong> at %(time)s, 100%%")
    assert "%(state)s" in out and "<strong>" in out and "%(time)s" in out and "%%" in out
    assert out.startswith("⟦") and out.endswith("⟧") and "Saved" not in out
    assert len(out) > len("Saved as <strong>%(state)s</strong> at %(time)s, 100%%") * 1.3


def test_dates_and_numbers_follow_the_language(app):
    """Dates in the reader's zone and language; numbers and percentages with its separators."""
    from datetime import datetime

    render = app.jinja_env.from_string(
        "{{ when|datetime }} | {{ x|number(1) }} | {{ share|percent }} | {{ code|language }}")
    when = datetime(2026, 12, 2, 15, 30)  # stored naive UTC: 16:30 in Berlin
    values = {"when": when, "x": 12345.5, "share": 0.25, "code": "en"}
    with app.test_request_context("/", headers=DE):
        assert render.render(**values) == "02.12.26, 16:30 | 12.345,5 | 25\xa0% | Englisch"
    with app.test_request_context("/", headers=EN):
        assert render.render(**values).split(" | ")[1:] == ["12,345.5", "25%", "English"]


def test_a_stored_message_is_read_back_in_each_readers_language(app):
    """A job's progress line is kept by id: English in the API's JSON, translated on a page."""
    from webapp.core.db import get_sessionmaker
    from webapp.core.models.documents import Job

    nested = _l("Importing %(name)s: %(state)s.", name="статья.tmx", state=_l("Translated"))
    with app.app_context(), get_sessionmaker(app)() as db:
        job = Job(kind="tm_import", message=nested)
        plain = Job(kind="tm_import", message="Queued again.")
        db.add_all([job, plain])
        db.commit()
        ids = job.id, plain.id
    with app.app_context(), get_sessionmaker(app)() as db:
        back, old = db.get(Job, ids[0]), db.get(Job, ids[1])
        assert back.message == "Importing статья.tmx: Translated."
        assert json.dumps(back.to_dict()["message"]) == json.dumps(
            "Importing статья.tmx: Translated.", ensure_ascii=True)
        assert old.message == "Queued again."
        with app.test_request_context("/", headers=DE):
            app.config["I18N_PSEUDO"] = True
            shown = str(back.message)
    assert shown.startswith("⟦") and "статья.tmx" in shown and shown.count("⟦") == 2


def test_n_and_plural_are_free_placeholder_names(app):
    """_l("… %(n)s …", n=3) fills the placeholder; it is not taken for a plural's count."""
    assert _l("Segment %(n)s of %(plural)s.", n=3, plural=4) == "Segment 3 of 4."
    with app.test_request_context("/", headers=DE):
        assert str(_l("Segment %(n)s of %(plural)s.", n=3, plural=4)) == "Segment 3 of 4."


def test_a_broken_translation_falls_back_to_english(app, monkeypatch):
    """A German text naming a placeholder the message lacks shows the English, not a 500."""
    from webapp.core import i18n, messages

    monkeypatch.setattr(messages, "_translate", lambda s, p, n: "Segment %(nummer)s")
    with app.test_request_context("/", headers=DE):
        assert str(_l("Segment %(number)s", number=4)) == "Segment 4"
    assert i18n.translate  # the real translator is back after the test (monkeypatch)
