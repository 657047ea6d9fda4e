"""The dashboard in German: due dates, "overdue" and "how long ago" in the reader's language."""

from __future__ import annotations

from datetime import datetime, timedelta

from babel.dates import format_skeleton
from test_dashboard import row_html, upload

from webapp.core.db import get_sessionmaker
from webapp.core.models import Document, utcnow
from webapp.documents import dashboard, views

GERMAN = {"Accept-Language": "de"}
NOW = datetime(2026, 12, 2, 12, 0)


def test_a_due_date_and_overdue_are_german(app, client):
    doc = upload(client)
    due = utcnow().date() - timedelta(days=3)
    with get_sessionmaker(app)() as db:
        db.get(Document, doc).due_date = due
        db.commit()
    row = row_html(client.get("/", headers=GERMAN).get_data(as_text=True), doc)
    assert format_skeleton("MMMd", due, locale="de") in row  # "29. Nov."
    assert "3 Tage überfällig" in row and "days overdue" not in row
    # English as before for an English reader.
    row = row_html(client.get("/").get_data(as_text=True), doc)
    assert "3 days overdue" in row and format_skeleton("MMMd", due, locale="en") in row


def test_how_long_ago_in_each_language(app):
    moments = {NOW - timedelta(seconds=5): ("just now", "gerade eben"),
               NOW - timedelta(minutes=5): ("5 min ago", "vor 5 Min."),
               NOW - timedelta(hours=3): ("3 h ago", "vor 3 Std."),
               NOW - timedelta(days=1, hours=2): ("yesterday", "gestern"),
               NOW - timedelta(days=3): ("3 days ago", "vor 3 Tagen")}
    for moment, (english, german) in moments.items():
        said = dashboard.ago(moment, NOW)
        assert said == english and str(said) == english  # the CLI, the API: English
        with app.test_request_context("/", headers=GERMAN):
            assert str(said) == german
    # Two weeks back and more: the date, as the reader's language writes it.
    old = NOW - timedelta(days=20)
    assert dashboard.ago(old, NOW) == "12 Nov 2026"
    with app.test_request_context("/", headers=GERMAN):
        assert views.ago(old) == "12.11.2026"
