"""XLIFF refusals and tag warnings in the reader's language; the API stays English."""

from __future__ import annotations

import io

GERMAN = {"Accept-Language": "de"}
BROKEN = (b'<?xml version="1.0"?>\n'
          b'<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2">\n'
          b'<file source-language="en" target-language="de"><body>\n<trans-unit id="1">\n'
          b"</body></file></xliff>")


def post(client, headers=None):
    return client.post("/documents", headers=headers or {}, data={
        "file": (io.BytesIO(BROKEN), "broken.xlf"), "source_lang": "en", "target_lang": "de",
        "mode": "translate"}, content_type="multipart/form-data")


def test_a_refused_xliff_file_is_explained_in_german_on_a_german_page(client):
    page = post(client, GERMAN).get_data(as_text=True)
    # The place and the problem are German; libxml2's own words about the XML stay English.
    assert ("Die XLIFF-Datei kann nicht importiert werden: Zeile 5, Spalte 8: kein "
            "wohlgeformtes XML: Opening and ending tag mismatch") in page
    english = post(client, {"Accept-Language": "en"}).get_data(as_text=True)
    assert ("The XLIFF file cannot be imported: line 5, column 8: not well-formed XML"
            in english)


def test_the_api_says_it_in_english(client):
    resp = client.post("/api/documents", headers=GERMAN, data={
        "file": (io.BytesIO(BROKEN), "broken.xlf"), "source_lang": "en", "target_lang": "de",
        "mode": "translate"}, content_type="multipart/form-data")
    assert resp.status_code in (400, 422)
    body = resp.get_json()
    text = body.get("error") if isinstance(body.get("error"), str) else str(body)
    assert "The XLIFF file cannot be imported: line 5, column 8: not well-formed XML" in text
