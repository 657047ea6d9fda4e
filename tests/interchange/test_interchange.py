"""XLIFF documents in the app: import as segments, tags in the editor, locks, refusals, export."""

from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import func, select

from webapp.core.db import get_sessionmaker
from webapp.core.models import Comment, Document, Revision, Segment, SegmentUnit
from webapp.interchange import codes
from webapp.interchange.formats.inline import Code, placeholder
from webapp.interchange.formats.xliff_read import read_xliff
from webapp.mt import engine as mt

P = [placeholder(i) for i in range(4)]

XLIFF12 = b"""<?xml version="1.0" encoding="UTF-8"?>
<xliff xmlns="urn:oasis:names:tc:xliff:document:1.2" version="1.2">
 <file original="ui.properties" datatype="plaintext" source-language="en" target-language="de-DE">
  <body>
   <group id="g1">
    <trans-unit id="save"><source>Click <g id="1">Save</g> to keep<x id="2"/> your work.</source>
     <note>Button label in bold</note></trans-unit>
    <trans-unit id="hello"><source>Hello world.</source>
     <target state="translated">Hallo Welt.</target></trans-unit>
   </group>
   <trans-unit id="open" approved="yes"><source>Open the file.</source>
    <target state="final">\xc3\x96ffnen Sie die Datei.</target></trans-unit>
   <trans-unit id="draft"><source>Machine made.</source>
    <target state="needs-review-translation" state-qualifier="leveraged-mt">Maschinell.</target>
   </trans-unit>
   <trans-unit id="brand" translate="no"><source>ACME GmbH</source><target>ACME GmbH</target>
   </trans-unit>
  </body>
 </file>
</xliff>"""

XLIFF20 = b"""<?xml version="1.0" encoding="UTF-8"?>
<xliff xmlns="urn:oasis:names:tc:xliff:document:2.0" version="2.0" srcLang="en" trgLang="de">
 <file id="f1" original="app.json">
  <unit id="welcome">
   <notes><note>Greeting on the start page</note></notes>
   <originalData><data id="d1">&lt;b&gt;</data><data id="d2">&lt;/b&gt;</data>
    <data id="d3">{name}</data></originalData>
   <segment state="translated">
    <source>Welcome, <pc id="1" dataRefStart="d1"
     dataRefEnd="d2">dear</pc> <ph id="2" dataRef="d3"/>!</source>
    <target>Willkommen, <pc id="1" dataRefStart="d1"
     dataRefEnd="d2">liebe</pc> <ph id="2" dataRef="d3"/>!</target>
   </segment>
  </unit>
  <unit id="logout"><segment state="final"><source>Sign out</source><target>Abmelden</target>
  </segment></unit>
  <unit id="delete"><segment><source>Delete the account?</source></segment></unit>
 </file>
</xliff>"""


def upload(client, data: bytes, name: str, **form):
    """POST a document through the API and return the response."""
    fields = {"file": (io.BytesIO(data), name), **form}
    return client.post("/api/documents", data=fields, content_type="multipart/form-data")


def segments(client, doc_id: int) -> list[dict]:
    """Return every segment of a document through the API."""
    return client.get(f"/api/documents/{doc_id}/segments?limit=1000").get_json()["segments"]


def table_counts(app) -> dict[str, int]:
    """Return how many rows the document tables hold."""
    with app.app_context(), get_sessionmaker(app)() as db:
        return {m.__tablename__: db.scalar(select(func.count()).select_from(m))
                for m in (Document, Segment, SegmentUnit, Revision, Comment)}


@pytest.fixture
def doc12(client):
    """Import the XLIFF 1.2 fixture and return its JSON."""
    resp = upload(client, XLIFF12, "ui.xlf")
    assert resp.status_code == 201, resp.get_json()
    return resp.get_json()


# --- Import ----------------------------------------------------------------------------


def test_xliff_12_upload_becomes_segments_with_states_codes_notes_and_a_lock(client, doc12):
    assert (doc12["source_lang"], doc12["target_lang"], doc12["mode"]) == ("en", "de", "translate")
    assert doc12["segments"] == 5
    segs = segments(client, doc12["id"])
    assert [(s["state"], s["target"]) for s in segs] == [
        ("new", ""), ("translated", "Hallo Welt."), ("approved", "Öffnen Sie die Datei."),
        ("mt", "Maschinell."), ("translated", "ACME GmbH"),
    ]
    assert segs[0]["source"] == f"Click {P[0]}Save{P[1]} to keep{P[2]} your work."
    assert segs[3]["mt"] == "Maschinell."
    comments = client.get(f"/api/segments/{segs[0]['id']}/comments").get_json()
    assert [(c["kind"], c["text"]) for c in comments] == [("note", "Button label in bold")]
    # translate="no": kept, shown, but nobody may change it, not even an admin.
    locked = client.put(f"/api/segments/{segs[4]['id']}", json={"target": "x", "version": 1})
    assert locked.status_code == 403 and 'translate="no"' in locked.get_json()["message"]
    state = client.post(f"/api/segments/{segs[4]['id']}/state", json={"state": "approved"})
    assert state.status_code == 403


def test_xliff_20_upload_keeps_pc_and_ph_codes_states_and_notes(client):
    resp = upload(client, XLIFF20, "app.xliff")
    assert resp.status_code == 201, resp.get_json()
    segs = segments(client, resp.get_json()["id"])
    assert [s["state"] for s in segs] == ["translated", "approved", "new"]
    assert segs[0]["source"] == f"Welcome, {P[0]}dear{P[1]} {P[2]}!"
    assert segs[0]["target"] == f"Willkommen, {P[0]}liebe{P[1]} {P[2]}!"
    notes = client.get(f"/api/segments/{segs[0]['id']}/comments").get_json()
    assert notes[0]["text"] == "Greeting on the start page"


def test_xliff_is_detected_by_its_root_element_whatever_the_file_is_called(client):
    resp = upload(client, XLIFF20, "export.txt", source_lang="fr", target_lang="it")
    assert resp.status_code == 201
    assert (resp.get_json()["source_lang"], resp.get_json()["target_lang"]) == ("en", "de")


def test_xliff_upload_through_the_form_opens_the_editor_with_tag_chips(client):
    resp = client.post("/documents", data={
        "file": (io.BytesIO(XLIFF12), "ui.xlf"), "source_lang": "en", "target_lang": "de",
        "mode": "translate",
    }, content_type="multipart/form-data")
    assert resp.status_code == 303
    page = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert '<span class="tag tag-open" data-tag="⟨1⟩"' in page
    assert 'data-tag="⟨/1⟩"' in page and 'data-tag="⟨2/⟩"' in page
    assert "Locked: not to be translated" in page
    assert "Button label in bold" in page
    assert "format=xliff12" in page and "format=xliff20" in page and "format=tmx" in page
    # No placeholder character reaches the page as such.
    assert not re.search("[\ue000-\uefff]", page)


def test_real_trados_sdlxliff_imports_with_its_locked_units(client, shared_testdata):
    data = (shared_testdata / "xliff" / "okapi_trados2009_sdlxliff_en_de.xlf").read_bytes()
    resp = upload(client, data, "TS09-12-Test01.xlf")
    assert resp.status_code == 201, resp.get_json()
    assert resp.get_json()["segments"] == 45
    page = client.get(f"/documents/{resp.get_json()['id']}?rows=45").get_data(as_text=True)
    assert page.count("Locked: not to be translated") == 22


# --- Refusals --------------------------------------------------------------------------

NOT_XML = b"<xliff version='1.2'><file>no end"
NOT_XLIFF = b"<?xml version='1.0'?><tmx version='1.4'><header/><body/></tmx>"
EC_BEFORE_SC = b"""<xliff xmlns="urn:oasis:names:tc:xliff:document:2.0" version="2.0" srcLang="en"
 trgLang="de"><file id="f"><unit id="u1"><segment><source>a <ec startRef="1"/> b
 <sc id="1"/></source></segment></unit></file></xliff>"""
NO_TARGET = b"""<xliff xmlns="urn:oasis:names:tc:xliff:document:1.2" version="1.2">
<file original="a" source-language="en" datatype="plaintext"><body>
<trans-unit id="1"><source>Hi</source></trans-unit></body></file></xliff>"""
XXE = b"""<?xml version="1.0"?>
<!DOCTYPE xliff [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<xliff xmlns="urn:oasis:names:tc:xliff:document:1.2" version="1.2"><file original="a"
 source-language="en" target-language="de" datatype="plaintext"><body>
<trans-unit id="1"><source>&secret;</source></trans-unit></body></file></xliff>"""
LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<xliff xmlns="urn:oasis:names:tc:xliff:document:1.2" version="1.2"><file original="a"
 source-language="en" target-language="de" datatype="plaintext"><body>
<trans-unit id="1"><source>&lol3;</source></trans-unit></body></file></xliff>"""


@pytest.mark.parametrize("data, words", [
    (NOT_XML, ["not well-formed XML", "line 1"]),
    (NOT_XLIFF, ["not an XLIFF document", "<tmx>"]),
    (EC_BEFORE_SC, ['<ec startRef="1">', "comes before", "line"]),
    (NO_TARGET, ["no target language", "line 2"]),
    (XXE, ["entit", "XXE"]),
    (LAUGHS, ["entit", "billion laughs"]),
], ids=["not-xml", "not-xliff", "ec-before-sc", "no-target-language", "xxe", "billion-laughs"])
def test_invalid_xliff_is_refused_saying_what_and_where_and_stores_nothing(
    app, client, data, words
):
    before = table_counts(app)
    resp = upload(client, data, "bad.xlf")
    assert resp.status_code == 422
    message = resp.get_json()["message"]
    for word in words:
        assert word in message
    assert table_counts(app) == before
    assert client.get("/api/documents").get_json() == []


def test_no_target_language_is_taken_from_the_upload_when_the_file_names_none(client):
    resp = upload(client, NO_TARGET, "a.xlf", target_lang="fr")
    assert resp.status_code == 201 and resp.get_json()["target_lang"] == "fr"


def test_the_form_shows_why_an_xliff_was_refused(client):
    resp = client.post("/documents", data={
        "file": (io.BytesIO(EC_BEFORE_SC), "bad.xlf"), "source_lang": "en", "target_lang": "de",
    }, content_type="multipart/form-data")
    assert resp.status_code == 400
    assert "comes before its &lt;sc id=&#34;1&#34;&gt;" in resp.get_data(as_text=True)


def test_an_xliff_over_the_size_limit_is_refused_with_the_limit(app, client):
    app.config["MAX_UPLOAD_BYTES"] = 500
    resp = upload(client, XLIFF12, "ui.xlf")
    assert resp.status_code == 413
    assert "larger than the limit of 500 bytes" in resp.get_json()["message"]
    assert client.get("/api/documents").get_json() == []


def xliff_with_unit(source: str, target: str | None, unit_id: str = "long-one") -> bytes:
    """Return an XLIFF 1.2 file with a short unit and then the unit `unit_id`."""
    target_xml = "" if target is None else f"<target state=\"translated\">{target}</target>"
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<xliff xmlns="urn:oasis:names:tc:xliff:document:1.2" version="1.2">'
        '<file original="a.txt" datatype="plaintext" source-language="en" target-language="de">'
        '<body><trans-unit id="short"><source>Hello.</source></trans-unit>'
        f'<trans-unit id="{unit_id}"><source>{source}</source>{target_xml}</trans-unit>'
        "</body></file></xliff>"
    ).encode()


@pytest.mark.parametrize("side, source, target", [
    ("source", "a" * 20_001, None),
    ("target", "Short.", "b" * 20_001),
])
def test_a_unit_longer_than_a_segment_is_refused_naming_it_and_stores_nothing(
    app, client, side, source, target
):
    before = table_counts(app)
    resp = upload(client, xliff_with_unit(source, target), "long.xlf")
    assert resp.status_code == 422
    message = resp.get_json()["message"]
    assert "long-one" in message and side in message and "20,001" in message
    assert "20,000" in message
    assert table_counts(app) == before
    form = client.post("/documents", data={
        "file": (io.BytesIO(xliff_with_unit(source, target)), "long.xlf"),
        "source_lang": "en", "target_lang": "de"}, content_type="multipart/form-data")
    assert form.status_code == 400 and "long-one" in form.get_data(as_text=True)
    assert table_counts(app) == before


def test_a_unit_as_long_as_a_segment_may_be_is_imported(client):
    resp = upload(client, xliff_with_unit("a" * 20_000, "b" * 20_000), "long.xlf")
    assert resp.status_code == 201, resp.get_json()
    assert [len(s["source"]) for s in segments(client, resp.get_json()["id"])] == [6, 20_000]


# --- Tags in the editor ----------------------------------------------------------------


def test_edit_box_spells_tags_as_tokens_and_saving_puts_the_codes_back(client, doc12):
    seg = segments(client, doc12["id"])[0]
    row = client.get(f"/segments/{seg['id']}/edit").get_data(as_text=True)
    assert 'data-copy="Click ⟨1⟩Save⟨/1⟩ to keep⟨2/⟩ your work."' in row
    # The tag moved to another word: allowed.
    saved = client.post(f"/segments/{seg['id']}", data={
        "target": "Klicken Sie auf ⟨1⟩Speichern⟨/1⟩⟨2/⟩, um Ihre Arbeit zu behalten.",
        "version": "0"})
    assert saved.status_code == 200
    after = client.get(f"/api/segments/{seg['id']}").get_json()
    assert after["target"] == f"Klicken Sie auf {P[0]}Speichern{P[1]}{P[2]}, um Ihre Arbeit zu behalten."
    reopened = client.get(f"/segments/{seg['id']}/edit").get_data(as_text=True)
    assert ">Klicken Sie auf ⟨1⟩Speichern⟨/1⟩⟨2/⟩, um Ihre Arbeit zu behalten.</textarea>" in reopened


@pytest.mark.parametrize("typed, words", [
    ("Klicken ⟨3⟩Speichern⟨/1⟩.", ["⟨3⟩", "not one of this segment's tags", "⟨1⟩, ⟨/1⟩, ⟨2/⟩"]),
    ("Klicken ⟨1Speichern⟨/1⟩.", ["broken", "⟨1Speiche"]),
], ids=["unknown", "broken"])
def test_unknown_or_broken_tag_tokens_are_refused_and_nothing_is_saved(client, doc12, typed, words):
    seg = segments(client, doc12["id"])[0]
    resp = client.post(f"/segments/{seg['id']}", data={"target": typed, "version": "0"})
    assert resp.status_code == 422
    text = resp.get_data(as_text=True).replace("&#39;", "'")
    for word in words:
        assert word in text
    assert f">{typed}</textarea>" in text  # what was typed is kept
    api = client.put(f"/api/segments/{seg['id']}", json={"target": typed, "version": 0})
    assert api.status_code == 422
    assert client.get(f"/api/segments/{seg['id']}").get_json()["version"] == 0


def test_api_clients_may_send_placeholders_or_tokens(client, doc12):
    seg = segments(client, doc12["id"])[0]
    first = client.put(f"/api/segments/{seg['id']}",
                       json={"target": f"{P[0]}Speichern{P[1]}{P[2]}.", "version": 0})
    assert first.status_code == 200
    second = client.put(f"/api/segments/{seg['id']}",
                        json={"target": "⟨1⟩Sichern⟨/1⟩⟨2/⟩.", "version": 1})
    assert second.get_json()["target"] == f"{P[0]}Sichern{P[1]}{P[2]}."


def test_a_target_that_loses_or_misorders_a_tag_is_warned_on_its_row(client, doc12):
    seg = segments(client, doc12["id"])[0]
    client.post(f"/segments/{seg['id']}", data={"target": "⟨/1⟩Speichern⟨1⟩.", "version": "0"})
    row = client.get(f"/segments/{seg['id']}").get_data(as_text=True)
    assert "Tag ⟨2/⟩ is missing from the translation." in row
    assert "Tag ⟨/1⟩ is out of order" in row


def test_code_warnings_name_lost_duplicated_and_misordered_tags():
    segment = Segment(source=f"a {P[0]}b{P[1]} c{P[2]}", target=f"{P[1]}a{P[0]} b {P[0]}",
                      codes_json=codes.dumps([Code("1", "open"), Code("1", "close"),
                                              Code("x", "standalone")]))
    found = {(w["code"], w["key"]) for w in codes.code_warnings(segment)}
    assert found == {("tag_lost", "⟨2/⟩"), ("tag_duplicated", "⟨1⟩"), ("tag_misordered", "⟨/1⟩")}
    segment.target = f"A {P[2]}{P[0]}B{P[1]} C"
    assert codes.code_warnings(segment) == []


def test_chips_escape_the_text_around_them():
    html = codes.render_codes_html(f"<script>{P[0]}x{P[1]}", [Code("1", "open"), Code("1", "close")])
    assert str(html).startswith("&lt;script&gt;<span class=\"tag tag-open\"")
    assert "<script>" not in str(html)


def test_a_split_segment_keeps_its_tags_known(client, doc12):
    seg = segments(client, doc12["id"])[0]
    resp = client.post(f"/segments/{seg['id']}/split", data={"offset": "11"})
    assert resp.status_code == 200
    second = segments(client, doc12["id"])[1]
    assert P[2] in second["source"]
    saved = client.put(f"/api/segments/{second['id']}", json={"target": "⟨2/⟩ behalten.",
                                                               "version": second["version"]})
    assert saved.status_code == 200, saved.get_json()


# --- Export and round trips ------------------------------------------------------------


def approve_all(client_as, client, doc_id: int) -> None:
    """Have an editor approve every unlocked segment that has a target."""
    editor = client_as("editor")
    for seg in segments(client, doc_id):
        if seg["target"] and seg["state"] != "approved" and seg["source"] != "ACME GmbH":
            assert editor.post(f"/api/segments/{seg['id']}/state",
                               json={"state": "approved"}).status_code == 200


@pytest.mark.parametrize("fmt", ["xliff12", "xliff20"])
def test_reimporting_the_apps_own_export_gives_back_segments_targets_states(
        client, client_as, doc12, fmt):
    first = segments(client, doc12["id"])
    client.post(f"/api/segments/{first[0]['id']}/comments", json={"text": "Check the length."})
    rejected = client_as("editor").post(f"/api/segments/{first[1]['id']}/state", json={
        "state": "rejected", "comment": "Too formal."})
    assert rejected.status_code == 200
    first = segments(client, doc12["id"])
    assert first[1]["state"] == "rejected" and first[1]["target"]
    resp = client.get(f"/api/documents/{doc12['id']}/export?format={fmt}")
    exported = resp.get_data(as_text=True)
    # A rejected text goes out as needing translation, in terms any tool reads.
    assert ('state="needs-translation" state-qualifier="x-workbench-rejected"' in exported
            if fmt == "xliff12" else 'state="initial" subState="workbench:rejected"' in exported)
    assert resp.status_code == 200
    assert resp.mimetype == "application/xliff+xml"
    again = upload(client, resp.data, resp.headers["Content-Disposition"].split('"')[1])
    assert again.status_code == 201, again.get_json()
    second = segments(client, again.get_json()["id"])
    keys = ("source", "target", "state", "mt")
    assert [{k: s[k] for k in keys} for s in second] == [{k: s[k] for k in keys} for s in first]
    notes = client.get(f"/api/segments/{second[0]['id']}/comments").get_json()
    assert [n["text"] for n in notes] == ["Button label in bold", "ada: Check the length."]
    locked = client.put(f"/api/segments/{second[4]['id']}", json={"target": "x", "version": 1})
    assert locked.status_code == 403


def test_xliff_12_export_puts_back_the_original_codes_languages_and_unit_ids(client, doc12):
    seg = segments(client, doc12["id"])[0]
    client.put(f"/api/segments/{seg['id']}", json={"target": "⟨1⟩Speichern⟨/1⟩⟨2/⟩.", "version": 0})
    data = client.get(f"/api/documents/{doc12['id']}/export?format=xliff12").data
    text = data.decode()
    assert 'source-language="en" target-language="de-DE"' in text
    assert '<target state="translated"><g id="1">Speichern</g><x id="2"/>.</target>' in text
    assert '<trans-unit id="brand" xml:space="preserve" translate="no">' in text
    parsed = read_xliff(data)
    assert [u.id for u in parsed.units] == ["save", "hello", "open", "draft", "brand"]
    assert [u.state for u in parsed.units] == ["translated", "translated", "approved", "mt",
                                               "translated"]


def test_xliff_20_export_writes_original_data_and_final_state(client):
    doc = upload(client, XLIFF20, "app.xliff").get_json()
    text = client.get(f"/api/documents/{doc['id']}/export?format=xliff20").data.decode()
    assert '<data id="d1">&lt;b&gt;</data>' in text and '<data id="d3">{name}</data>' in text
    assert '<segment state="final">' in text
    assert 'dataRefStart="d1" dataRefEnd="d2">liebe</pc>' in text


def test_a_plain_text_document_exports_as_xliff_and_reimports(client, seed_bytes):
    doc = upload(client, seed_bytes, "kim-putin.de.txt", source_lang="en", target_lang="de",
                 mode="review").get_json()
    segs = segments(client, doc["id"])
    client.put(f"/api/segments/{segs[0]['id']}", json={"target": "Neu.", "version": 1})
    data = client.get(f"/api/documents/{doc['id']}/export?format=xliff20").data
    parsed = read_xliff(data)
    assert len(parsed.units) == len(segs)
    assert parsed.units[0].target == "Neu." and parsed.units[0].state == "translated"
    assert parsed.units[1].state == "mt"


def test_txt_export_of_an_xliff_document_has_no_tag_characters(client, doc12):
    text = client.get(f"/api/documents/{doc12['id']}/export?format=txt").data.decode()
    assert text.splitlines()[1:3] == ["Hallo Welt.", "Öffnen Sie die Datei."]
    assert not re.search("[\ue000-\uefff]", text)


def test_unknown_export_format_is_a_400_naming_the_formats(client, doc12):
    resp = client.get(f"/api/documents/{doc12['id']}/export?format=docx")
    assert resp.status_code == 400
    assert "xliff12" in resp.get_json()["message"] and "tmx" in resp.get_json()["message"]


def test_tmx_export_of_a_document_holds_its_approved_segments_only(client, client_as, doc12):
    from webapp.interchange.formats.tmx import read_tmx

    resp = client.get(f"/api/documents/{doc12['id']}/export?format=tmx")
    assert resp.status_code == 200 and resp.mimetype == "application/x-tmx+xml"
    units = read_tmx(resp.data)
    assert [(u.source, u.target, u.target_lang) for u in units] == [
        ("Open the file.", "Öffnen Sie die Datei.", "de-DE")]
    approve_all(client_as, client, doc12["id"])
    units = read_tmx(client.get(f"/api/documents/{doc12['id']}/export?format=tmx").data)
    assert len(units) == 3
    assert ("x-origin", "ui.xlf") in units[0].props


def test_merging_two_tagged_segments_keeps_every_tag_and_exports_them(client):
    data = b"""<xliff xmlns="urn:oasis:names:tc:xliff:document:1.2" version="1.2"><file
      original="m" source-language="en" target-language="de" datatype="plaintext"><body>
      <trans-unit id="a"><source>Press <x id="1"/>.</source></trans-unit>
      <trans-unit id="b"><source>Then <g id="2">wait</g>.</source></trans-unit>
      </body></file></xliff>"""
    doc = upload(client, data, "m.xlf").get_json()
    first = segments(client, doc["id"])[0]
    assert client.post(f"/segments/{first['id']}/merge").status_code == 200
    merged = segments(client, doc["id"])
    assert len(merged) == 1
    assert merged[0]["source"] == f"Press {P[0]}. Then {P[1]}wait{P[2]}."
    row = client.get(f"/segments/{first['id']}/edit").get_data(as_text=True)
    assert 'data-copy="Press ⟨1/⟩. Then ⟨2⟩wait⟨/2⟩."' in row
    saved = client.put(f"/api/segments/{first['id']}",
                       json={"target": "Drücken ⟨1/⟩, dann ⟨2⟩warten⟨/2⟩.", "version": 1})
    assert saved.status_code == 200, saved.get_json()
    text = client.get(f"/api/documents/{doc['id']}/export?format=xliff12").data.decode()
    assert '<target state="translated">Drücken <x id="1"/>, dann <g id="2">warten</g>.</target>' \
        in text


def test_tag_problems_reach_the_segment_qa_api_and_the_qa_filter(client, doc12):
    seg = segments(client, doc12["id"])[0]
    client.put(f"/api/segments/{seg['id']}", json={"target": "⟨/1⟩Speichern⟨1⟩.", "version": 0})
    qa = client.get(f"/api/segments/{seg['id']}/qa").get_json()
    assert {(w["code"], w["key"]) for w in qa["warnings"]} >= {
        ("tag_lost", "⟨2/⟩"), ("tag_misordered", "⟨/1⟩")}
    listed = client.get(f"/documents/{doc12['id']}?qa=1").get_data(as_text=True)
    assert f'id="seg-{seg["id"]}"' in listed


LOCKED_EMPTY = b"""<?xml version="1.0" encoding="UTF-8"?>
<xliff xmlns="urn:oasis:names:tc:xliff:document:1.2" version="1.2">
 <file original="x" datatype="plaintext" source-language="en" target-language="de">
  <body>
   <trans-unit id="brand" translate="no"><source>ACME Widget Pro</source></trans-unit>
   <trans-unit id="text"><source>Kim met Putin.</source></trans-unit>
  </body>
 </file>
</xliff>"""


def test_machine_translation_leaves_translate_no_units_alone(app, client, argos_installed):
    resp = client.post("/api/documents", data={
        "file": (io.BytesIO(LOCKED_EMPTY), "locked.xlf"), "source_lang": "en",
        "target_lang": "de"}, content_type="multipart/form-data")
    assert resp.status_code == 201, resp.get_json()
    doc = resp.get_json()["id"]
    job = client.post(f"/api/documents/{doc}/pretranslate").get_json()
    app.extensions["webapp.jobs"].wait(job["id"], timeout=120)
    assert client.get(f"/api/jobs/{job['id']}").get_json()["status"] == "done"
    brand, text = client.get(f"/api/documents/{doc}/segments").get_json()["segments"]
    assert brand["target"] == "" and brand["state"] == "new" and brand["version"] == 0
    assert text["state"] == "mt" and text["target"]
    # The draft is the tiny model's own translation, not the source handed back.
    (expected,) = mt.translate_batch(["Kim met Putin."], "en", "de")
    assert text["target"] == expected != "Kim met Putin."


def test_page_cli_and_api_export_the_same_text_without_tag_characters(client, runner, tmp_path):
    resp = client.post("/api/documents", data={
        "file": (io.BytesIO(XLIFF12), "ui.xlf"), "source_lang": "en", "target_lang": "de"},
        content_type="multipart/form-data")
    doc = resp.get_json()["id"]
    api = client.get(f"/api/documents/{doc}/export?format=txt")
    page = client.get(f"/documents/{doc}/export.txt")
    out = tmp_path / "cli.txt"
    assert runner.invoke(args=["export", str(doc), "-o", str(out)]).exit_code == 0
    assert api.data == page.data == out.read_bytes()
    assert "Click Save to keep your work." in page.get_data(as_text=True)
    assert not any("\ue000" <= ch <= "\uf8ff" for ch in page.get_data(as_text=True))
    assert page.headers["X-Untranslated-Segments"] == api.headers["X-Untranslated-Segments"]
