"""The glossary in the app: highlights, terms and QA beside segments, the glossary page, API, MT."""

from __future__ import annotations

import csv
import io
import re

import defusedxml.ElementTree as SafeET
import pytest
from api_steps import codes, save, segments
from browser import browser_login, screenshot
from conftest import PASSWORD, database_url
from sqlalchemy import func, select

from webapp import create_app
from webapp.core.db import get_sessionmaker
from webapp.core.models import GlossaryEntry, GlossaryImport, QaDismissal, Segment
from webapp.glossary.cli import seed_glossary
from webapp.glossary.protect import MtGuard
from webapp.glossary.views import highlight_terms
from webapp.mt import engine as mt

HX = {"HX-Request": "true"}

# A German text to translate into English: one term, DNT name or number per line.
DE = (
    "Der UN-Sicherheitsrat tagte am Montag in Pjöngjang.\n\n"
    "Artyom Lukin schrieb für 38 North über Wladiwostok.\n\n"
    "Die Nachrichtenagentur Interfax meldete 15 Raketen.\n\n"
    "Moskau schwieg.\n"
)


def upload(client, text: str = DE, mode: str = "translate", src: str = "de",
           tgt: str = "en") -> int:
    """Import a text through the API and return the document id."""
    resp = client.post("/api/documents", data={
        "file": (io.BytesIO(text.encode()), "article.txt"), "source_lang": src,
        "target_lang": tgt, "mode": mode,
    }, content_type="multipart/form-data")
    assert resp.status_code == 201, resp.get_json()
    return resp.get_json()["id"]


def text_of(html: str) -> str:
    """Return what a person reads: the markup without its tags."""
    return re.sub(r"<[^>]+>", "", html)


def version(client) -> str:
    """Return the glossary's content version."""
    return client.get("/api/glossary").get_json()["version"]


# ---------------------------------------------------------------------------
# In the editor
# ---------------------------------------------------------------------------


def test_terms_are_highlighted_in_both_columns_with_the_other_languages_renderings(client):
    doc = upload(client)
    first = segments(client, doc)[0]
    save(client, first, "The UN Security Council met in Pyongyang on Monday.")
    html = client.get(f"/documents/{doc}").get_data(as_text=True)
    source = re.search(r'<td class="src" lang="de">(.*?)</td>', html, re.S).group(1)
    target = re.search(r'<td class="tgt" lang="en">(.*?)<div', html, re.S).group(1)
    mark = re.search(r'<mark class="term" data-entry="UN-Sicherheitsrat" aria-description="([^"]*)" '
                     r'tabindex="-1">UN-Sicherheitsrat</mark>', source)
    assert mark, source
    assert mark.group(1).startswith("en: UN Security Council | UNSC (not UN Safety Council")
    assert "The 15-member UN body" in mark.group(1)
    assert 'data-entry="Pjöngjang"' in source and ">Pjöngjang</mark>" in source
    # The English column: the same concepts, with their German renderings on hover.
    assert '>UN Security Council</mark>' in target and '>Pyongyang</mark>' in target
    assert 'aria-description="de: UN-Sicherheitsrat | UNO-Sicherheitsrat' in target
    assert "title=" not in source + target
    assert text_of(target).strip() == "The UN Security Council met in Pyongyang on Monday."


def test_hostile_terms_notes_and_text_are_escaped_everywhere(client):
    resp = client.post("/glossary", headers=HX, data={
        "terms_de": "<b>Böse</b>", "terms_en": "Evil<script>",
        "note": '"><img src=x onerror=alert(1)>', "forbidden": "en:<i>bad</i>",
    })
    assert resp.status_code == 200, resp.get_data(as_text=True)
    doc = upload(client, "Das ist <b>Böse</b> & gut.\n")
    html = client.get(f"/documents/{doc}").get_data(as_text=True)
    assert "&lt;b&gt;Böse&lt;/b&gt;</mark>" in html and "&amp; gut." in html
    assert "<img" not in html and "<b>Böse" not in html and "<script>" not in html
    assert "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;" in html
    page = client.get("/glossary?q=Böse").get_data(as_text=True)
    assert "<img" not in page and "<script>" not in page and "&lt;b&gt;Böse" in page
    lookup = client.post("/api/glossary/lookup", json={"text": "<b>Böse</b>", "lang": "de"})
    assert lookup.get_json()["matches"][0]["entry"]["note"].startswith('"><img')


def test_each_segment_shows_the_terms_of_the_other_language_it_contains(client, seed_bytes):
    doc = upload(client, seed_bytes.decode(), mode="review", src="en", tgt="de")
    html = client.get(f"/documents/{doc}?rows=100").get_data(as_text=True)  # the whole page
    row = next(r for r in re.findall(r'<tr id="seg-\d+".*?</tr>', html, re.S)
               if "Artyom Lukin" in r)
    # Review mode without English: the German draft's glossary terms stand in the English
    # column, each English rendering with the German it renders; no grey line under the German.
    assert '<p class="seg-terms">' not in row
    column = " ".join(text_of(re.search(r"<ul class=\"src-terms\".*?</ul>", row, re.S).group(0)).split())
    assert "Vladivostok Wladiwostok" in column
    assert "Artyom Lukin Artyom Lukin" in column
    assert "38 North keep 38 North" in column
    review = client.get(f"/documents/{doc}/review?state=&rows=100").get_data(as_text=True)
    assert "Vladivostok" in text_of(review)
    # Translate mode: the source's terms with the target language's renderings.
    doc2 = upload(client)
    html2 = client.get(f"/documents/{doc2}").get_data(as_text=True)
    assert "UN-Sicherheitsrat → UN Security Council | UNSC" in text_of(html2)
    assert "Moskau → Moscow" in text_of(html2)


def test_glossary_warnings_are_recomputed_on_every_save(client):
    doc = upload(client)
    first, second, *_ = segments(client, doc)
    resp = client.post(f"/segments/{first['id']}", headers=HX, data={
        "target": "The Security Council met in Pyongyang on Monday.", "version": "0"})
    row = resp.get_data(as_text=True)
    assert 'class="qa-item code-missing_term"' in row
    assert "The source has “UN-Sicherheitsrat” (UN-Sicherheitsrat)" in text_of(row)
    resp = client.post(f"/segments/{first['id']}", headers=HX, data={
        "target": "The UN Security Council met in Pyongyang on Monday.", "version": "1"})
    assert "qa-item" not in resp.get_data(as_text=True)

    save(client, second, "Artyom Lukin wrote for 38 Nord about Vladivostok.")
    assert set(codes(client, second)) == {"forbidden_term", "dnt_changed"}
    edit = client.get(f"/segments/{second['id']}/edit", headers=HX).get_data(as_text=True)
    assert "“38 Nord” is a forbidden rendering of “38 North”; use “38 North”." in edit
    save(client, second, "Artyom Lukin wrote for 38 North about Vladivostok.")
    assert codes(client, second) == []


def test_lookup_finds_inflected_terms_with_spans_and_whole_entries(client):
    text = "Die Sitzung des UN-Sicherheitsrates (UNSC) in Pjöngjangs Nähe."
    resp = client.post("/api/glossary/lookup", json={"text": text, "lang": "de"})
    assert resp.status_code == 200
    matches = resp.get_json()["matches"]
    found = [(m["text"], m["entry"]["key"]) for m in matches]
    assert found == [("UN-Sicherheitsrates", "UN-Sicherheitsrat"), ("UNSC", "UN-Sicherheitsrat"),
                     ("Pjöngjangs", "Pjöngjang")]
    first = matches[0]
    assert text[first["start"]:first["end"]] == "UN-Sicherheitsrates"
    assert first["entry"]["terms"]["en"] == ["UN Security Council", "UNSC"]
    assert first["entry"]["note"].startswith("The 15-member UN body")
    assert first["entry"]["dnt"] is False
    for body in ({"text": "x"}, {"text": 3, "lang": "de"}, {"text": "x", "lang": "!!"}):
        bad = client.post("/api/glossary/lookup", json=body)
        assert bad.status_code == 400 and bad.get_json()["message"]


# ---------------------------------------------------------------------------
# The glossary page
# ---------------------------------------------------------------------------


def test_admins_search_add_edit_and_delete_entries(client):
    page = client.get("/glossary").get_data(as_text=True)
    assert "28 concepts" in page and 'id="glossary-add"' in page
    found = client.get("/glossary?q=Schoigu", headers={**HX, "HX-Target": "glossary-list"})
    assert found.headers["Vary"] == "Cookie, HX-Request" or "HX-Request" in found.headers["Vary"]
    html = found.get_data(as_text=True)
    assert html.lstrip().startswith('<div id="glossary-list"')
    assert html.count('<tr id="entry-') == 2 and "2 of 28 concepts match" in html

    before = version(client)
    added = client.post("/glossary", headers=HX, data={
        "terms_de": "Seoul", "terms_en": "Seoul", "note": "Capital of South Korea.",
        "forbidden": "en:Söul | Soul", "case_sensitive": ""})
    assert added.status_code == 200 and added.headers["HX-Trigger"] == "glossary-changed"
    assert "Added “Seoul”." in added.get_data(as_text=True)
    assert version(client) != before
    entry = client.get("/api/glossary?q=Seoul").get_json()["entries"][0]
    assert entry["forbidden"] == {"en": ["Söul"], "*": ["Soul"]}

    edit = client.get(f"/glossary/{entry['id']}/edit", headers=HX).get_data(as_text=True)
    assert 'value="Seoul"' in edit and 'value="en:Söul | Soul"' in edit
    saved = client.post(f"/glossary/{entry['id']}", headers=HX, data={
        "terms_de": "Seoul | Söul", "terms_en": "Seoul", "note": "Capital of South Korea.",
        "forbidden": "Soul", "key": "Seoul", "dnt": "yes"})
    assert saved.status_code == 200
    assert "do not translate" in saved.get_data(as_text=True)
    assert client.post("/api/glossary/lookup", json={"text": "in Söul", "lang": "de"}
                       ).get_json()["matches"][0]["entry"]["dnt"] is True

    gone = client.post(f"/glossary/{entry['id']}/delete", headers=HX)
    assert gone.status_code == 200 and gone.get_data(as_text=True) == ""
    assert client.get("/api/glossary?q=Seoul").get_json()["entries"] == []
    plain = client.post(f"/glossary/{entry['id'] - 1}/delete")
    assert plain.status_code == 303


def test_edits_are_validated_and_a_refused_edit_changes_nothing(client):
    before = version(client)
    cases = [
        ({"terms_de": "", "terms_en": " "}, "empty term: the entry needs a term in at least one"),
        ({"terms_de": "Kreml", "terms_en": "Kremlin"}, "duplicate concept: an entry “Kreml”"),
        ({"terms_de": "Seoul", "terms_fr": "Séoul"},
         "unknown language column “fr”: this workbench has de, en"),
        ({"terms_de": "Seoul|", "terms_en": "Seoul"}, "empty term: the de term has an empty"),
    ]
    for form, message in cases:
        resp = client.post("/glossary", headers=HX, data=form)
        assert resp.status_code == 422, form
        assert message in resp.get_data(as_text=True)
    kreml = client.get("/api/glossary?q=Kremlin").get_json()["entries"][0]
    resp = client.post(f"/glossary/{kreml['id']}", headers=HX,
                       data={"terms_de": "Moskau", "terms_en": "Moscow", "key": "Moskau"})
    assert resp.status_code == 422 and "duplicate concept" in resp.get_data(as_text=True)
    assert 'value="Moskau"' in resp.get_data(as_text=True)
    assert version(client) == before
    assert client.post("/glossary", data={"terms_de": ""}).status_code == 422


def test_an_edit_reaches_every_worker_without_a_restart(app, client, tmp_path):
    other = create_app({"TESTING": True, "SECRET_KEY": "test-secret",
                        "DATABASE_URL": database_url(tmp_path)})
    try:
        with other.test_request_context():
            assert "<mark" not in str(highlight_terms("Wir fahren nach Seoul.", "de"))
        client.post("/glossary", data={"terms_de": "Seoul", "terms_en": "Seoul"})
        with other.test_request_context():
            html = str(highlight_terms("Wir fahren nach Seoul.", "de"))
        assert '<mark class="term" data-entry="Seoul"' in html
    finally:
        other.extensions["webapp.engine"].dispose()


def exported_rows(client) -> list[list[str]]:
    """Return the exported glossary CSV as rows."""
    return list(csv.reader(io.StringIO(client.get("/glossary/export.csv").get_data(as_text=True))))


def to_csv(rows: list[list[str]]) -> bytes:
    """Return rows as CSV bytes."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue().encode()


def test_an_import_is_previewed_then_applied(app, client):
    header, *rows = exported_rows(client)
    moskau = next(r for r in rows if r[0] == "Moskau")
    kreml = next(r for r in rows if r[0] == "Kreml")
    changed = [*moskau]
    changed[header.index("note")] = "Also shorthand for the Russian government."
    new = ["Seoul", "Seoul", "Capital of South Korea.", "", "", ""]
    data = to_csv([header, kreml, changed, new])
    before = version(client)

    resp = client.post("/glossary/import", headers=HX, data={
        "file": (io.BytesIO(data), "update.csv")}, content_type="multipart/form-data")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert "update.csv: 1 to add, 1 to change, 1 already the same" in text_of(html)
    assert "Also shorthand for the Russian government." in html
    assert version(client) == before
    token = re.search(r'action="/glossary/import/([^"]+)"', html).group(1)

    applied = client.post(f"/glossary/import/{token}")
    assert applied.status_code == 303
    page = client.get("/glossary").get_data(as_text=True)
    assert "Imported update.csv: 1 added, 1 changed, 1 already the same." in page
    glossary = client.get("/api/glossary").get_json()
    assert len(glossary["entries"]) == 29
    assert next(e for e in glossary["entries"] if e["key"] == "Moskau")["note"] == changed[2]
    assert client.post(f"/glossary/import/{token}").status_code == 404


def test_an_import_previewed_before_another_edit_is_refused(client):
    header, *_ = exported_rows(client)
    data = to_csv([header, ["Seoul", "Seoul", "", "", "", ""]])
    html = client.post("/glossary/import", data={"file": (io.BytesIO(data), "a.csv")},
                       content_type="multipart/form-data").get_data(as_text=True)
    token = re.search(r'action="/glossary/import/([^"]+)"', html).group(1)
    client.post("/glossary", data={"terms_de": "Busan", "terms_en": "Busan"})
    client.post(f"/glossary/import/{token}")
    page = client.get("/glossary").get_data(as_text=True)
    assert "Nothing was imported: the glossary changed since this import was previewed" in page
    assert client.get("/api/glossary?q=Seoul").get_json()["entries"] == []


BAD_FILES = [
    ("bad.csv", b'de,en,note,dnt,forbidden,case_sensitive\nA,B,,,,\n"Broken,C,,,,\n',
     "line 3: unbalanced quote"),
    ("latin.csv", "de,en,note\nKöln,Cologne,\n".encode("latin-1"),
     "line 2: wrong encoding: byte 0xF6 at column 2 is not UTF-8"),
    ("header.csv", b"de,en,Domain\nA,B,C\n", "line 1: wrong header: unknown column “Domain”"),
    ("empty.csv", b"de,en,note\n,,just a note\n", "line 2: empty term"),
    ("french.csv", b"de,fr\nA,B\n", "line 1: unknown language column “fr”"),
    ("xxe.tbx", b'<?xml version="1.0"?>\n<!DOCTYPE martif [<!ENTITY x SYSTEM '
                b'"file:///etc/passwd">]>\n<martif><text><body><termEntry><langSet xml:lang="de">'
                b"<tig><term>&x;</term></tig></langSet></termEntry></body></text></martif>",
     "refused: the file declares the XML entity"),
]


@pytest.mark.parametrize("name,data,message", BAD_FILES, ids=[b[0] for b in BAD_FILES])
def test_a_bad_file_changes_nothing_and_says_which_line(app, client, name, data, message):
    before = version(client)
    resp = client.post("/glossary/import", headers=HX, data={"file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")
    assert resp.status_code == 422
    assert message in resp.get_data(as_text=True)
    api = client.post("/api/glossary/import", data={"file": (io.BytesIO(data), name),
                                                    "apply": "true"},
                      content_type="multipart/form-data")
    assert api.status_code == 422 and message in api.get_json()["message"]
    assert version(client) == before
    with app.app_context(), get_sessionmaker(app)() as db:
        assert db.scalar(select(func.count()).select_from(GlossaryImport)) == 0


def test_exports_are_formula_safe_and_read_back_unchanged(client):
    client.post("/glossary", data={"terms_de": "=Formel", "terms_en": "+formula",
                                   "note": "@SUM(A1) -1"})
    text = client.get("/glossary/export.csv").get_data(as_text=True)
    assert "'=Formel,'+formula,'@SUM(A1) -1" in text
    for cell in (c for row in csv.reader(io.StringIO(text)) for c in row):
        assert cell[:1] not in ("=", "+", "-", "@"), cell
    again = client.post("/api/glossary/import", data={
        "file": (io.BytesIO(text.encode()), "glossary.csv")}, content_type="multipart/form-data")
    assert again.status_code == 200
    result = again.get_json()
    assert (len(result["added"]), len(result["changed"]), len(result["skipped"])) == (0, 0, 29)

    tbx = client.get("/api/glossary/export?format=tbx")
    assert tbx.headers["Content-Type"].startswith("application/x-tbx+xml")
    root = SafeET.fromstring(tbx.data)
    assert len(root.findall(".//termEntry")) == 29
    back = client.post("/api/glossary/import", data={
        "file": (io.BytesIO(tbx.data), "glossary.tbx")}, content_type="multipart/form-data")
    assert len(back.get_json()["skipped"]) == 29
    assert client.get("/api/glossary/export?format=xlsx").status_code == 400


def test_the_api_imports_only_with_apply_and_a_current_base_version(client, api_headers):
    admin = api_headers("admin")
    data = to_csv([["de", "en"], ["Seoul", "Seoul"]])
    preview = client.post("/api/glossary/import", headers=admin, data={
        "file": (io.BytesIO(data), "a.csv")}, content_type="multipart/form-data").get_json()
    assert preview["applied"] is False and [e["key"] for e in preview["added"]] == ["Seoul"]
    stale = client.post("/api/glossary/import", headers=admin, data={
        "file": (io.BytesIO(data), "a.csv"), "apply": "true", "base_version": "0000"},
        content_type="multipart/form-data")
    assert stale.status_code == 409
    done = client.post("/api/glossary/import", headers=admin, data={
        "file": (io.BytesIO(data), "a.csv"), "apply": "true",
        "base_version": preview["base_version"]}, content_type="multipart/form-data")
    assert done.status_code == 200 and done.get_json()["applied"] is True
    assert len(client.get("/api/glossary", headers=admin).get_json()["entries"]) == 29


def test_translators_read_the_glossary_but_only_admins_change_it(client, client_as, api_headers):
    translator = client_as("translator", "tina")
    page = translator.get("/glossary").get_data(as_text=True)
    assert "UN-Sicherheitsrat" in page and 'id="glossary-add"' not in page
    assert "/edit\"" not in page and "admins edit it" in page
    entry = translator.get("/api/glossary").get_json()["entries"][0]
    csv_file = (io.BytesIO(b"de,en\nSeoul,Seoul\n"), "a.csv")
    assert translator.post("/glossary", data={"terms_de": "Seoul"}).status_code == 403
    assert translator.get(f"/glossary/{entry['id']}/edit").status_code == 403
    assert translator.post(f"/glossary/{entry['id']}", data={"terms_de": "X"}).status_code == 403
    assert translator.post(f"/glossary/{entry['id']}/delete").status_code == 403
    assert translator.post("/glossary/import", data={"file": csv_file},
                           content_type="multipart/form-data").status_code == 403
    api = client.post("/api/glossary/import", headers=api_headers("editor"),
                      data={"file": (io.BytesIO(b"de,en\nSeoul,Seoul\n"), "a.csv")},
                      content_type="multipart/form-data")
    assert api.status_code == 403 and api.get_json()["message"]
    assert translator.get("/glossary/export.csv").status_code == 200
    # Translators and editors do dismiss warnings.
    doc = upload(translator)
    first = segments(translator, doc)[0]
    save(translator, first, "The Security Council met in Pyongyang on Monday.")
    resp = translator.post(f"/api/segments/{first['id']}/qa/dismiss", json={
        "code": "missing_term", "key": "UN-Sicherheitsrat", "reason": "Said before."})
    assert resp.status_code == 201 and resp.get_json()["dismissed"]["author"] == "tina"


def test_the_glossary_cli_exports_and_previews_an_import(app, runner, tmp_path):
    out = tmp_path / "g.csv"
    result = runner.invoke(args=["glossary-export", "-o", str(out)])
    assert result.exit_code == 0 and "Wrote 28 entries" in result.output
    out.write_text(out.read_text() + "Seoul,Seoul,,,,\n")
    dry = runner.invoke(args=["glossary-import", str(out), "--dry-run"])
    assert "+ Seoul" in dry.output and "1 added, 0 changed, 28 already the same" in dry.output
    done = runner.invoke(args=["glossary-import", str(out)])
    assert done.exit_code == 0 and "Imported g.csv" in done.output
    with app.app_context():
        assert seed_glossary() == "The glossary has 29 entries."


def test_the_first_run_loads_the_curated_glossary_once(app):
    with app.app_context():
        assert seed_glossary() == "Loaded the glossary from glossary.csv: 28 entries."
        with get_sessionmaker(app)() as db:
            db.query(GlossaryEntry).delete()
            db.commit()
        # Emptied on purpose: the curated file does not come back.
        assert seed_glossary() == "The glossary has 0 entries."


# ---------------------------------------------------------------------------
# Through machine translation
# ---------------------------------------------------------------------------


@pytest.fixture
def engine(monkeypatch):
    """Replace the MT engine with one that echoes its input (optionally mangled)."""
    calls: list[list[str]] = []
    mangle = {"fn": lambda text: text}

    def translate_batch(texts, from_code, to_code, progress=None, batch_size=32):
        calls.append(list(texts))
        if progress:
            progress(len(texts), len(texts))
        return [mangle["fn"](t) for t in texts]

    monkeypatch.setattr(mt, "translate_batch", translate_batch)
    monkeypatch.setattr(mt, "route", lambda a, b: [])
    monkeypatch.setattr(mt, "has_route", lambda a, b: True)
    return calls, mangle


def run_job(app, client, doc: int) -> dict:
    """Pre-translate a document through the API and return the finished job."""
    job = client.post(f"/api/documents/{doc}/pretranslate").get_json()
    app.extensions["webapp.jobs"].wait(job["id"], timeout=120)
    return client.get(f"/api/jobs/{job['id']}").get_json()


def test_glossary_terms_survive_an_engine_that_echoes_its_input(app, client, engine):
    calls, _ = engine
    doc = upload(client, DE + "Der Kreml schwieg zu Moskaus Plänen.\n")
    job = run_job(app, client, doc)
    assert job["status"] == "done", job
    sent = calls[0]
    assert sent[1] == "ZQX0 schrieb für ZQX1 über ZQX2."
    assert "Wladiwostok" not in " ".join(sent) and "38 North" not in " ".join(sent)
    drafts = [s["target"] for s in segments(client, doc)]
    assert drafts[1] == "Artyom Lukin schrieb für 38 North über Vladivostok."
    # The inflected "Moskaus" is left to the engine, which kept the forbidden spelling.
    assert drafts[4] == "Der Kremlin schwieg zu Moscow Plänen."
    assert "1 forbidden rendering replaced" in job["message"]


def test_a_protected_term_the_engine_drops_gets_a_warning_not_silence(app, client, engine):
    _, mangle = engine
    mangle["fn"] = lambda text: re.sub(r"ZQX2\b", "", text)
    doc = upload(client)
    job = run_job(app, client, doc)
    assert "The engine dropped 1 protected glossary term; its segment shows a QA warning." \
        in job["message"]
    second = segments(client, doc)[1]
    assert second["target"] == "Artyom Lukin schrieb für 38 North über ."
    warnings = client.get(f"/api/segments/{second['id']}/qa").get_json()["warnings"]
    assert [(w["code"], w["key"]) for w in warnings if w["code"] == "missing_term"] == [
        ("missing_term", "Wladiwostok")]


def test_back_translation_is_protected_too(app, client, engine, seed_bytes):
    doc = upload(client, seed_bytes.decode(), mode="review", src="en", tgt="de")
    assert run_job(app, client, doc)["status"] == "done"
    sources = " ".join(s["source"] for s in segments(client, doc))
    assert "Vladivostok" in sources and "Wladiwostok" not in sources
    assert "38 North" in sources


def test_protection_on_the_tiny_real_argos_package_breaks_nothing(app, client, argos_installed):
    doc = upload(client)
    job = run_job(app, client, doc)
    assert job["status"] == "done", job
    assert job["message"].startswith("4 segments pre-translated (de→en).")
    segs = segments(client, doc)
    # The drafts are what the tiny model itself makes of the protected sources, terms put back.
    with app.app_context(), get_sessionmaker(app)() as db:
        guard = MtGuard(app.extensions["webapp.glossary"].get(db).glossary, "de", "en")
    sources = [seg["source"] for seg in segs]
    expected = guard.restore(mt.translate_batch(guard.protect(sources), "de", "en"))
    assert [seg["target"] for seg in segs] == expected
    assert expected != sources
    for seg in segs:
        assert seg["state"] == "mt" and seg["target"]
        data = client.get(f"/api/segments/{seg['id']}/qa").get_json()
        assert all(w["code"] and w["message"] for w in data["warnings"])
    with app.app_context(), get_sessionmaker(app)() as db:
        assert db.scalar(select(func.count()).select_from(Segment)
                         .where(Segment.document_id == doc, Segment.mt != "")) == 4
        assert db.scalar(select(func.count()).select_from(QaDismissal)) == 0


# ---------------------------------------------------------------------------
# In the browser
# ---------------------------------------------------------------------------


@pytest.mark.browser
def test_hovering_or_focusing_a_term_shows_its_renderings_and_note(
    client, live_server, page, seed_bytes
):
    resp = client.post("/documents", data={
        "file": (io.BytesIO(seed_bytes), "kim-putin.de.txt"),
        "source_lang": "en", "target_lang": "de", "mode": "review"},
        content_type="multipart/form-data")
    url = live_server.url + resp.headers["Location"]
    doc = int(url.rsplit("/", 1)[1])
    seg = next(s for s in segments(client, doc) if s["target"].startswith("SEOUL"))
    # A post-editor's slip, so the screenshot shows a warning beside its segment.
    save(client, seg, seg["target"].replace("Kim Jong Un", "Kim Jong-un", 1))
    browser_login(page, live_server.url, "ada", PASSWORD)
    page.goto(url + "?rows=100")  # every row at once, not a screenful first

    row = page.locator(f"#seg-{seg['id']}")
    mark = row.locator("mark.term", has_text="Wladimir Putin").first
    tip_js = """el => {
        const s = getComputedStyle(el, '::after');
        return {content: s.content, display: s.display, width: parseFloat(s.width),
                background: s.backgroundColor};
    }"""
    # Hovering shows the styled tooltip, no native title; the screen reader gets the same
    # text as the term's description.
    mark.hover()
    hovered = mark.evaluate(tip_js)
    assert "en: Vladimir Putin (not Wladimir Putin) — " in hovered["content"]
    assert hovered["display"] != "none" and hovered["width"] > 50
    assert mark.get_attribute("title") is None
    assert mark.get_attribute("aria-description").startswith("en: Vladimir Putin (not Wladimir")
    page.mouse.move(0, 0)
    assert mark.evaluate(tip_js)["content"] == "none"

    # The keyboard reaches the terms from the row with →, not with Tab: the same tooltip.
    row.focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    assert "Waffengeschäfte" in page.evaluate("document.activeElement.outerHTML")
    page.keyboard.press("ArrowLeft")
    focused = page.evaluate("document.activeElement.outerHTML")
    assert focused.startswith('<mark class="term') and "Wladimir Putin" in focused
    assert page.evaluate("el => document.activeElement === el", mark.element_handle())
    assert mark.evaluate(tip_js) == hovered
    page.keyboard.press("Escape")
    assert page.evaluate("document.activeElement.id") == f"seg-{seg['id']}"
    # Tab goes on to the row's controls (its QA warning); it does not stop at each term.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.matches('.qa-item summary')")
    warning = row.locator(".qa-item.code-forbidden_term")
    assert "“Kim Jong-un” is a forbidden rendering of “Kim Jong Un”" in warning.inner_text()
    assert "Vladimir Putin" in row.locator("td.src .src-terms").inner_text()
    screenshot(page, "glossary-editor")

    # Dismissing from the display row does not open the editor, and Enter in the reason sends it.
    warning.locator("summary").click()
    assert not row.evaluate("r => r.classList.contains('editing')")
    warning.locator("input.qa-reason").fill("Quoted from the agency's headline.")
    page.keyboard.press("Enter")
    row.locator(".qa-dismissed").wait_for()
    assert row.locator(".qa-item").count() == 0

    # In the open edit row, Enter in a reason dismisses the warning; it does not save the text.
    other = next(s for s in segments(client, doc) if "Wladiwostok" in s["target"])
    save(client, other, other["target"].replace("Wladiwostok", "Wladiwostok  "))
    page.reload()
    row = page.locator(f"#seg-{other['id']}")
    row.click()
    editing = page.locator(f"#seg-{other['id']}.editing")
    editing.wait_for()
    editing.locator(".qa-item.code-double_space summary").click()
    editing.locator(".qa-item.code-double_space input.qa-reason").fill("Fixed in the next pass.")
    page.keyboard.press("Enter")
    editing.locator(".qa-dismissed").wait_for()
    assert page.locator(f"#seg-{other['id']}.editing textarea[name=target]").count() == 1
    assert client.get(f"/api/segments/{other['id']}").get_json()["version"] == 2


@pytest.mark.browser
def test_an_admin_searches_edits_and_previews_an_import_on_the_glossary_page(
    client, live_server, page, tmp_path
):
    browser_login(page, live_server.url, "ada", PASSWORD)
    page.goto(live_server.url + "/glossary")
    page.get_by_label("Search").fill("Schoigu")
    page.wait_for_function("() => document.querySelectorAll('#glossary-list tr.entry').length === 2")
    row = page.locator("#glossary-list tr.entry", has_text="Sergej Schoigu")
    row.get_by_role("button", name="Edit").click()
    editing = page.locator("#glossary-list tr.entry.editing")
    editing.get_by_label("Note").fill("Russian defence minister 2012–2024.")
    editing.get_by_role("button", name="Save").click()
    page.locator("#glossary-list tr.entry.just-saved").wait_for()
    assert "Russian defence minister 2012–2024." in page.locator("#glossary-list").inner_text()

    upload = tmp_path / "seoul.csv"
    upload.write_text("de,en,note\nSeoul,Seoul,Capital of South Korea.\n", encoding="utf-8")
    page.locator("input[type=file][name=file]").set_input_files(str(upload))
    page.get_by_role("button", name="Preview the import").click()
    page.locator(".import-preview").wait_for()
    assert "seoul.csv: 1 to add, 0 to change, 0 already the same" in page.locator(
        ".import-preview h3").inner_text()
    screenshot(page, "glossary-page")
    page.get_by_role("button", name="Apply: add 1, change 0").click()
    page.wait_for_url(lambda url: url.endswith("/glossary"))
    assert "Imported seoul.csv: 1 added" in page.locator("main").inner_text()
