"""Glossary import merges: a blank cell keeps the stored value, replacing is a choice, and the
preview names every field an import changes, removals included."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from conftest import SHARED_TESTDATA

from webapp.glossary.csvfile import load_csv
from webapp.glossary.entries import Glossary, GlossaryError
from webapp.glossary.merge import REPLACE, apply_import, describe, preview_import
from webapp.glossary.tbx import load_tbx

ROOT = Path(__file__).resolve().parents[2]
TESTDATA = SHARED_TESTDATA / "glossary"
HEADER = "de,en,note,dnt,forbidden,case_sensitive\n"
HX = {"HX-Request": "true"}


@pytest.fixture
def curated() -> Glossary:
    """Return the repository's curated glossary."""
    return load_csv((ROOT / "glossary.csv").read_bytes())


def test_a_row_that_only_changes_a_note_keeps_the_forbidden_rendering(curated):
    incoming = load_csv(HEADER + "Interfax,Interfax,Russische Nachrichtenagentur.,,,\n")
    preview = preview_import(curated, incoming)
    (change,) = preview.changed
    assert change.fields == ["note"]
    assert change.after.forbidden == curated["Interfax"].forbidden != {}
    assert change.after.dnt is True and change.after.forbidden_in("de") == ("Interfaks",)
    assert not change.removes
    apply_import(curated, preview)
    assert curated["Interfax"].forbidden_in("de") == ("Interfaks",)


def test_a_row_with_fewer_variants_and_blank_cells_changes_nothing_by_default(curated):
    stored = curated["Sondermilitäroperation"]
    preview = preview_import(curated, load_csv(HEADER + "Sondermilitäroperation,,,,,\n"))
    assert (preview.added, preview.changed) == ([], [])
    assert preview.skipped == [stored]


def test_replacing_a_concept_is_a_choice_and_every_removal_is_listed(curated):
    preview = preview_import(curated, load_csv(HEADER + "Sondermilitäroperation,,,,,\n"),
                             REPLACE)
    (change,) = preview.changed
    assert change.removes
    lines = [describe(d) for d in change.details]
    assert lines[0] == "de terms: − militärische Spezialoperation, − militärische Sonderoperation"
    assert "en terms: − special military operation" in lines
    assert "forbidden (en): − special operation, − military special operation" in lines
    assert any(line.startswith("note: “The Kremlin's official euphemism") and
               line.endswith("→ (none)") for line in lines)


def test_an_explicit_no_clears_do_not_translate_and_a_blank_keeps_it(curated):
    blank = preview_import(curated, load_csv(HEADER + "Interfax,Interfax,,,,\n"))
    assert blank.skipped and not blank.changed
    no = preview_import(curated, load_csv(HEADER + "Interfax,Interfax,,no,,\n"))
    (change,) = no.changed
    assert [describe(d) for d in change.details] == ["do not translate: “yes” → “no”"]
    assert change.removes


def test_a_row_without_the_german_term_merges_into_its_concept_by_the_english_one(curated):
    preview = preview_import(curated, load_csv(
        HEADER + ",Vladivostok,Port city on the Sea of Japan.,,,\n"))
    (change,) = preview.changed
    assert change.before.key == "Wladiwostok" and change.fields == ["note"]
    assert change.after.terms["de"] == ("Wladiwostok",)
    replaced = preview_import(curated, load_csv(HEADER + ",Vladivostok,,,,\n"), REPLACE)
    assert [describe(d) for d in replaced.changed[0].details][0] == "de terms: − Wladiwostok"


def test_a_tbx_import_goes_through_the_same_merge(curated):
    tbx = b"""<martif type="TBX"><text><body><termEntry id="Interfax">
      <langSet xml:lang="de"><tig><term>Interfax</term></tig></langSet>
      <langSet xml:lang="en"><tig><term>Interfax</term></tig><tig><term>Interfax agency</term></tig></langSet>
    </termEntry></body></text></martif>"""
    (change,) = preview_import(curated, load_tbx(tbx)).changed
    assert [describe(d) for d in change.details] == ["en terms: + Interfax agency"]
    assert change.after.note == curated["Interfax"].note and change.after.dnt is True


@pytest.mark.parametrize("name", ["tbxbasic_v3_sample_en_fr_de.tbx",
                                  "okapi_maryland_ntig_multilang.tbx", "omegat_sampleTBXfile.tbx"])
def test_shared_samples_imported_twice_change_nothing_the_second_time(curated, name):
    data = (TESTDATA / name).read_bytes()
    first = load_tbx(data, languages=["de", "en"])
    apply_import(curated, preview_import(curated, first))
    for mode in ("merge", "replace"):
        again = preview_import(curated, load_tbx(data, languages=["de", "en"]), mode)
        assert (again.added, again.changed) == ([], []), mode


def test_an_unknown_mode_is_refused(curated):
    with pytest.raises(GlossaryError, match="unknown import mode"):
        preview_import(curated, curated, "overwrite")


# --- in the app ------------------------------------------------------------------------


def exported(client) -> list[list[str]]:
    """Return the exported glossary CSV as rows."""
    return list(csv.reader(io.StringIO(client.get("/glossary/export.csv").get_data(as_text=True))))


def to_csv(rows: list[list[str]]) -> bytes:
    """Return rows as CSV bytes."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue().encode()


def entry(client, key: str) -> dict:
    """Return one glossary entry through the API."""
    return next(e for e in client.get("/api/glossary").get_json()["entries"] if e["key"] == key)


def preview_page(client, data: bytes, mode: str | None = None) -> str:
    """Upload a file to the glossary page's import and return the preview fragment."""
    form = {"file": (io.BytesIO(data), "update.csv")}
    if mode:
        form["mode"] = mode
    resp = client.post("/glossary/import", headers=HX, data=form,
                       content_type="multipart/form-data")
    assert resp.status_code == 200, resp.get_data(as_text=True)
    return resp.get_data(as_text=True)


def test_the_page_merges_by_default_and_replaces_when_asked(client):
    header = exported(client)[0]
    row = dict.fromkeys(header, "")
    row.update(de="Sondermilitäroperation", note="Kremlin wording; keep the quotes.")
    data = to_csv([header, [row[c] for c in header]])

    merged = preview_page(client, data)
    assert "Merging:" in merged and "losing something" not in merged
    token = re.search(r'action="/glossary/import/([^"]+)"', merged).group(1)
    assert '<input type="hidden" name="mode" value="merge">' in merged
    assert client.post(f"/glossary/import/{token}", data={"mode": "merge"}).status_code == 303
    after = entry(client, "Sondermilitäroperation")
    assert after["note"] == "Kremlin wording; keep the quotes."
    assert after["terms"]["de"][1:] == ["militärische Spezialoperation",
                                        "militärische Sonderoperation"]
    assert after["forbidden"] == {"en": ["special operation", "military special operation"]}

    replaced = preview_page(client, data, "replace")
    assert "Replacing concepts:" in replaced and "1 concept would lose something" in replaced
    for gone in ("militärische Spezialoperation", "special military operation",
                 "special operation", "military special operation"):
        assert f'<del class="removed" title="removed" translate="no">{gone}</del>' in replaced
    token = re.search(r'action="/glossary/import/([^"]+)"', replaced).group(1)
    client.post(f"/glossary/import/{token}", data={"mode": "replace"})
    after = entry(client, "Sondermilitäroperation")
    assert after["terms"] == {"de": ["Sondermilitäroperation"]} and after["forbidden"] == {}


def test_the_preview_shows_forbidden_renderings_that_change(client):
    header = exported(client)[0]
    row = dict.fromkeys(header, "")
    row.update(de="Interfax", en="Interfax", forbidden="Interfacks")
    html = preview_page(client, to_csv([header, [row[c] for c in header]]))
    assert "forbidden (any language)" in html
    assert '<ins class="added" title="added" translate="no">Interfacks</ins>' in html


def test_hostile_markup_in_a_note_is_shown_as_text(client):
    header = exported(client)[0]
    row = dict.fromkeys(header, "")
    row.update(de="Interfax", note='<script>alert("x")</script><b>fett</b> „Agentur“ 日本語')
    html = preview_page(client, to_csv([header, [row[c] for c in header]]))
    assert "<script>alert" not in html and "<b>fett" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;&lt;b&gt;fett&lt;/b&gt; „Agentur“ 日本語" in html


def test_the_api_and_cli_say_what_each_change_removes(client, runner, tmp_path):
    data = to_csv([["de", "en", "note"], ["Interfax", "Interfax", ""]])
    api = client.post("/api/glossary/import", data={
        "file": (io.BytesIO(data), "a.csv"), "mode": "replace"},
        content_type="multipart/form-data").get_json()
    assert api["mode"] == "replace"
    details = {d["label"]: d for d in api["changed"][0]["details"]}
    assert details["forbidden (any language)"]["removed"] == ["Interfaks"]
    assert details["note"]["after"] == ""
    bad = client.post("/api/glossary/import", data={
        "file": (io.BytesIO(data), "a.csv"), "mode": "everything"},
        content_type="multipart/form-data")
    assert bad.status_code == 422 and "unknown import mode" in bad.get_json()["message"]

    path = tmp_path / "a.csv"
    path.write_bytes(data)
    merged = runner.invoke(args=["glossary-import", str(path), "--dry-run"])
    assert "0 added, 0 changed, 1 already the same" in merged.output
    replaced = runner.invoke(args=["glossary-import", str(path), "--dry-run", "--replace"])
    assert "    forbidden (any language): − Interfaks" in replaced.output


def test_a_file_of_ten_thousand_concepts_previews_with_a_bounded_page(client):
    rows = [["de", "en", "note"]] + [[f"Begriff {i}", f"term {i}", f"Notiz {i}"]
                                      for i in range(10_000)]
    html = preview_page(client, to_csv(rows))
    assert "update.csv: 10,000 to add, 0 to change, 0 already the same" in re.sub(r"<[^>]+>", "", html)
    assert html.count("<li>") == 300 and "… and 9,700 more, applied the same way." in html


def test_applying_many_new_concepts_walks_the_glossary_once(client, monkeypatch):
    # Asking the glossary for its languages per added row made 10,000 rows take minutes.
    calls = []
    original = Glossary.languages.fget
    monkeypatch.setattr(Glossary, "languages", property(
        lambda self: calls.append(1) or original(self)))
    rows = [["de", "en"]] + [[f"Begriff {i}", f"term {i}"] for i in range(200)]
    resp = client.post("/api/glossary/import", data={
        "file": (io.BytesIO(to_csv(rows)), "many.csv"), "apply": "true"},
        content_type="multipart/form-data")
    assert resp.status_code == 200 and len(resp.get_json()["added"]) == 200
    assert len(calls) < 20
