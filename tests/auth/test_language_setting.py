"""My account's "Interface language": a person's choice beats the browser's Accept-Language,
in every browser they log in with; "Automatic (browser)" hands the choice back to the browser."""

from __future__ import annotations

import re

from conftest import login
from sqlalchemy import select

from webapp.core.db import get_sessionmaker
from webapp.core.models import User

GERMAN = {"Accept-Language": "de-DE,de;q=0.9"}
ENGLISH = {"Accept-Language": "en-US,en;q=0.9"}


def page_language(client, headers: dict, url: str = "/account") -> str:
    """Return the interface language a page is written in (its <html lang>)."""
    html = client.get(url, headers=headers).get_data(as_text=True)
    return re.search(r'<html lang="([^"]+)"', html).group(1)


def stored_locale(app, username: str) -> str | None:
    with app.app_context(), get_sessionmaker(app)() as db:
        return db.scalar(select(User.locale).where(User.username == username))


def choose(client, locale: str, headers: dict | None = None):
    return client.post("/account/language", data={"locale": locale}, headers=headers or {})


def test_without_a_setting_the_browser_decides(app, client_as):
    ann = client_as("translator", "ann")
    assert stored_locale(app, "ann") is None
    assert page_language(ann, GERMAN) == "de"
    assert page_language(ann, ENGLISH) == "en"


def test_the_setting_wins_over_accept_language(app, client_as):
    ann = client_as("translator", "ann")
    resp = choose(ann, "en", GERMAN)
    assert resp.status_code == 303 and resp.headers["Location"].endswith("/account")
    assert stored_locale(app, "ann") == "en"
    assert page_language(ann, GERMAN) == "en"
    assert page_language(ann, GERMAN, "/documents") == "en"
    choose(ann, "de", ENGLISH)
    assert stored_locale(app, "ann") == "de"
    assert page_language(ann, ENGLISH) == "de"


def test_the_setting_follows_the_person_to_another_browser(app, client_as):
    ann = client_as("translator", "ann")
    choose(ann, "de")
    other = app.test_client()
    assert login(other, "ann").status_code == 303
    assert page_language(other, ENGLISH) == "de"


def test_automatic_clears_the_setting_and_the_browser_decides_again(app, client_as):
    ann = client_as("translator", "ann")
    choose(ann, "de")
    # The header's switch keeps this browser's choice too: "automatic" must clear both.
    ann.post("/language", data={"locale": "de", "next": "/account"})
    resp = choose(ann, "", GERMAN)
    assert resp.status_code == 303
    assert stored_locale(app, "ann") is None
    assert page_language(ann, ENGLISH) == "en"
    assert page_language(ann, GERMAN) == "de"


def test_the_form_shows_the_current_choice_and_says_what_happened(app, client_as):
    ann = client_as("translator", "ann")
    html = ann.get("/account", headers=ENGLISH).get_data(as_text=True)
    assert re.search(r'<option value="" selected>Automatic \(browser\)</option>', html)
    html = choose(ann, "en").get_data(as_text=True)
    html = ann.get("/account", headers=ENGLISH).get_data(as_text=True)
    assert "The interface language is now English." in html
    assert re.search(r'<option value="en"[^>]*selected>English</option>', html)
    choose(ann, "")
    html = ann.get("/account", headers=ENGLISH).get_data(as_text=True)
    assert "The interface language now follows your browser." in html


def test_an_unknown_language_is_refused_and_nothing_changes(app, client_as):
    ann = client_as("translator", "ann")
    choose(ann, "de")
    assert choose(ann, "xx").status_code == 400
    assert stored_locale(app, "ann") == "de"


def test_the_api_stays_english_whatever_the_setting(app, client_as):
    ann = client_as("translator", "ann")
    choose(ann, "de")
    resp = ann.get("/api/documents/999999")
    assert resp.status_code == 404
    assert resp.get_json()["message"] == "There is no document 999999."
