"""A German MT under review always shows English beside it: the aligned original, the Argos
back-translation, or else the glossary's English for the German terms; and anyone can turn a
dictionary hit into a glossary entry (admins directly, others through a proposal)."""

from __future__ import annotations

import html as htmllib
import io
import re

from api_steps import align_original
from argos_tiny import model_drafts
from sqlalchemy import select

from webapp.core.db import get_sessionmaker
from webapp.core.models import Change, GlossaryProposal
from webapp.core.states import Action

SHORT_DE = ("Kim traf Putin in Wladiwostok.\nDer Kreml lobte die Waffengeschäfte.\n"
            "Es regnete.\n")
SHORT_EN = ("Kim met Putin in Vladivostok.\nThe Kremlin praised the arms deals.\n"
            "It rained.\n")


def upload(client, text: bytes | str, name="kurz.de.txt") -> int:
    """Import a German MT for review through the API and return its id."""
    data = text.encode() if isinstance(text, str) else text
    resp = client.post("/api/documents", data={
        "file": (io.BytesIO(data), name), "source_lang": "en", "target_lang": "de",
        "mode": "review"}, content_type="multipart/form-data")
    assert resp.status_code == 201, resp.get_json()
    return resp.get_json()["id"]


def cells(html: str) -> list[str]:
    """Return the English column of each row as a person reads it."""
    found = re.findall(r'<td class="src" lang="en">(.*?)</td>', html, re.S)
    return [" ".join(htmllib.unescape(re.sub(r"<[^>]+>", "", c)).split()) for c in found]


def header(html: str) -> str:
    """Return the English column's heading as read."""
    th = re.findall(r"<th>(.*?)</th>", html, re.S)[1]
    return " ".join(re.sub(r"<[^>]+>", " ", th).split())


def test_the_seed_shows_the_english_source_terms_in_the_english_column(client, seed_bytes):
    doc = upload(client, seed_bytes, "kim-putin.de.txt")
    html = client.get(f"/documents/{doc}?rows=100").get_data(as_text=True)
    column = cells(html)
    assert len(column) == 38
    assert header(html) == "EN source terms (glossary)"
    assert "no source yet" not in html
    # Never a bare dash: terms, or a line saying there are none and where to look words up.
    assert all(c and c != "—" for c in column)
    third = column[2]
    # English rendering, the German it renders, the do-not-translate mark, and the note.
    assert third.startswith("Kim Jong Un keep Kim Jong Un North Korea's leader.")
    assert "Vladimir Putin Wladimir Putin Russian president." in third
    assert "arms deal | weapons deal Waffengeschäfte" in third
    with_terms = [c for c in column if "no glossary term" not in c]
    assert len(with_terms) >= 25
    # The grey line under the German is gone where the English column shows the terms.
    assert '<p class="seg-terms">' not in html


def test_a_conflict_keeps_the_english_source_terms(client, seed_bytes):
    """The conflict screen of a segment without English still shows its source terms."""
    doc = upload(client, seed_bytes, "kim-putin.de.txt")
    seg = client.get(f"/api/documents/{doc}/segments?limit=3").get_json()["segments"][2]
    hx = {"HX-Request": "true"}
    first = seg["target"].replace("SEOUL: ", "")
    client.post(f"/segments/{seg['id']}", headers=hx, data={"target": first, "version": "1"})
    resp = client.post(f"/segments/{seg['id']}", headers=hx, data={"target": "B", "version": "1"})
    assert resp.status_code == 409 and "conflict" in resp.get_data(as_text=True)
    assert cells(resp.get_data(as_text=True))[0].startswith("Kim Jong Un keep Kim Jong Un")


def test_the_aligned_original_fills_the_english_column_and_terms_fill_its_gaps(client):
    doc = upload(client, SHORT_DE)
    align_original(client, doc, SHORT_EN)
    html = client.get(f"/documents/{doc}").get_data(as_text=True)
    assert header(html) == "EN original"
    assert cells(html) == [e for e in SHORT_EN.splitlines()]
    # No back-translation is missed when the original is there.
    assert 'id="mt-missing"' not in html
    # A segment the alignment left without English falls back to its terms, labelled.
    segs = client.get(f"/api/documents/{doc}/segments").get_json()["segments"]
    with get_sessionmaker(client.application)() as db:
        from webapp.core.models import Segment
        db.get(Segment, segs[1]["id"]).source = ""
        db.commit()
    second = cells(client.get(f"/documents/{doc}").get_data(as_text=True))[1]
    assert second.startswith("EN terms Kremlin Kreml")


def test_the_back_translation_fills_the_english_column(app, client, argos_installed):
    doc = upload(client, SHORT_DE)
    resp = client.post(f"/api/documents/{doc}/pretranslate")
    assert resp.status_code == 202
    app.extensions["webapp.jobs"].wait(resp.get_json()["id"], timeout=120)
    html = client.get(f"/documents/{doc}").get_data(as_text=True)
    assert header(html) == "EN back-translation (MT)"
    expected = model_drafts(app, SHORT_DE.splitlines(), "de", "en")
    assert all(expected) and cells(html) == [" ".join(e.split()) for e in expected]
    assert 'id="mt-missing"' not in html


def test_a_missing_model_is_one_quiet_line_without_commands_for_a_translator(client_as):
    translator = client_as("translator")
    doc = upload(translator, SHORT_DE)
    html = translator.get(f"/documents/{doc}").get_data(as_text=True)
    line = re.search(r'<p class="quiet-note" id="mt-missing".*?</p>', html, re.S).group(0)
    assert " ".join(re.sub(r"<[^>]+>", "", line).split()) == (
        "No back-translation: no de→en model is installed.")
    for command in ("argospm", "flask --app", "install-file", "install-model"):
        assert command not in html
    assert 'class="message warn"' not in html


def lookup(client, word: str, doc: int | str = "") -> str:
    """Return the dictionary panel's answer for a word."""
    resp = client.get("/dictionary", query_string={"q": word, "doc": doc})
    assert resp.status_code == 200
    return resp.get_data(as_text=True)


def test_the_panel_puts_the_glossary_first_then_freedict(client):
    html = lookup(client, "Waffengeschäfte")
    glossary, freedict = html.index("<h3>Glossary</h3>"), html.index("FreeDict German–English")
    assert glossary < freedict
    assert "arms deal | weapons deal" in html[glossary:freedict]
    assert 'data-en="arms deal"' in html[freedict:]
    # The form is prefilled with the singular, not the plural article.
    assert 'name="terms_de" lang="de" value="Waffengeschäft"' in html
    # A word the glossary knows only inflected: the stem still finds the concept.
    assert "UN Security Council" in lookup(client, "Sicherheitsrates")


def test_the_panel_says_in_words_when_the_dictionary_is_not_installed(app, client, tmp_path):
    from webapp.glossary import dictionary

    app.extensions["webapp.dictionary"] = dictionary.Dictionary(tmp_path / "nowhere")
    html = lookup(client, "Waffe")
    assert "The German–English dictionary is not installed." in html
    assert "apt-get install dict-freedict-deu-eng" in html
    assert "<h3>Glossary</h3>" in html


def propose(client, de: str, en: str, note: str = "", doc: int | str = "") -> tuple[int, str]:
    """Send the panel's form; return the status and the answer."""
    resp = client.post("/dictionary/term", data={
        "terms_de": de, "terms_en": en, "note": note, "origin": f"FreeDict: {de} → {en}",
        "doc": doc}, headers={"HX-Request": "true"})
    return resp.status_code, resp.get_data(as_text=True)


def glossary_terms(client, de: str) -> list[dict]:
    """Return the glossary entries whose German is exactly `de`."""
    entries = client.get("/api/glossary", query_string={"q": de}).get_json()["entries"]
    return [e for e in entries if de in e["terms"].get("de", [])]


def test_a_translator_proposes_and_an_admin_accepts_or_declines(app, client, client_as):
    translator = client_as("translator", "tina")
    editor = client_as("editor", "ed")
    doc = upload(translator, SHORT_DE)
    status, html = propose(translator, "Waffe", "weapon", "Militär: weapon, nicht gun", doc)
    assert status == 200 and "Proposed “Waffe”; an admin decides" in html
    # A proposal is not in the glossary yet.
    assert glossary_terms(client, "Waffe") == []
    # A document id past any INTEGER, or of no document, is simply not linked.
    status, html = propose(editor, "Hungersnot", "famine", doc=2**40)
    assert status == 200
    # The same proposal twice is refused in words, and nothing is added.
    status, html = propose(editor, "Hungersnot", "famine")
    assert status == 422 and "proposed already" in html
    # Nobody but an admin decides.
    with get_sessionmaker(app)() as db:
        waffe, hunger = db.scalars(select(GlossaryProposal).order_by(GlossaryProposal.id)).all()
        assert waffe.document_id == doc and waffe.origin == "FreeDict: Waffe → weapon"
        assert hunger.document_id is None
    assert editor.post(f"/glossary/proposals/{waffe.id}/accept").status_code == 403
    page = translator.get("/glossary").get_data(as_text=True)
    assert "2 waiting" in page and "weapon" in page and "Accept</button>" not in page

    admin_page = client.get("/glossary").get_data(as_text=True)
    assert f'/glossary/proposals/{waffe.id}/accept' in admin_page
    resp = client.post(f"/glossary/proposals/{waffe.id}/accept")
    assert resp.status_code == 303
    entry = glossary_terms(client, "Waffe")
    assert [e["terms"] for e in entry] == [{"de": ["Waffe"], "en": ["weapon"]}]
    assert entry[0]["note"] == "Militär: weapon, nicht gun"
    resp = client.post(f"/glossary/proposals/{hunger.id}/decline",
                       data={"reason": "Steht im Wörterbuch; kein Fachbegriff."})
    assert resp.status_code == 303
    assert glossary_terms(client, "Hungersnot") == []
    # A decided proposal cannot be decided again.
    client.post(f"/glossary/proposals/{hunger.id}/accept")
    assert glossary_terms(client, "Hungersnot") == []
    page = translator.get("/glossary").get_data(as_text=True)
    assert "0 waiting" in page
    assert ("Hungersnot · declined by ada: “Steht im Wörterbuch; kein Fachbegriff.” "
            "(proposed by ed)") in re.sub(r"<[^>]+>", "", page)
    with get_sessionmaker(app)() as db:
        log = db.scalars(select(Change).where(Change.action.in_(
            [int(Action.GLOSSARY_PROPOSE), int(Action.GLOSSARY_DECIDE)])).order_by(Change.id)).all()
        assert [(c.author, c.details.get("status")) for c in log] == [
            ("tina", None), ("ed", None), ("ada", "accepted"), ("ada", "declined")]
        assert db.scalar(select(Change).where(Change.action == int(Action.GLOSSARY))
                         .order_by(Change.id.desc())).details["key"] == "Waffe"


def test_an_admin_adds_straight_from_the_panel_and_bad_entries_change_nothing(client):
    status, html = propose(client, "Pattsituation", "stalemate")
    assert status == 200 and "Added “Pattsituation” to the glossary." in html
    assert [e["terms"]["en"] for e in glossary_terms(client, "Pattsituation")] == [["stalemate"]]
    before = client.get("/api/glossary").get_json()["version"]
    # A concept the glossary has, an empty term, a term of no letters: refused, in words.
    for de, en, why in (("Kreml", "Kremlin", "duplicate concept"), ("", "x", "empty term"),
                        ("„…“", "x", "no letter or digit")):
        status, html = propose(client, de, en)
        assert status == 422 and why in html, html
    assert client.get("/api/glossary").get_json()["version"] == before


def test_two_admins_deciding_at_once_count_once(app, client_as):
    from webapp.glossary import proposals
    from webapp.glossary.entries import Entry

    client_as("translator", "tina")
    cache = app.extensions["webapp.glossary"]
    factory = get_sessionmaker(app)
    with factory() as db:
        row = proposals.propose(db, cache.get(db), Entry(terms={"de": "Waffe", "en": "weapon"}),
                                "tina")
        pid = row.id
    # Both admins opened the glossary page; the first declines, the second's accept is late.
    with factory() as first, factory() as second:
        mine, theirs = first.get(GlossaryProposal, pid), second.get(GlossaryProposal, pid)
        assert mine.status == theirs.status == "open"
        proposals.decline(first, mine, "ada", "nein")
        try:
            proposals.accept(second, cache.get(second), theirs, "bob")
        except proposals.ProposalError as exc:
            assert "declined by ada" in str(exc)
        else:
            raise AssertionError("a decided proposal was accepted")
    with factory() as db:
        assert "Waffe" not in cache.get(db).glossary
        assert db.get(GlossaryProposal, pid).decided_by == "ada"
        decisions = db.scalars(select(Change).where(
            Change.action == int(Action.GLOSSARY_DECIDE))).all()
        assert [c.author for c in decisions] == ["ada"]


def test_proposals_through_the_json_api(client, api_headers):
    translator = api_headers("translator")
    resp = client.post("/api/glossary/proposals", headers=translator, json={
        "terms": {"de": "Hungersnot", "en": "famine"}, "note": "1990er", "document_id": 2**40})
    assert resp.status_code == 201, resp.get_json()
    made = resp.get_json()
    assert made["status"] == "open" and made["entry"]["terms"] == {"de": ["Hungersnot"],
                                                                   "en": ["famine"]}
    assert made["document_id"] is None
    for body in ({"terms": {"en": "famine"}}, {"terms": ["Hungersnot"]}, {"terms": {"de": 5}},
                 {"terms": {"xx": "a", "de": "b"}}):
        bad = client.post("/api/glossary/proposals", headers=translator, json=body)
        assert bad.status_code == 422 and bad.get_json()["message"].startswith("Not proposed")
    listed = client.get("/api/glossary/proposals", headers=translator).get_json()
    assert [p["id"] for p in listed["open"]] == [made["id"]]
    url = f"/api/glossary/proposals/{made['id']}"
    assert client.post(url + "/accept", headers=translator).status_code == 403
    accepted = client.post(url + "/accept", headers=api_headers("admin"))
    assert accepted.status_code == 200 and accepted.get_json()["status"] == "accepted"
    assert client.post(url + "/decline", headers=api_headers("admin"),
                       json={"reason": "zu spät"}).status_code == 409
    assert glossary_terms(client, "Hungersnot")[0]["terms"]["en"] == ["famine"]
