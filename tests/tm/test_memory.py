"""The translation memory: fed by approvals, TMX import jobs, lookup, export, editor matches."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from webapp.core.db import get_sessionmaker
from webapp.core.models import Job, MemoryUnit
from webapp.interchange.formats.inline import placeholder
from webapp.interchange.formats.tmx import read_tmx
from webapp.tm import tmxio

P = [placeholder(i) for i in range(4)]

TEXT = "Der Vertrag wurde gestern unterzeichnet.\n\nDie Regierung hat das Gesetz beschlossen.\n"


def tmx_file(units: list[tuple[str, str]], *, src="en", tgt="de-DE", header=True) -> bytes:
    """Return a small TMX 1.4 file with the given (source, target) units."""
    tus = "".join(
        f'<tu creationid="lena" creationdate="20240102T030405Z"><tuv xml:lang="{src}"><seg>{s}</seg>'
        f'</tuv><tuv xml:lang="{tgt}"><seg>{t}</seg></tuv></tu>\n' for s, t in units
    )
    head = f'<header srclang="{src}" creationtool="t" segtype="sentence"/>' if header else ""
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<tmx version="1.4">{head}<body>\n{tus}'
            "</body></tmx>").encode()


def upload_text(client, text: str = TEXT, name="vertrag.de.txt", **form):
    """Import a German text to translate into English, and return its JSON."""
    fields = {"file": (io.BytesIO(text.encode()), name), "source_lang": "de",
              "target_lang": "en", "mode": "translate", **form}
    resp = client.post("/api/documents", data=fields, content_type="multipart/form-data")
    assert resp.status_code == 201, resp.get_json()
    return resp.get_json()


def segments(client, doc_id: int) -> list[dict]:
    """Return every segment of a document through the API."""
    return client.get(f"/api/documents/{doc_id}/segments?limit=1000").get_json()["segments"]


def lookup(client, text: str, src="de", tgt="en", **extra) -> list[dict]:
    """Ask the API for fuzzy matches."""
    resp = client.post("/api/tm/lookup", json={"text": text, "source_lang": src,
                                               "target_lang": tgt, **extra})
    assert resp.status_code == 200, resp.get_json()
    return resp.get_json()["matches"]


def import_tmx(app, client, data: bytes, name="memory.tmx", **form) -> dict:
    """Upload a TMX file, wait for its job and return the finished job."""
    resp = client.post("/api/tm/import", data={"file": (io.BytesIO(data), name), **form},
                       content_type="multipart/form-data")
    assert resp.status_code == 202, resp.get_json()
    job = resp.get_json()
    app.extensions["webapp.jobs"].wait(job["id"], timeout=60)
    return client.get(f"/api/jobs/{job['id']}").get_json()


def unit_count(app) -> int:
    """Return how many units the memory holds."""
    with app.app_context(), get_sessionmaker(app)() as db:
        return db.scalar(select(func.count()).select_from(MemoryUnit))


# --- Fed by approvals ------------------------------------------------------------------


def test_a_segment_approved_by_an_editor_feeds_the_memory_with_author_and_document(
    app, client_as
):
    translator = client_as("translator", "tim")
    editor = client_as("editor", "eve")
    doc = upload_text(translator)
    seg = segments(translator, doc["id"])[0]
    saved = translator.put(f"/api/segments/{seg['id']}",
                           json={"target": "The contract was signed yesterday.", "version": 0})
    assert saved.status_code == 200
    assert lookup(translator, seg["source"]) == []  # translated is not enough
    approved = editor.post(f"/api/segments/{seg['id']}/state", json={"state": "approved"})
    assert approved.status_code == 200

    matches = lookup(translator, "Der Vertrag wurde heute unterzeichnet.")
    assert len(matches) == 1
    match = matches[0]
    assert match["target"] == "The contract was signed yesterday."
    assert match["origin"] == "vertrag.de.txt" and match["author"] == "tim"
    assert 70 <= match["score"] < 100
    assert {"op": "insert", "text": "heute"} in match["diff"]
    exact = lookup(translator, seg["source"])[0]
    assert exact["score"] == 100


def test_an_editors_fix_replaces_the_unit_and_a_rejection_removes_it(app, client_as):
    translator = client_as("translator")
    editor = client_as("editor")
    doc = upload_text(translator)
    seg = segments(translator, doc["id"])[0]
    translator.put(f"/api/segments/{seg['id']}", json={"target": "Contract signed.", "version": 0})
    editor.post(f"/api/segments/{seg['id']}/state", json={"state": "approved"})
    fixed = editor.put(f"/api/segments/{seg['id']}",
                       json={"target": "The contract was signed yesterday.", "version": 1})
    assert fixed.get_json()["state"] == "approved"
    assert [m["target"] for m in lookup(translator, seg["source"])] == [
        "The contract was signed yesterday."]
    assert unit_count(app) == 1
    editor.post(f"/api/segments/{seg['id']}/state",
                json={"state": "rejected", "comment": "Wrong tense."})
    assert lookup(translator, seg["source"]) == []
    assert unit_count(app) == 0


def test_units_added_by_another_process_are_found_and_deleted_ones_never_shown(app, client):
    doc = upload_text(client)
    seg = segments(client, doc["id"])[0]
    assert lookup(client, seg["source"]) == []  # builds the de→en index
    # Another worker writes to the table behind this process's back.
    with app.app_context(), get_sessionmaker(app)() as db:
        db.add(MemoryUnit(source=seg["source"], target="Signed.", source_lang="de",
                          target_lang="en", source_key="de", target_key="en", origin="other",
                          digest="x"))
        db.commit()
    assert [m["target"] for m in lookup(client, seg["source"])] == ["Signed."]
    with app.app_context(), get_sessionmaker(app)() as db:
        db.query(MemoryUnit).delete()
        db.commit()
    assert lookup(client, seg["source"]) == []


# --- TMX import ------------------------------------------------------------------------


def test_tmx_import_runs_as_a_job_to_100_percent_and_its_units_are_found(app, client):
    data = tmx_file([("Open the <bpt i='1'>&lt;b&gt;</bpt>file<ept i='1'>&lt;/b&gt;</ept>.",
                      "Öffnen Sie die <bpt i='1'>&lt;b&gt;</bpt>Datei<ept i='1'>&lt;/b&gt;</ept>."),
                     ("Close the window.", "Schließen Sie das Fenster.")])
    job = import_tmx(app, client, data, name="client.tmx")
    assert job["status"] == "done" and job["percent"] == 100
    assert job["done"] == job["total"] == len(data)
    assert "Imported 2 units" in job["message"] and "en→de" in job["message"]
    match = lookup(client, "Close the windows.", "en", "de")[0]
    assert match["target"] == "Schließen Sie das Fenster." and match["origin"] == "client.tmx"
    assert match["author"] == "lena" and match["target_lang"] == "de-DE"
    tagged = lookup(client, f"Open the {P[0]}file{P[1]}.", "en", "de")[0]
    assert tagged["score"] == 100 and tagged["target"] == f"Öffnen Sie die {P[0]}Datei{P[1]}."

    again = import_tmx(app, client, data)
    assert "Imported 0 units (2 already in the memory)" in again["message"]
    assert unit_count(app) == 2


def test_a_big_tmx_import_reports_progress_batch_by_batch(app, client):
    units = [(f"Sentence number {n} about the weather in town.",
              f"Satz Nummer {n} über das Wetter in der Stadt.") for n in range(2500)]
    data = tmx_file(units)
    seen = []
    with app.app_context(), get_sessionmaker(app)() as db:
        result = tmxio.import_tmx(db, io.BytesIO(data), "big.tmx",
                                    on_batch=lambda done, total, r: seen.append((done, total)))
    assert result.added == 2500
    assert len(seen) == 3 and seen[-1] == (len(data), len(data))
    assert [done for done, _ in seen] == sorted(done for done, _ in seen)


def test_real_utf16_tmx_with_lang_attributes_and_several_targets(app, client, shared_testdata):
    data = (shared_testdata / "tmx" / "omegat_test-multiple-tuv.tmx").read_bytes()
    job = import_tmx(app, client, data, name="multi.tmx")
    assert job["status"] == "done", job
    pairs = client.get("/api/tm/pairs").get_json()
    assert {(p["source_lang"], p["target_lang"]) for p in pairs} >= {("en", "fr"), ("en", "es")}
    lisa = (shared_testdata / "tmx" / "lisa_ImportTest1A_utf16_whitespace.tmx").read_bytes()
    assert import_tmx(app, client, lisa, name="lisa.tmx")["status"] == "done"


@pytest.mark.parametrize("data, status, words", [
    (b"hello, not xml", 422, "not well-formed XML"),
    (b"<?xml version='1.0'?><xliff version='1.2'/>", 422, "not a TMX document"),
    (b"<?xml version='1.0'?>\n<!DOCTYPE tmx [<!ENTITY x SYSTEM 'file:///etc/passwd'>]>\n<tmx/>",
     422, "entities"),
    (b"", 422, "empty"),
])
def test_a_file_that_is_not_tmx_is_refused_at_once(app, client, data, status, words):
    resp = client.post("/api/tm/import", data={"file": (io.BytesIO(data), "x.tmx")},
                       content_type="multipart/form-data")
    assert resp.status_code == status and words in resp.get_json()["message"]
    with app.app_context(), get_sessionmaker(app)() as db:
        assert db.scalar(select(func.count()).select_from(Job)) == 0


def test_a_tmx_broken_halfway_fails_its_job_and_adds_nothing(app, client):
    good = tmx_file([(f"Unit {n} is fine.", f"Einheit {n} ist gut.") for n in range(1500)])
    broken = good.replace(b"</body></tmx>", b"<tu><tuv xml:lang='en'><seg>oops</tuv></tu>")
    job = import_tmx(app, client, broken)
    assert job["status"] == "failed"
    assert "nothing was added" in job["message"] and "line" in job["message"]
    assert unit_count(app) == 0


def test_a_tmx_over_the_memory_limit_is_refused_with_the_limit(app, client):
    app.config["TM_MAX_UPLOAD_BYTES"] = 1024
    data = tmx_file([(f"Unit {n}.", f"Einheit {n}.") for n in range(100)])
    resp = client.post("/api/tm/import", data={"file": (io.BytesIO(data), "x.tmx")},
                       content_type="multipart/form-data")
    assert resp.status_code == 413 and "limit" in resp.get_json()["message"]


def test_translators_may_not_import_into_the_memory_but_may_look_up_and_export(
    client_as, api_headers
):
    translator = client_as("translator")
    resp = translator.post("/api/tm/import", data={"file": (io.BytesIO(tmx_file([])), "x.tmx")},
                           content_type="multipart/form-data")
    assert resp.status_code == 403
    assert translator.post("/tm/import", data={}).status_code == 403
    assert translator.get("/api/tm/export").status_code == 200
    assert "Editors and admins import" in translator.get("/tm").get_data(as_text=True)
    token = api_headers("editor")
    ok = translator.application.test_client().post(
        "/api/tm/import", headers=token, content_type="multipart/form-data",
        data={"file": (io.BytesIO(tmx_file([("a b c", "x y z")])), "x.tmx")})
    assert ok.status_code == 202


def test_the_tm_page_imports_shows_progress_and_counts_pairs(app, client):
    resp = client.post("/tm/import", data={
        "file": (io.BytesIO(tmx_file([("Good morning.", "Guten Morgen.")])), "greet.tmx"),
    }, content_type="multipart/form-data")
    assert resp.status_code == 303
    job_id = int(resp.headers["Location"].rsplit("=", 1)[1])
    app.extensions["webapp.jobs"].wait(job_id, timeout=60)
    page = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert "Imported 1 unit " in page
    progress = client.get(f"/jobs/{job_id}", headers={"HX-Request": "true"})
    assert "tm-changed" in progress.headers["HX-Trigger"]
    pairs = client.get("/tm/pairs").get_data(as_text=True)
    assert "<td class=\"num\">1</td>" in pairs and "de-DE" in pairs
    bad = client.post("/tm/import", data={"file": (io.BytesIO(b"nope"), "x.tmx")},
                      content_type="multipart/form-data")
    assert bad.status_code == 422 and "not well-formed XML" in bad.get_data(as_text=True)


# --- Export ----------------------------------------------------------------------------


def test_memory_exports_as_tmx_14b_and_reimports_the_same(app, client):
    units = [("Good morning.", "Guten Morgen."), ("Good night.", "Gute Nacht.")]
    import_tmx(app, client, tmx_file(units), name="greet.tmx")
    resp = client.get("/api/tm/export?source_lang=en&target_lang=de")
    assert resp.status_code == 200 and b'<tmx version="1.4">' in resp.data
    back = read_tmx(resp.data)
    assert [(u.source, u.target, u.target_lang) for u in back] == [
        ("Good morning.", "Guten Morgen.", "de-DE"), ("Good night.", "Gute Nacht.", "de-DE")]
    assert back[0].creation_id == "lena" and ("x-origin", "greet.tmx") in back[0].props


def test_exporting_a_memory_of_several_source_languages_asks_for_one(app, client):
    import_tmx(app, client, tmx_file([("Good morning.", "Guten Morgen.")]))
    import_tmx(app, client, tmx_file([("Guten Morgen.", "Good morning.")], src="de", tgt="en"))
    resp = client.get("/api/tm/export")
    assert resp.status_code == 400 and "source_lang" in resp.get_json()["message"]
    assert client.get("/api/tm/export?source_lang=de").status_code == 200


# --- Lookup API ------------------------------------------------------------------------


def test_lookup_matches_language_codes_loosely_but_keeps_regions_apart(app, client):
    import_tmx(app, client, tmx_file([("The street is closed.", "Die Strasse ist gesperrt.")],
                                     tgt="de-CH"))
    assert lookup(client, "The street is closed.", "EN", "de")[0]["score"] == 100
    assert lookup(client, "The street is closed.", "en-US", "de-CH")[0]["score"] == 100
    assert lookup(client, "The street is closed.", "en", "de-DE") == []


@pytest.mark.parametrize("body", [
    {"text": "", "source_lang": "de", "target_lang": "en"},
    {"text": "x", "source_lang": 5, "target_lang": "en"},
    {"text": "x", "source_lang": "de", "target_lang": "en", "threshold": 2},
    {"text": "x", "source_lang": "de", "target_lang": "en", "limit": 0},
])
def test_bad_lookup_bodies_are_json_400s(client, body):
    resp = client.post("/api/tm/lookup", json=body)
    assert resp.status_code == 400 and resp.get_json()["message"]


def test_lookup_threshold_and_limit(app, client):
    units = [(f"The council met on day {n} of the month.", f"Der Rat tagte am Tag {n}.")
             for n in range(6)]
    import_tmx(app, client, tmx_file(units))
    assert len(lookup(client, "The council met on day 9 of the month.", "en", "de")) == 3
    assert len(lookup(client, "The council met on day 9 of the month.", "en", "de",
                      limit=5)) == 5
    assert lookup(client, "The council met.", "en", "de", threshold=0.9) == []


# --- In the editor ---------------------------------------------------------------------


def test_the_open_segment_shows_up_to_three_matches_with_score_diff_and_origin(app, client):
    units = [("Der Vertrag wurde heute unterzeichnet.", "The contract was signed today."),
             ("Der Vertrag wurde gestern geändert.", "The contract was changed yesterday."),
             ("Der Vertrag wurde gestern unterzeichnet.", "The contract was signed yesterday."),
             ("Das Wetter ist schön.", "The weather is nice.")]
    import_tmx(app, client, tmx_file(units, src="de", tgt="en"), name="vertraege.tmx")
    doc = upload_text(client)
    seg = segments(client, doc["id"])[0]
    html = client.get(f"/segments/{seg['id']}/edit").get_data(as_text=True)
    assert html.count('<li class="tm-match') == 3
    assert 'data-n="1" data-insert="The contract was signed yesterday."' in html
    assert '<span class="tm-score" title="match">100%</span>' in html
    assert "<del>heute</del><ins>gestern</ins>" in html
    assert "vertraege.tmx · lena" in html
    assert "The weather is nice." not in html


def test_matches_below_the_configured_threshold_are_not_shown(app, client):
    app.config["TM_THRESHOLD"] = 0.95
    import_tmx(app, client, tmx_file([("Der Vertrag wurde heute unterzeichnet.", "Signed.")],
                                     src="de", tgt="en"))
    doc = upload_text(client)
    seg = segments(client, doc["id"])[0]
    assert "tm-match" not in client.get(f"/segments/{seg['id']}/edit").get_data(as_text=True)


def test_a_match_with_tags_is_offered_with_the_segments_own_tags(app, client):
    import_tmx(app, client, tmx_file(
        [("Click <bpt i='1'>&lt;b&gt;</bpt>Save<ept i='1'>&lt;/b&gt;</ept> now.",
          "Klicken Sie jetzt auf <bpt i='1'>&lt;b&gt;</bpt>Speichern<ept i='1'>&lt;/b&gt;</ept>.")]))
    xliff = b"""<xliff xmlns="urn:oasis:names:tc:xliff:document:1.2" version="1.2"><file
      original="a" source-language="en" target-language="de" datatype="plaintext"><body>
      <trans-unit id="1"><source>Click <g id="7">Save</g> now!</source></trans-unit>
      </body></file></xliff>"""
    doc = client.post("/api/documents", data={"file": (io.BytesIO(xliff), "a.xlf")},
                      content_type="multipart/form-data").get_json()
    seg = segments(client, doc["id"])[0]
    html = client.get(f"/segments/{seg['id']}/edit").get_data(as_text=True)
    assert 'data-insert="Klicken Sie jetzt auf ⟨1⟩Speichern⟨/1⟩."' in html
    assert 'class="tag tag-open" data-tag="⟨1⟩"' in html


def test_import_can_prefill_targets_from_exact_matches(app, client):
    import_tmx(app, client, tmx_file([("Der Vertrag wurde gestern unterzeichnet.",
                                       "The contract was signed yesterday.")],
                                     src="de", tgt="en"))
    doc = upload_text(client, tm_prefill="1")
    assert doc["tm_prefilled"] == 1
    first, second = segments(client, doc["id"])
    assert first["target"] == "The contract was signed yesterday."
    assert first["state"] == "translated" and second["target"] == ""
    history = client.get(f"/api/segments/{first['id']}/history").get_json()
    assert history["revisions"][0]["kind"] == "tm"
    plain = upload_text(client)
    assert plain["tm_prefilled"] is None and segments(client, plain["id"])[0]["target"] == ""


# --- Concordance -----------------------------------------------------------------------


def test_concordance_finds_a_phrase_on_either_side(app, client):
    import_tmx(app, client, tmx_file([("The Security Council met.", "Der Sicherheitsrat tagte."),
                                      ("The weather is nice.", "Das Wetter ist schön.")]))
    resp = client.get("/api/tm/concordance?q=security+council&source_lang=en&target_lang=de")
    body = resp.get_json()
    assert [u["target"] for u in body["units"]] == ["Der Sicherheitsrat tagte."]
    assert (body["units"][0]["start"], body["units"][0]["end"]) == (4, 20)
    target_side = client.get("/api/tm/concordance?q=wetter&side=target&source_lang=en"
                             "&target_lang=de").get_json()
    assert [u["source"] for u in target_side["units"]] == ["The weather is nice."]
    assert client.get("/api/tm/concordance?source_lang=en&target_lang=de").status_code == 400


def test_the_concordance_panel_searches_from_the_editor_with_the_documents_pair(app, client):
    import_tmx(app, client, tmx_file([("Der Vertrag gilt.", "The contract applies.")],
                                     src="de", tgt="en"))
    doc = upload_text(client)
    panel = client.get(f"/tm/concordance?q=Vertrag&doc={doc['id']}",
                       headers={"HX-Request": "true"})
    html = panel.get_data(as_text=True)
    assert html.lstrip().startswith('<section class="concordance"')
    assert "<mark>Vertrag</mark>" in html and "The contract applies." in html
    full = client.get("/tm/concordance?q=contract&side=target&source_lang=de&target_lang=en")
    assert "<!doctype html>" in full.get_data(as_text=True)
    assert "<mark>contract</mark>" in full.get_data(as_text=True)


def test_the_concordance_also_searches_the_glossary(app, client):
    body = client.get("/api/tm/concordance?q=Sicherheitsrat&source_lang=de&target_lang=en")
    entries = body.get_json()["glossary"]
    assert any("UN-Sicherheitsrat" in e["terms"].get("de", []) for e in entries)


def test_a_big_memory_is_indexed_off_the_request_and_matches_follow(app, client):
    import time

    import_tmx(app, client, tmx_file([(f"The meeting number {n} was long.",
                                       f"Die Sitzung Nummer {n} war lang.") for n in range(30)]))
    tm_cache = app.extensions["webapp.tm_cache"]
    tm_cache.clear()  # as after a restart
    tm_cache.inline_rows = 10
    first = client.post("/api/tm/lookup", json={"text": "The meeting number 7 was long.",
                                                "source_lang": "en", "target_lang": "de"})
    assert first.get_json() == {"matches": [], "indexing": True}
    deadline = time.monotonic() + 30
    while not tm_cache.ready("en", "de") and time.monotonic() < deadline:
        time.sleep(0.05)
    matches = lookup(client, "The meeting number 7 was long.", "en", "de")
    assert matches[0]["score"] == 100 and matches[0]["target"] == "Die Sitzung Nummer 7 war lang."
