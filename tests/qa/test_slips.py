"""The checks of the target alone (#13): each on the seed's slips and on clean human German."""

from __future__ import annotations

import gc
import time

import pytest
from conftest import ROOT, SEED

from webapp.documents.segmentation import split_text
from webapp.glossary.checks import FORBIDDEN_TERM, check_segment
from webapp.glossary.csvfile import load_csv
from webapp.glossary.entries import Glossary
from webapp.qa import slips
from webapp.qa.spelling import speller


@pytest.fixture(scope="module")
def glossary() -> Glossary:
    loaded = load_csv((ROOT / "glossary.csv").read_text(encoding="utf-8"))
    return loaded if isinstance(loaded, Glossary) else Glossary(loaded)


@pytest.fixture(scope="module")
def seed_segments() -> list[str]:
    return [span.text for span in split_text(SEED.read_text(encoding="utf-8"), "de")[1]]


@pytest.fixture(scope="module")
def pud_german() -> list[str]:
    path = ROOT.parent / "shared" / "testdata" / "text" / "ud_pud_en-de_parallel_0001-0500.tsv"
    if not path.exists():
        pytest.fail(f"{path} is missing: the clean-German checks need shared/ beside the clone")
    return [line.split("\t")[3] for line in path.read_text(encoding="utf-8").splitlines()[1:]]


def found(texts: list[str], glossary: Glossary | None = None, lang: str = "de"):
    """Return each text's findings as (code, key, message), the texts being one document."""
    words = slips.glossary_words(glossary) if glossary else frozenset()
    ctx = slips.build_context(lang, enumerate(texts), words)
    return [[(c, k, m) for c, m, k, _ in slips.findings(t, ctx, i)] for i, t in enumerate(texts)]


def codes(text: str, lang: str = "de") -> set[str]:
    return {c for c, _, _ in found([text], lang=lang)[0]}


def seed_codes(seed_segments, glossary, start: str) -> set[str]:
    [index] = [i for i, t in enumerate(seed_segments) if t.startswith(start)]
    return {c for c, _, _ in found(seed_segments, glossary)[index]}


def test_the_dictionaries_are_installed():
    # `make setup` installs hunspell-de-de, hunspell-en-us and libenchant-2-2.
    assert speller("de").available and speller("en").available


# --- each check on the seed's slips ----------------------------------------------------


def test_the_seed_slips_are_each_flagged_with_their_own_code(seed_segments, glossary):
    assert slips.GLUED in seed_codes(seed_segments, glossary, "Für Nord KoreaAndererseits")
    assert slips.TRUNCATED in seed_codes(seed_segments, glossary, "Kim Jong Un Warum sich")
    assert slips.WEB_LEFTOVER in seed_codes(seed_segments, glossary, "toi-allgemeines")
    assert slips.SPELLING in seed_codes(seed_segments, glossary, "toi-allgemeines")
    assert slips.WEB_LEFTOVER in seed_codes(seed_segments, glossary, "Kim Jong Un: Warum")
    assert slips.QUOTES in seed_codes(seed_segments, glossary, "„Moskaus ‚Sondermilitär")


def test_the_seed_has_no_other_findings_of_these_checks(seed_segments, glossary):
    # The quotation that runs over segments 28 and 29 ("„Warum nicht, … zu leben“") is fine.
    flagged = [i + 1 for i, f in enumerate(found(seed_segments, glossary)) if f]
    assert flagged == [1, 2, 5, 24, len(seed_segments)]


def test_a_forbidden_term_glued_to_the_next_word_or_hyphenated_is_found(glossary):
    def forbidden(text):
        return [w for w in check_segment(glossary, "", text, "en", "de")
                if w.code == FORBIDDEN_TERM]
    [glued] = forbidden("Für Nord KoreaAndererseits waren die Beziehungen kühl.")
    assert glued.entry_key == "Nordkorea" and glued.span == (4, 14)
    assert "hidden in “Nord KoreaAndererseits”" in glued.message
    [hyphen] = forbidden("Die Nord-Korea-Politik ändert sich.")
    assert hyphen.span == (4, 14)
    assert forbidden("Die Nordkorea-Politik ändert sich, sagte Andererseits.") == []
    # Found once, not again by the second look: "38 Nord" is no glued token.
    assert len(forbidden("Ein Bericht für 38 Nord.")) == 1


def test_truncation_needs_a_repeat_or_a_clause_cut_off():
    doc = ["Der Kreml lobte die Beziehungen zu Nordkorea sehr.", "Der Kreml lobte die",
           "Was sind die wirtschaftlichen Verbindungen?", "Er fuhr mit dem Zug nach",
           "Schoigu in Pjöngjang", "Die Lage bleibt ruhig."]
    result = [{c for c, _, _ in f} for f in found(doc)]
    assert slips.TRUNCATED in result[1] and "segment 1" in found(doc)[1][0][2]
    assert slips.TRUNCATED in result[3]
    assert result[0] == result[2] == result[4] == result[5] == set()


def test_web_leftovers():
    for text in ("Kim traf Putin | Weltnachrichten", "Kim traf Putin - toi-allgemeines",
                 "toi-allgemeines", "Mehr lesen", "Er sagte das. Weiterlesen »", "Teilen",
                 "Siehe kim-jong-un-putin-treffen-2023 dazu."):
        assert slips.WEB_LEFTOVER in codes(text), text
    for text in ("Wir teilen die Sorge.", "Die schwarz-rot-goldene Fahne weht.",
                 "Der Kurs lag bei 3-4 Prozent.", "Mehr lesen konnte er nicht."):
        assert slips.WEB_LEFTOVER not in codes(text), text


def test_glued_words_but_not_camel_case_abbreviations_or_numbers():
    assert slips.GLUED in codes("Für Nord KoreaAndererseits waren sie da.")
    assert slips.GLUED in codes("Das war ein Satz.Der nächste folgt.")
    assert slips.GLUED in codes("Hallo,Welt.")
    for text in ("Er kaufte ein iPhone bei McDonald.", "Das gilt z.B. für die U.S. Army.",
                 "Der Wert stieg um 3.5 Prozent.", "Siehe www.Spiegel.de/Politik heute.",
                 "Die Datei heißt bericht.txt, sagte er.", "Er nutzt eBay und PowerPoint."):
        assert slips.GLUED not in codes(text), text


def test_quotation_marks():
    assert slips.QUOTES in codes("„Ja, das war es.“ “ Er lachte.")
    assert slips.QUOTES in codes('Er sagte "ja.')
    assert slips.QUOTES in codes("„Ja, sagte er.")  # opened, and no segment after closes it
    assert slips.QUOTES in codes("Er sagte „Ja“ und „Nein“ “, dann ging er.")
    for text in ("Er sagte „Ja“.", "Er nannte es „‚Sonderoperation‘ im Osten“.",
                 "Er sagte »Ja«.", "He said “yes”."):
        assert slips.QUOTES not in codes(text, "en" if text.startswith("He") else "de"), text
    # A quotation running on into the next segment is balanced there.
    assert found(["„Warum nicht, das sind unsere Nachbarn.", "Es gibt ein Sprichwort.",
                  "Man lebt in Frieden“, sagte er."]) == [[], [], []]


def test_brackets_and_repeated_words():
    assert slips.BRACKETS in codes("Der Rat (UNSC tagte.")
    assert slips.BRACKETS in codes("Der Rat UNSC) tagte.")
    assert slips.BRACKETS in codes("Der Rat [UNSC) tagte.")
    for text in ("a) Der Rat tagte.", "Der Rat ((UNSC)) tagte [heute].", "Schön :)"):
        assert slips.BRACKETS not in codes(text), text
    assert slips.REPEATED in codes("Er sah die die Kinder.")
    assert slips.REPEATED in codes("Die Insel und und Expeditionen.")
    for text in ("Die Frau, die die Kinder sah, ging.", "Weil sie sie kannte, blieb sie.",
                 "Es waren 20 20 Jahre."):
        assert slips.REPEATED not in codes(text), text


def test_spelling_flags_slips_not_names_nor_what_the_document_knows(glossary):
    assert slips.SPELLING in codes("Die Regeirung tagte.")
    [(_, key, message)] = [f for f in found(["Die Regeirung tagte."])[0]]
    assert key == "Regeirung" and "Did you mean “Regierung”?" in message
    assert slips.SPELLING in codes("Er hat das nich gewusst.")
    # Names and glossary terms, English names inside German, abbreviations, CJK.
    for text in ("Schoigu traf Artyom Lukin von Interfax.", "Er las „Game of Thrones“.",
                 "Das gilt bzw. galt für die Achämeniden und die achämenidische Armee.",
                 "日本語のテキストです。", "Die 1990ern waren anders."):
        assert slips.SPELLING not in {c for c, _, _ in found([text], glossary)[0]}, text
    # A lower-case word the dictionary lacks, used in three segments, is the document's.
    doc = ["Das taktile Gefühl.", "Ein taktile Sinn.", "Der taktile Reiz."]
    assert found(doc) == [[], [], []]
    assert slips.SPELLING in {c for c, _, _ in found(doc[:2])[0]}
    # A word list entry (the vocabulary) settles it, also for inflected forms.
    ctx = slips.build_context("de", [], {"taktil"})
    assert slips.findings("Das taktile Gefühl.", ctx, 0) == []


def test_english_targets_are_spelled_with_the_english_dictionary():
    assert slips.SPELLING in codes("The goverment met on Monday.", "en")
    assert codes("The government met on Monday.", "en") == set()
    assert slips.SPELLING in codes("Moskau schwieg.", "en")


# --- clean human German ----------------------------------------------------------------


def test_clean_human_german_gets_few_warnings(pud_german, glossary):
    result = found(pud_german, glossary)
    flagged = [f for f in result if f]
    assert len(flagged) <= 0.03 * len(pud_german)
    by_code = {c for f in flagged for c, _, _ in f}
    # These checks find nothing in clean German at all.
    assert not by_code & {slips.GLUED, slips.WEB_LEFTOVER, slips.TRUNCATED, slips.BRACKETS}
    # What spelling flags there includes the reference's own typos.
    keys = {k for f in flagged for c, k, _ in f if c == slips.SPELLING}
    assert {"erfoglreichste", "enwickelte", "europäschen"} <= keys


# --- pathological input ----------------------------------------------------------------


def cost(text: str) -> float:
    ctx = slips.build_context("de", [], ())
    runs = []
    gc.disable()  # a collection in one run would make noise, not a trend
    try:
        for _ in range(5):
            slips._MEMO.clear()
            t0 = time.perf_counter()
            slips.findings(text, ctx, 0)
            runs.append(time.perf_counter() - t0)
    finally:
        gc.enable()
    return min(runs)


@pytest.mark.parametrize("unit", [".", "(", ")", "((((x))))", "„", "“ ", "a", "Ab", "aB",
                                  "x.Y", "die ", "日本語", "toi-", "Nord KoreaA", "ß|"])
def test_pathological_segments_are_checked_in_linear_time(unit):
    speller("de").known("Haus")  # the dictionary is loaded before timing
    small = unit * (25_000 // len(unit))
    large = unit * (200_000 // len(unit))
    assert cost(large) / max(cost(small), 1e-4) < 24
    found_large = slips.findings(large, slips.build_context("de", [], ()), 0)
    assert len(found_large) <= len(slips.CODES) * slips.MOST_PER_CODE
    assert all(len(m) < 400 for _, m, _, _ in found_large)


def test_many_unpunctuated_segments_with_the_same_start_are_checked_in_linear_time():
    # Each cut-off candidate was compared with every segment sharing its first three words:
    # 10,000 such segments took 36 s to filter after a save.
    def cost_of(n: int) -> float:
        texts = [f"Der Rat sagte heute {i} Dinge" for i in range(n)]
        slips._MEMO.clear()
        gc.disable()
        try:
            t0 = time.perf_counter()
            ctx = slips.build_context("de", enumerate(texts), ())
            for i, t in enumerate(texts):
                slips.findings(t, ctx, i)
            return time.perf_counter() - t0
        finally:
            gc.enable()
    speller("de").known("Haus")
    assert min(cost_of(4000) for _ in range(2)) / min(cost_of(500) for _ in range(2)) < 24
    ctx = slips.build_context("de", enumerate(["Der Rat sagte heute", "Der Rat sagte heute",
                                               "Der Rat sagte heute viel."]), ())
    assert "segment 3" in slips.findings("Der Rat sagte heute", ctx, 0)[0][1]
