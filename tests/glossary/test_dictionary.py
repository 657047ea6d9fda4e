"""The FreeDict German–English dictionary read from Debian's real files: inflected forms,
compounds, dictzip random access, and hostile input."""

from __future__ import annotations

import gzip
import time
from pathlib import Path

import pytest

from webapp.glossary import dictionary

DEBIAN = Path(dictionary.DEFAULT_PATH)


@pytest.fixture(scope="module")
def book() -> dictionary.Dictionary:
    """Return the installed FreeDict deu-eng, failing loudly when Debian's package is missing."""
    found = dictionary.Dictionary(DEBIAN)
    if not found.available:
        pytest.fail("dict-freedict-deu-eng is not installed; `make test` installs it "
                    "(apt-get install dict-freedict-deu-eng).")
    return found


def english(hits: list[dictionary.Hit]) -> list[str]:
    """Return every English rendering of the hits, in order."""
    return [t for h in hits for s in h.senses for t in s.translations]


def test_waffe_is_a_weapon(book):
    hits = book.lookup("Waffe")
    assert hits[0].headword == "waffe" and hits[0].how == "exact"
    assert "weapon" in english(hits[:1])
    sense = next(s for s in hits[0].senses if "weapon" in s.translations)
    assert sense.headword == "Waffe" and sense.grammar == "fem, n, sg" and "mil." in sense.domains
    assert ("eine Waffe tragen", "carry a weapon, pack a weapon, be packing (heat)") in sense.examples


@pytest.mark.parametrize(("word", "headword", "rendering"), [
    ("Krieges", "krieg", "war"),                 # genitive -es
    ("Raketen", "rakete", "rocket"),             # plural -n, after the plural's own article
    ("tiefere", "tief", "deep"),                 # comparative and adjective ending
    ("Ländern", "land", "country"),              # dative plural with umlaut
    ("signalisierte", "signalisieren", "signal"),  # past tense to the infinitive
    ("Moskaus", "moskau", "Moscow"),             # genitive -s of a name
    ("NORDKOREANISCHER", "nordkoreanisch", "North Korean"),  # any case
])
def test_inflected_forms_find_their_headword(book, word, headword, rendering):
    hits = book.lookup(word)
    hit = next(h for h in hits if h.headword == headword)
    assert hit.how in ("exact", "inflection")
    assert any(rendering in s.translations for s in hit.senses), english([hit])


def test_an_unknown_compound_is_split_into_known_parts(book):
    assert not book.has("schützenpanzerfahrzeugs")
    hits = book.lookup("Schützenpanzerfahrzeugs")
    assert [h.headword for h in hits] == ["schützen", "panzerfahrzeug"]
    assert all(h.how == "compound" for h in hits)
    assert "armoured vehicle" in english(hits[1:])


def test_dictzip_random_access_reads_what_gzip_reads(book):
    whole = gzip.open(DEBIAN.with_suffix(".dict.dz")).read()
    reader = book._articles
    assert reader.chunk_length > 0  # the real file is a dictzip, read chunk by chunk
    for offset, length in [(0, 200), (reader.chunk_length - 50, 120),
                           (len(whole) - 300, 300), (12_345_678, 5_000)]:
        assert reader.read(offset, length) == whole[offset:offset + length]


def test_a_word_it_does_not_know_and_hostile_input_answer_quickly(book):
    assert book.lookup("Xylqwz") == []
    assert book.lookup("") == [] and book.lookup("„…“ 123") == []
    started = time.perf_counter()
    for word in ("a" * 100_000, "Donau" * 20_000, "-" * 50_000 + "x", "日本語" * 1000,
                 "ß" * 5000, "\u0301" * 10_000):
        assert isinstance(book.lookup(word), list)
    # A word is cut to MAX_WORD letters: 100,000 letters cost what 64 cost.
    assert time.perf_counter() - started < 30
    assert dictionary.normalize("Straße") == "straße"  # ß is kept, as the index has it
    assert dictionary.normalize("„Waffen“,") == "waffen"


def test_a_missing_dictionary_says_how_to_install_it(tmp_path):
    book = dictionary.Dictionary(tmp_path / "freedict-deu-eng")
    assert not book.available
    with pytest.raises(dictionary.DictionaryMissing, match="apt-get install dict-freedict-deu-eng"):
        book.lookup("Waffe")


def test_an_index_sorted_otherwise_is_still_searched(tmp_path):
    # dictfmt sorts byte-wise today; an index in another order must still answer right.
    digits = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    data, index = b"", ""
    for word, text in (("zug", "Zug\ntrain\n\n"), ("apfel", "Apfel\napple\n\n"),
                       ("äpfel", "Äpfel\napples\n\n")):
        raw = text.encode()
        index += f"{word}\t{digits[len(data) // 64]}{digits[len(data) % 64]}\t{digits[len(raw)]}\n"
        data += raw
    (tmp_path / "mini.index").write_text(index)
    (tmp_path / "mini.dict").write_bytes(data)
    book = dictionary.Dictionary(tmp_path / "mini")
    assert english(book.lookup("Äpfeln")) == ["apples", "apple"]
    assert english(book.lookup("Zuges")) == ["train"]


def test_an_empty_or_broken_dictionary_is_refused_in_words(tmp_path, client, app):
    (tmp_path / "empty.index").write_bytes(b"")
    (tmp_path / "empty.dict.dz").write_bytes(b"")
    with pytest.raises(dictionary.DictionaryMissing, match="is empty"):
        dictionary.Dictionary(tmp_path / "empty").lookup("Waffe")
    (tmp_path / "bad.index").write_text("waffe\tB\tC\n")
    (tmp_path / "bad.dict.dz").write_bytes(b"not gzip at all")
    app.extensions["webapp.dictionary"] = dictionary.Dictionary(tmp_path / "bad")
    html = client.get("/dictionary", query_string={"q": "Waffe"}).get_data(as_text=True)
    assert "The dictionary could not be read" in html and "not a dictzip file" in html


def test_the_api_looks_up_a_word_for_scripts(client):
    resp = client.get("/api/dictionary", query_string={"q": "Waffen"})
    assert resp.status_code == 200
    body = resp.get_json()
    assert body["word"] == "Waffen" and body["dictionary_installed"] is True
    assert [h["headword"] for h in body["hits"]][:2] == ["waffen", "waffe"]
    weapon = next(s for s in body["hits"][1]["senses"] if "weapon" in s["translations"])
    assert weapon["grammar"] == "fem, n, sg" and weapon["domains"] == ["mil."]
    assert client.get("/api/dictionary?q=").status_code == 400
    glossary = client.get("/api/dictionary", query_string={"q": "Kremls"}).get_json()["glossary"]
    assert [e["terms"]["en"] for e in glossary] == [["Kremlin"]]
