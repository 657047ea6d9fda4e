"""Tests for the curated glossary: matching, QA, CSV/TBX exchange and MT protection."""

import csv
import io
import re
from itertools import pairwise
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from webapp.glossary.checks import check_segment
from webapp.glossary.csvfile import dump_csv, load_csv
from webapp.glossary.entries import Entry, Glossary, GlossaryError, GlossaryFormatError
from webapp.glossary.exchange import load
from webapp.glossary.matching import find_terms
from webapp.glossary.merge import apply_import, preview_import
from webapp.glossary.protect import protect, restore
from webapp.glossary.tbx import dump_tbx, load_tbx

ROOT = Path(__file__).resolve().parents[2]
TESTDATA = Path(__file__).resolve().parents[3] / "shared" / "testdata" / "glossary"
ARTICLE = ROOT / "translations" / "kim-putin.de.txt"


@pytest.fixture(scope="module")
def curated():
    return load_csv((ROOT / "glossary.csv").read_bytes())


@pytest.fixture
def glossary(curated):
    return curated.copy()


def found(glossary, text, lang):
    return [(m.text, m.entry.key) for m in find_terms(glossary, text, lang)]


def codes(warnings):
    return sorted(w.code for w in warnings)


# --- the curated glossary -------------------------------------------------------------


def test_curated_glossary_holds_the_concepts_the_design_card_names(curated):
    unsc = curated["UN-Sicherheitsrat"]
    assert "UN-Sicherheitsrat" in unsc.terms["de"]
    assert unsc.terms["en"] == ("UN Security Council", "UNSC")
    north = curated["38 North"]
    assert north.dnt and "38 Nord" in north.forbidden_in("de")
    assert curated["Interfax"].dnt
    assert len(curated) >= 18
    assert all(entry.note for entry in curated)


@pytest.mark.parametrize(
    ("key", "en"),
    [
        ("Pjöngjang", "Pyongyang"),
        ("Wladiwostok", "Vladivostok"),
        ("Sergej Schoigu", "Sergei Shoigu"),
        ("Sondermilitäroperation", "special military operation"),
        ("Koreakrieg", "Korean War"),
        ("Kalter Krieg", "Cold War"),
        ("ballistische Rakete", "ballistic missile"),
        ("Sowjetunion", "Soviet Union"),
        ("Far Eastern Federal University", "Far Eastern Federal University"),
    ],
)
def test_curated_glossary_pairs_article_terms_with_their_english_rendering(curated, key, en):
    assert curated[key].preferred("en") == en


def test_every_curated_entry_is_found_somewhere_in_the_seed_article(curated):
    article_keys = {m.entry.key for m in find_terms(curated, ARTICLE.read_text(encoding="utf-8"), "de")}
    expected = {"UN-Sicherheitsrat", "38 North", "Interfax", "Artjom Lukin", "Kreml", "UN-Sanktionen"}
    assert expected <= article_keys
    assert len(article_keys) >= 18


# --- matching: inflection -------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "matched", "key"),
    [
        ("Resolutionen des UN-Sicherheitsrates", "UN-Sicherheitsrates", "UN-Sicherheitsrat"),
        ("Resolutionen des UN-Sicherheitsrats", "UN-Sicherheitsrats", "UN-Sicherheitsrat"),
        ("vor dem UN-Sicherheitsrat", "UN-Sicherheitsrat", "UN-Sicherheitsrat"),
        ("Pjöngjangs Führer", "Pjöngjangs", "Pjöngjang"),
        ("mit Hilfe der Sowjetunion", "Sowjetunion", "Sowjetunion"),
        ("die verbotenen ballistischen Raketen", "ballistischen Raketen", "ballistische Rakete"),
        ("in den Tagen des Kalten Krieges", "Kalten Krieges", "Kalter Krieg"),
        ("nach dem Kalten Krieg", "Kalten Krieg", "Kalter Krieg"),
        ("am Ende des Koreakrieges", "Koreakrieges", "Koreakrieg"),
        ("Daten der Vereinten Nationen", "Vereinten Nationen", "Vereinte Nationen"),
        ("wegen dessen Atomtests", "Atomtests", "Atomtest"),
        ("Sprecher des Kremls", "Kremls", "Kreml"),
        ("zum russischen Nationalfeiertag", "russischen Nationalfeiertag", "russischer Nationalfeiertag"),
    ],
)
def test_german_inflected_forms_match_their_entry(glossary, text, matched, key):
    assert found(glossary, text, "de") == [(matched, key)]


@pytest.mark.parametrize(
    ("text", "matched", "key"),
    [
        ("banned ballistic missiles", "ballistic missiles", "ballistische Rakete"),
        ("a ballistic missile", "ballistic missile", "ballistische Rakete"),
        ("Pyongyang's leaders", "Pyongyang's", "Pjöngjang"),
        ("the Soviet Union’s collapse", "Soviet Union’s", "Sowjetunion"),
        ("North Korea's trade", "North Korea's", "Nordkorea"),
        ("two nuclear tests", "nuclear tests", "Atomtest"),
    ],
)
def test_english_plurals_and_possessives_match_their_entry(glossary, text, matched, key):
    assert found(glossary, text, "en") == [(matched, key)]


def test_a_term_listed_in_the_plural_also_matches_its_singular():
    glossary = Glossary([Entry(terms={"de": "ballistische Raketen", "en": "ballistic missiles"})])
    assert found(glossary, "eine ballistische Rakete", "de") == [
        ("ballistische Rakete", "ballistische Raketen")
    ]
    assert found(glossary, "one ballistic missile", "en") == [("ballistic missile", "ballistische Raketen")]


def test_an_ending_never_leaves_a_stem_short_enough_to_be_another_word():
    glossary = Glossary([Entry(terms={"de": "Rat"}), Entry(terms={"de": "Arbeiter"})])
    assert found(glossary, "Die Rate steigt, die Arbeit ruht.", "de") == []
    assert found(glossary, "des Rats und der Arbeitern", "de") == [("Rats", "Rat"), ("Arbeitern", "Arbeiter")]


def test_english_es_is_stripped_only_where_english_adds_it():
    glossary = Glossary([Entry(terms={"en": "rat"}), Entry(terms={"en": "tax"})])
    assert found(glossary, "interest rates and taxes", "en") == [("taxes", "tax")]


def test_a_word_inside_a_closed_compound_does_not_match():
    glossary = Glossary([Entry(terms={"de": "Krieg"})])
    assert found(glossary, "im Koreakrieg", "de") == []
    assert found(glossary, "im Ukraine-Krieg", "de") == [("Krieg", "Krieg")]


# --- matching: boundaries, overlaps, case ---------------------------------------------


def test_longest_term_wins_so_un_does_not_match_inside_un_sicherheitsrat(glossary):
    text = "Resolutionen des UN-Sicherheitsrates und der UN"
    assert found(glossary, text, "de") == [
        ("UN-Sicherheitsrates", "UN-Sicherheitsrat"),
        ("UN", "Vereinte Nationen"),
    ]


def test_a_hyphenated_compound_part_matches_when_no_longer_term_covers_it():
    glossary = Glossary([Entry(terms={"de": "UN", "en": "UN"})])
    assert found(glossary, "die UN-Sanktionen", "de") == [("UN", "UN")]


def test_38_north_is_one_term_and_north_alone_still_matches_elsewhere():
    glossary = Glossary([Entry(terms={"en": "38 North"}, dnt=True), Entry(terms={"en": "North"})])
    text = "38 North reported that the North replied."
    assert found(glossary, text, "en") == [("38 North", "38 North"), ("North", "North")]


def test_parenthesised_acronym_matches_without_its_parentheses(glossary):
    matches = find_terms(glossary, "den UN-Sicherheitsrat (UNSC) zum ersten Mal", "de")
    assert [(m.text, m.start, m.end) for m in matches] == [("UN-Sicherheitsrat", 4, 21), ("UNSC", 23, 27)]
    assert {m.entry.key for m in matches} == {"UN-Sicherheitsrat"}


def test_terms_in_quotation_marks_match_without_the_marks(glossary):
    text = "Moskaus „Sondermilitäroperation“ und ‚taktische und strategische Zusammenarbeit‘"
    assert [m.text for m in find_terms(glossary, text, "de")] == [
        "Moskaus",
        "Sondermilitäroperation",
        "taktische und strategische Zusammenarbeit",
    ]


def test_space_and_hyphen_between_words_are_not_interchangeable():
    glossary = Glossary([Entry(terms={"en": "Kim Jong Un"})])
    assert found(glossary, "Kim Jong-un met Putin", "en") == []


def test_an_all_capitals_acronym_matches_only_in_capitals(glossary):
    assert found(glossary, "UN und UNSC", "de") == [
        ("UN", "Vereinte Nationen"),
        ("UNSC", "UN-Sicherheitsrat"),
    ]
    assert found(glossary, "un accord, Unsc, mit uns", "de") == []


def test_other_terms_ignore_case_unless_the_entry_says_otherwise(glossary):
    assert found(glossary, "NORDKOREA und nordkorea", "de") == [
        ("NORDKOREA", "Nordkorea"),
        ("nordkorea", "Nordkorea"),
    ]
    # Kalter Krieg is marked case-sensitive: the lower-case generic idea is not the era.
    assert found(glossary, "ein neuer kalter krieg", "de") == []
    relaxed = Glossary([Entry(terms={"en": "UNSC"}, case_sensitive=False)])
    assert found(relaxed, "the unsc met", "en") == [("unsc", "UNSC")]


def test_two_senses_of_one_term_come_back_as_one_match():
    glossary = Glossary(
        [
            Entry(key="Bank (money)", terms={"de": "Bank", "en": "bank"}),
            Entry(key="Bank (seat)", terms={"de": "Bank", "en": "bench"}),
        ]
    )
    (match,) = find_terms(glossary, "auf der Bank", "de")
    assert [e.key for e in match.entries] == ["Bank (money)", "Bank (seat)"]


def test_decomposed_umlauts_are_matched_like_composed_ones(glossary):
    assert found(glossary, "Pjo\u0308ngjang", "de") == [("Pjo\u0308ngjang", "Pjöngjang")]


def test_a_match_serialises_with_the_whole_entry(glossary):
    (match,) = find_terms(glossary, "Interfax meldete", "de")
    data = match.to_dict()
    assert (data["start"], data["end"], data["text"]) == (0, 8, "Interfax")
    assert data["entry"]["dnt"] is True
    assert data["entry"]["terms"]["en"] == ["Interfax"]
    assert "news agency" in data["entry"]["note"]


WORDS = [
    "UN",
    "UN-Sicherheitsrat",
    "Sicherheitsrates",
    "Kalten",
    "Krieges",
    "38",
    "North",
    "Nord",
    "Pjöngjangs",
    "(UNSC)",
    "der",
    "Vereinten",
    "Nationen",
    "Sowjetunion",
    "„Kreml“",
    "-",
    "Korea",
]


@settings(max_examples=200, deadline=None, database=None)
@given(st.lists(st.sampled_from(WORDS), max_size=30), st.sampled_from([" ", "-", ", ", "  "]))
def test_matches_are_in_order_never_overlap_and_quote_the_text(curated, words, sep):
    text = sep.join(words)
    matches = find_terms(curated, text, "de")
    for match in matches:
        assert text[match.start : match.end] == match.text
    for before, after in pairwise(matches):
        assert before.end <= after.start


# --- glossary edits -------------------------------------------------------------------


def test_an_added_entry_is_matched_at_once_and_changes_the_version(glossary):
    before = glossary.version
    assert found(glossary, "Die Hungersnot im Norden", "de") == []
    glossary.add(Entry(terms={"de": "Hungersnot", "en": "famine"}))
    assert glossary.version != before
    assert found(glossary, "Die Hungersnot im Norden", "de") == [("Hungersnot", "Hungersnot")]
    glossary.remove("Hungersnot")
    assert glossary.version == before
    assert found(glossary, "Die Hungersnot im Norden", "de") == []


def test_editing_an_entry_changes_what_matches(glossary):
    entry = glossary["Peking"]
    glossary.update("Peking", Entry(terms={"de": "Peking|Beijing", "en": "Beijing"}, note=entry.note))
    assert found(glossary, "in Beijing", "de") == [("Beijing", "Peking")]


def test_a_bulk_replace_with_a_bad_entry_changes_nothing(glossary):
    before = glossary.version
    with pytest.raises(GlossaryError, match="duplicate concept"):
        glossary.replace_all([Entry(terms={"de": "Hungersnot"}), *glossary.entries, glossary["Kreml"]])
    assert glossary.version == before
    assert "Hungersnot" not in glossary


def test_a_second_entry_with_the_same_key_is_refused(glossary):
    with pytest.raises(GlossaryError, match="duplicate concept"):
        glossary.add(Entry(terms={"de": "kreml", "en": "Kremlin"}))


@pytest.mark.parametrize("terms", [{"de": "", "en": ""}, {"de": "Kreml||Kremlin"}, {"de": "  |  "}])
def test_an_entry_with_an_empty_term_is_refused(terms):
    with pytest.raises(GlossaryError, match="empty term"):
        Entry(terms=terms)


def test_search_finds_entries_by_term_or_note(glossary):
    assert [e.key for e in glossary.search("vladivostok")] == [
        "Wladiwostok",
        "Artjom Lukin",
        "Far Eastern Federal University",
    ]
    assert [e.key for e in glossary.search("euphemism")] == ["Sondermilitäroperation"]


# --- QA -------------------------------------------------------------------------------

SOURCE_UNSC = (
    "Russland hat einen von den USA angeführten Vorstoß blockiert und den UN-Sicherheitsrat (UNSC)"
    " zum ersten Mal öffentlich gespalten."
)
SOURCE_LUKIN = (
    "Artyom Lukin, Professor an der Far Eastern Federal University in Wladiwostok,"
    " schrieb in einem Bericht für 38 North."
)
SOURCE_INTERFAX = "„Warum nicht, das sind unsere Nachbarn“, zitierte ihn die Nachrichtenagentur Interfax."


def test_a_faithful_translation_raises_no_term_warnings(glossary):
    target = (
        "Russia blocked a US-led push and split the UN Security Council (UNSC) publicly for the first time."
    )
    assert check_segment(glossary, SOURCE_UNSC, target, "de", "en") == []


def test_missing_and_forbidden_renderings_are_reported_with_the_term(glossary):
    target = "Russia blocked a US-led push and split the UN Safety Council publicly for the first time."
    warnings = check_segment(glossary, SOURCE_UNSC, target, "de", "en")
    assert codes(warnings) == ["forbidden_term", "missing_term"]
    missing = next(w for w in warnings if w.code == "missing_term")
    assert "UN-Sicherheitsrat" in missing.message and "UN Security Council" in missing.message
    assert missing.span is None and SOURCE_UNSC[slice(*missing.source_span)] == "UN-Sicherheitsrat"
    forbidden = next(w for w in warnings if w.code == "forbidden_term")
    assert target[slice(*forbidden.span)] == "UN Safety Council"
    assert "“UN Security Council”" in forbidden.message


def test_a_do_not_translate_term_rendered_in_german_is_flagged_twice(glossary):
    target = (
        "Artyom Lukin, a professor at Far Eastern Federal University in Vladivostok,"
        " wrote in a report for 38 Nord."
    )
    warnings = check_segment(glossary, SOURCE_LUKIN, target, "de", "en")
    assert codes(warnings) == ["dnt_changed", "forbidden_term"]
    dnt = next(w for w in warnings if w.code == "dnt_changed")
    assert dnt.entry_key == "38 North" and "“38 North”" in dnt.message
    forbidden = next(w for w in warnings if w.code == "forbidden_term")
    assert target[slice(*forbidden.span)] == "38 Nord"


def test_a_do_not_translate_term_with_changed_case_is_flagged_with_its_span(glossary):
    target = "“Why not, these are our neighbours,” the news agency INTERFAX quoted him as saying."
    (warning,) = check_segment(glossary, SOURCE_INTERFAX, target, "de", "en")
    assert warning.code == "dnt_changed"
    assert target[slice(*warning.span)] == "INTERFAX"
    assert "“Interfax”" in warning.message and "“INTERFAX”" in warning.message


def test_the_lukin_sentence_translated_well_passes(glossary):
    target = (
        "Artyom Lukin, a professor at Far Eastern Federal University in Vladivostok,"
        " wrote in a report for 38 North."
    )
    assert check_segment(glossary, SOURCE_LUKIN, target, "de", "en") == []


def test_inflected_renderings_in_the_target_count_as_present(glossary):
    source = "Pjöngjangs Führer haben oft versucht, Peking und Moskau als Ausgleich zu nutzen."
    target = "Pyongyang's leaders have often tried to play Beijing and Moscow off against each other."
    assert check_segment(glossary, source, target, "de", "en") == []
    back = check_segment(
        glossary,
        "after the collapse of the Soviet Union",
        "nach dem Zusammenbruch der Sowjetunion",
        "en",
        "de",
    )
    assert back == []


def test_german_name_left_in_an_english_target_is_forbidden_and_missing(glossary):
    source = "Schoigu teilte russischen Medien mit, dass Moskau über Militärübungen diskutiere."
    target = "Schoigu told Russian media that Moscow was discussing military exercises."
    warnings = check_segment(glossary, source, target, "de", "en")
    assert codes(warnings) == ["forbidden_term", "missing_term"]
    assert all(w.entry_key == "Schoigu" for w in warnings)


def test_an_empty_target_has_no_term_warnings_yet(glossary):
    assert check_segment(glossary, SOURCE_UNSC, "", "de", "en") == []


# --- CSV ------------------------------------------------------------------------------

HEADER = "de,en,note,dnt,forbidden,case_sensitive\n"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"Deutsch,Englisch\nKreml,Kremlin\n", r"^line 1: wrong header: unknown column .Deutsch."),
        (b"note,dnt\nx,yes\n", r"^line 1: wrong header: no language column"),
        (b"de,en,de\nKreml,Kremlin,Kreml\n", r"^line 1: wrong header: .de. repeats"),
        (
            HEADER.encode() + "Kreml,Kremlin,,,,\nPjöngjang,Pyongyang,,,,\n".encode("latin-1"),
            r"^line 3: wrong encoding",
        ),
        (
            HEADER.encode() + b'Kreml,Kremlin,ok,,,\n"Moskau,Moscow,,,,\nPeking,Beijing,,,,\n',
            r"^line 3: unbalanced quote",
        ),
        (HEADER.encode() + b"Kreml,Kremlin,,,,\n,,just a note,,,\n", r"^line 3: empty term"),
        (HEADER.encode() + b"Kreml|,Kremlin,,,,\n", r"^line 2: empty term"),
        (
            HEADER.encode() + b"Kreml,Kremlin,,,,\nMoskau,Moscow,,,,\nkreml,the Kremlin,,,,\n",
            r"^line 4: duplicate concept .kreml. \(already on line 2\)",
        ),
        (HEADER.encode() + b"Kreml,Kremlin,,maybe,,\n", r"^line 2: column dnt holds .maybe."),
        (HEADER.encode() + b"Kreml,Kremlin,a,b,c,d,e\n", r"^line 2: 7 cells but the header has 6 columns"),
        (b"", r"^line 1: wrong header: the file is empty"),
    ],
)
def test_a_bad_csv_is_refused_with_the_line_and_the_problem(data, message):
    with pytest.raises(GlossaryFormatError, match=message):
        load_csv(data)


def test_a_language_the_workbench_does_not_know_is_refused():
    with pytest.raises(GlossaryFormatError, match=r"^line 1: unknown language column .fr."):
        load_csv(b"de,fr\nKreml,Kremlin\n", languages=["de", "en"])


def test_a_quote_left_open_mid_file_is_reported_where_it_opened():
    data = HEADER + 'Kreml,Kremlin,,,,\n"Moskau,Moscow,,,,\nPeking,"Beijing",,,,\n'
    with pytest.raises(GlossaryFormatError, match=r"^line 3: "):
        load_csv(data)


def test_real_glossary_csvs_from_other_tools_are_refused_by_their_header():
    matecat = (TESTDATA / "matecat_glossary_multilang.csv").read_bytes()
    with pytest.raises(GlossaryFormatError, match=r"^line 1: wrong header: unknown column .Domain."):
        load_csv(matecat)
    omegat = (TESTDATA / "omegat_glossary_quoting.csv").read_bytes()
    with pytest.raises(GlossaryFormatError, match=r"^line 1: wrong header: unknown column .csv kde."):
        load_csv(omegat)


def test_german_excel_semicolons_utf16_and_a_bom_all_load():
    rows = "de;en;note\nKreml;Kremlin;Sitz des Präsidenten\n"
    for data in (rows.encode("utf-8-sig"), rows.encode("utf-16"), rows.replace(";", "\t").encode("utf-8")):
        (entry,) = load_csv(data)
        assert entry.terms == {"de": ("Kreml",), "en": ("Kremlin",)}
        assert entry.note == "Sitz des Präsidenten"


def test_csv_cells_hold_variants_language_scoped_forbidden_and_flags():
    data = HEADER + "Nordkorea|DVRK,North Korea|DPRK,note,,de:Nord Korea|en:Northkorea|N. Korea,no\n"
    (entry,) = load_csv(data)
    assert entry.terms["de"] == ("Nordkorea", "DVRK")
    assert entry.forbidden_in("de") == ("Nord Korea", "N. Korea")
    assert entry.forbidden_in("en") == ("Northkorea", "N. Korea")
    assert entry.case_sensitive is False and entry.dnt is False


def test_curated_glossary_survives_a_csv_round_trip(curated):
    again = load_csv(dump_csv(curated))
    assert again.entries == curated.entries
    assert again.version == curated.version


def test_formula_like_cells_are_exported_inert_and_imported_back_unchanged():
    entry = Entry(
        terms={"de": "-phobie", "en": "@handle|+49 number"},
        note='=HYPERLINK("http://evil.example","click")',
        forbidden={"en": ["=1+1"]},
    )
    apostrophe = Entry(terms={"de": "'=literal", "en": "'plain"})
    exported = dump_csv(Glossary([entry, apostrophe]))
    cells = [cell for row in csv.reader(io.StringIO(exported)) for cell in row]
    assert not [cell for cell in cells if cell.startswith(("=", "+", "-", "@"))]
    assert "'=HYPERLINK(" in exported
    again = load_csv(exported)
    assert again.entries == (entry, apostrophe)


def test_a_rendering_forbidden_in_a_language_without_terms_survives_a_csv_round_trip():
    glossary = Glossary([Entry(terms={"de": "Kreml", "en": "Kremlin"}, forbidden={"fr": ["Kreml"]})])
    again = load_csv(dump_csv(glossary))
    assert again.entries == glossary.entries
    assert again["Kreml"].forbidden_in("fr") == ("Kreml",) and again["Kreml"].forbidden_in("en") == ()


def test_rows_with_an_id_column_keep_two_senses_apart():
    data = "id,de,en\nbank-money,Bank,bank\nbank-seat,Bank,bench\n"
    glossary = load_csv(data)
    assert [e.key for e in glossary] == ["bank-money", "bank-seat"]
    assert load_csv(dump_csv(glossary)).entries == glossary.entries


# --- TBX ------------------------------------------------------------------------------


def test_tbx2_ntig_sample_with_upper_case_root_language_loads():
    glossary = load_tbx((TESTDATA / "okapi_maryland_ntig_multilang.tbx").read_bytes())
    entry = glossary["eid-VocCod-211.01"]
    assert entry.terms["en"] == ("scribe", "copyist")
    assert entry.terms["fr"] == ("copiste", "scribe", "écrivain")
    assert "copie" in entry.note
    assert set(glossary.languages) == {"en", "es", "fr", "it"}


def test_tbx_with_declared_windows_1254_encoding_loads():
    (entry,) = load_tbx((TESTDATA / "okapi_test02_win1254.tbx").read_bytes())
    assert entry.terms == {"en": ("term with: éá and İı",), "tr": ("tr term with: éá and İı",)}


def test_tbx2_tig_sample_with_bom_and_doctype_loads():
    glossary = load((TESTDATA / "omegat_sampleTBXfile.tbx").read_bytes(), filename="sample.tbx")
    entry = glossary["eid-Oracle-67"]
    assert entry.terms == {"en": ("alpha smoothing factor",), "hu": ("hu translation",)}
    assert found(glossary, "the alpha smoothing factors", "en") == [
        ("alpha smoothing factors", "eid-Oracle-67")
    ]


def test_tbx3_basic_sample_loads_with_deprecated_terms_as_forbidden():
    glossary = load_tbx((TESTDATA / "tbxbasic_v3_sample_en_fr_de.tbx").read_bytes())
    lens = glossary["c7"]
    assert lens.terms["de"] == ("Gleitsichtglas",)
    assert lens.terms["en"] == ("progressive lens", "progressive addition lens", "progressive power lens")
    assert lens.forbidden_in("en") == ("PAL", "graduated lens")
    assert glossary["c6"].terms["fr"] == ("base de données fédérée",)
    assert {"c1", "c2", "c5"} <= {e.key for e in glossary}
    assert found(glossary, "Preis des Gleitsichtglases", "de") == [("Gleitsichtglases", "c7")]


def test_tbx_language_filter_keeps_only_the_workbench_languages():
    glossary = load_tbx((TESTDATA / "tbxbasic_v3_sample_en_fr_de.tbx").read_bytes(), languages=["de"])
    assert [e.key for e in glossary] == ["c7"]


XXE = b"""<?xml version="1.0"?>
<!DOCTYPE martif [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<martif type="TBX"><text><body><termEntry id="x"><langSet xml:lang="en">
<tig><term>&secret;</term></tig></langSet></termEntry></body></text></martif>"""

LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE martif [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<martif type="TBX"><text><body><termEntry id="x"><langSet xml:lang="en">
<tig><term>&lol3;</term></tig></langSet></termEntry></body></text></martif>"""

PARAMETER_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE martif [<!ENTITY % remote SYSTEM "http://127.0.0.1:9/evil.dtd"> %remote;]>
<martif type="TBX"/>"""


@pytest.mark.parametrize(("data", "name"), [(XXE, "secret"), (LAUGHS, "lol"), (PARAMETER_ENTITY, "remote")])
def test_tbx_with_entity_declarations_is_refused_with_a_clear_message(data, name):
    with pytest.raises(
        GlossaryFormatError, match=rf"^refused: the file declares the XML entity .{name}."
    ) as info:
        load_tbx(data)
    assert "XXE" in str(info.value) and "billion laughs" in str(info.value)


def test_malformed_tbx_names_the_line():
    data = b'<?xml version="1.0"?>\n<martif>\n<text>\n<body></text>\n</martif>'
    with pytest.raises(GlossaryFormatError, match=r"^line 4: not well-formed XML \(mismatched tag"):
        load_tbx(data)


def test_xml_that_is_not_tbx_is_refused():
    with pytest.raises(GlossaryFormatError, match="not a TBX file"):
        load_tbx(b"<xliff version='1.2'/>")


@pytest.mark.parametrize("version", [2, 3])
@pytest.mark.parametrize("name", sorted(p.name for p in TESTDATA.glob("*.tbx")))
def test_shared_tbx_samples_survive_export_and_reimport(name, version):
    original = load_tbx((TESTDATA / name).read_bytes())
    assert load_tbx(dump_tbx(original, version=version)).entries == original.entries
    assert load_csv(dump_csv(original)).entries == original.entries


def test_keys_that_are_not_xml_ids_survive_a_tbx_round_trip():
    glossary = Glossary(
        [
            Entry(key="Bank (money)", terms={"de": "Bank", "en": "bank"}, note="Line one\nline two"),
            Entry(key="Bank (seat)", terms={"de": "Bank", "en": "bench"}),
        ]
    )
    assert load_tbx(dump_tbx(glossary)).entries == glossary.entries


@pytest.mark.parametrize("version", [2, 3])
def test_curated_glossary_survives_a_tbx_round_trip(curated, version):
    exported = dump_tbx(curated, version=version)
    assert exported.startswith(b"<?xml")
    assert (b"<martif" if version == 2 else b'xmlns="urn:iso:std:iso:30042:ed-2"') in exported
    again = load(exported)
    assert again.entries == curated.entries


# --- import preview -------------------------------------------------------------------


def test_import_preview_lists_added_changed_and_skipped_before_anything_changes(glossary):
    before = glossary.version
    incoming = load_csv(
        HEADER
        + "Kreml,Kremlin,Sitz des russischen Präsidenten.,,en:Kreml,\n"
        + "Hungersnot,famine,1990er Jahre,,,\n"
        + dump_csv(Glossary([glossary["Peking"]])).split("\n", 1)[1]
    )
    preview = preview_import(glossary, incoming)
    assert [e.key for e in preview.added] == ["Hungersnot"]
    assert [(c.before.key, c.fields) for c in preview.changed] == [("Kreml", ["note"])]
    assert [e.key for e in preview.skipped] == ["Peking"]
    assert glossary.version == before
    apply_import(glossary, preview)
    assert glossary["Kreml"].note == "Sitz des russischen Präsidenten."
    assert found(glossary, "die Hungersnot", "de") == [("Hungersnot", "Hungersnot")]
    assert len(glossary) == 29


def test_import_from_a_foreign_tbx_matches_concepts_by_their_preferred_term(glossary):
    tbx = b"""<martif type="TBX"><text><body><termEntry id="c42">
      <langSet xml:lang="de"><tig><term>Kreml</term></tig></langSet>
      <langSet xml:lang="en"><tig><term>Kremlin</term></tig><tig><term>Moscow Kremlin</term></tig></langSet>
    </termEntry></body></text></martif>"""
    preview = preview_import(glossary, load_tbx(tbx))
    assert preview.added == []
    (change,) = preview.changed
    assert change.after.key == "Kreml"
    assert "terms" in change.fields


def test_a_stale_import_preview_is_refused(glossary):
    preview = preview_import(glossary, load_csv(HEADER + "Hungersnot,famine,,,,\n"))
    glossary.add(Entry(terms={"de": "Tanker", "en": "tanker"}))
    with pytest.raises(GlossaryError, match="changed since"):
        apply_import(glossary, preview)
    assert "Hungersnot" not in glossary


# --- through MT -----------------------------------------------------------------------


def echo(text):
    return text


def scramble(text):
    # Engines re-case and re-space codes, reorder clauses and sometimes drop one.
    placeholders = re.findall(r"ZQX\d+", text)
    text = text.replace(placeholders[-1], "")
    text = re.sub(r"ZQX(\d+)", lambda m: f"zq x {m.group(1)}", text)
    return " ".join(reversed(text.split("; ")))


def test_protected_terms_leave_the_engine_input_and_come_back_as_glossary_renderings(glossary):
    protected = protect(glossary, SOURCE_LUKIN, "de", "en")
    assert "38 North" not in protected.text and "Wladiwostok" not in protected.text
    assert [s.rendering for s in protected.slots] == [
        "Artyom Lukin",
        "Far Eastern Federal University",
        "Vladivostok",
        "38 North",
    ]
    restored = restore(protected, echo(protected.text))
    assert restored.text == (
        "Artyom Lukin, Professor an der Far Eastern Federal University in Vladivostok,"
        " schrieb in einem Bericht für 38 North."
    )
    assert restored.dropped == []


def test_terms_with_several_renderings_are_left_to_the_engine_except_identical_acronyms(glossary):
    protected = protect(glossary, SOURCE_UNSC, "de", "en")
    assert "UN-Sicherheitsrat" in protected.text
    assert [(s.source_text, s.rendering) for s in protected.slots] == [("UNSC", "UNSC")]
    assert "(ZQX0)" in protected.text


def test_inflected_terms_are_left_to_the_engine_but_names_are_kept(glossary):
    protected = protect(glossary, "Pjöngjangs Führer und Kim Jong Uns Atomtests in Pjöngjang", "de", "en")
    assert protected.text == "Pjöngjangs Führer und ZQX0 Atomtests in ZQX1"
    assert [s.rendering for s in protected.slots] == ["Kim Jong Un", "Pyongyang"]


def test_a_scrambling_engine_cannot_lose_a_term_silently(glossary):
    source = "Kim Jong Un traf Putin in Wladiwostok; Interfax berichtete."
    protected = protect(glossary, source, "de", "en")
    assert len(protected.slots) == 3
    restored = restore(protected, scramble(protected.text))
    assert "Vladivostok" in restored.text and "Kim Jong Un" in restored.text
    assert "zq" not in restored.text.lower()
    assert [e.key for e in restored.dropped] == ["Interfax"]
    warnings = check_segment(glossary, source, restored.text, "de", "en")
    assert [(w.code, w.entry_key) for w in warnings] == [("dnt_changed", "Interfax")]


def test_forbidden_renderings_in_engine_output_are_replaced(glossary):
    protected = protect(glossary, "Der Bericht erschien bei 38 North.", "de", "en")
    restored = restore(protected, "The report appeared in 38 Nord, says Sergej Schoigu.")
    assert restored.text == "The report appeared in 38 North, says Sergei Shoigu."
    assert restored.replaced == [("38 Nord", "38 North"), ("Sergej Schoigu", "Sergei Shoigu")]
    assert [e.key for e in restored.dropped] == ["38 North"]


def test_an_inflected_do_not_translate_term_goes_back_in_its_glossary_spelling(glossary):
    protected = protect(glossary, "Kim Jong Uns Führung", "de", "en")
    assert protected.text == "ZQX0 Führung"
    assert restore(protected, "ZQX0's leadership").text == "Kim Jong Un's leadership"


def test_placeholder_marker_avoids_text_that_already_contains_it(glossary):
    protected = protect(glossary, "Code ZQX0 bei Interfax", "de", "en")
    assert protected.marker != "ZQX"
    assert restore(protected, protected.text).text == "Code ZQX0 bei Interfax"


def test_the_caller_can_choose_placeholder_letters_its_engine_knows(glossary):
    protected = protect(glossary, "Interfax meldete", "de", "en", markers=["KVT"])
    assert protected.text == "KVT0 meldete"
    assert restore(protected, "kvt 0 reported").text == "Interfax reported"


def test_english_to_german_protection_uses_the_german_rendering(glossary):
    protected = protect(glossary, "Sergei Shoigu visited Vladivostok.", "en", "de")
    assert [s.rendering for s in protected.slots] == ["Sergej Schoigu", "Wladiwostok"]
    german = protected.text.replace("visited", "besuchte")
    assert restore(protected, german).text == "Sergej Schoigu besuchte Wladiwostok."


def test_a_source_spelling_that_is_also_an_accepted_target_spelling_is_kept(glossary):
    protected = protect(glossary, "Kim visited Pyongyang.", "en", "de")
    assert [(s.source_text, s.rendering) for s in protected.slots] == [("Pyongyang", "Pyongyang")]
