"""Fuzzy matches and concordance search over the translation memory."""

import random

import pytest

from webapp.core.text import word_diff
from webapp.interchange.formats.inline import placeholder
from webapp.tm.fuzzy import FuzzyIndex, tokenize

MEMORY = [
    (
        "Der Sicherheitsrat der Vereinten Nationen tagt am Montag in New York.",
        "The UN Security Council meets on Monday in New York.",
        "doc-1",
    ),
    (
        "Der Sicherheitsrat der Vereinten Nationen tagt am Freitag in Genf.",
        "The UN Security Council meets on Friday in Geneva.",
        "doc-2",
    ),
    (
        "Kim Jong Un könnte sich bald mit Wladimir Putin treffen.",
        "Kim Jong Un may soon meet Vladimir Putin.",
        "doc-3",
    ),
    ("Die Straße nach Pjöngjang ist gesperrt.", "The road to Pyongyang is closed.", "doc-4"),
]


@pytest.fixture
def index():
    return FuzzyIndex(MEMORY)


def test_identical_segment_is_a_100_percent_match_with_its_target_and_origin(index):
    (match,) = index.lookup("Kim Jong Un könnte sich bald mit Wladimir Putin treffen.")
    assert (match.score, match.target, match.origin) == (
        100,
        "Kim Jong Un may soon meet Vladimir Putin.",
        "doc-3",
    )
    assert match.diff == [("equal", "Kim Jong Un könnte sich bald mit Wladimir Putin treffen.")]


def test_one_changed_word_in_twelve_tokens_scores_91(index):
    matches = index.lookup(
        "Der Sicherheitsrat der Vereinten Nationen tagt am Dienstag in New York."
    )
    assert [(m.score, m.origin) for m in matches] == [(91, "doc-1"), (75, "doc-2")]


def test_matches_below_the_threshold_are_not_offered(index):
    query = "Der Sicherheitsrat der Vereinten Nationen tagt am Dienstag in New York."
    assert [m.origin for m in index.lookup(query, threshold=0.80)] == ["doc-1"]
    assert index.lookup("Ein völlig anderer Satz ohne Bezug.") == []


def test_at_most_limit_matches_best_first():
    memory = FuzzyIndex(
        (f"Das ist Satz Nummer {n} im Text.", f"This is sentence {n}.", n) for n in range(10)
    )
    matches = memory.lookup("Das ist Satz Nummer 3 im Text.", limit=3)
    assert [m.score for m in matches] == [100, 87, 87]
    assert matches[0].origin == 3
    assert len(memory.lookup("Das ist Satz Nummer 3 im Text.", limit=5)) == 5


def test_differences_in_spacing_alone_score_99(index):
    (match,) = index.lookup("Die Straße nach Pjöngjang ist  gesperrt .")
    assert match.score == 99


def test_inline_codes_count_as_tokens_whatever_their_number():
    memory = FuzzyIndex(
        [(f"Klicken Sie {placeholder(0)}hier{placeholder(1)}.", "Click here.", None)]
    )
    (match,) = memory.lookup(f"Klicken Sie {placeholder(4)}hier{placeholder(5)}.")
    assert match.score == 99
    (match,) = memory.lookup("Klicken Sie hier.", threshold=0.5)
    assert match.score == 66  # two of six tokens missing


def test_diff_spells_out_both_the_memory_source_and_the_query(index):
    query = "Der Sicherheitsrat der Vereinten Nationen tagt heute in New York!"
    (match,) = index.lookup(query, threshold=0.75)
    assert "".join(t for op, t in match.diff if op != "insert") == match.source
    assert "".join(t for op, t in match.diff if op != "delete") == query
    assert ("delete", "am Montag") in match.diff and ("insert", "heute") in match.diff


def test_word_diff_marks_whole_words():
    assert word_diff("Haus am See", "Häuser am See") == [
        ("delete", "Haus"),
        ("insert", "Häuser"),
        ("equal", " am See"),
    ]


def token_levenshtein(a: list[str], b: list[str]) -> int:
    previous = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        current = [i]
        for j, y in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (x != y)))
        previous = current
    return previous[-1]


def test_candidate_prefilter_never_misses_a_match_a_full_scan_finds():
    rng = random.Random(7)
    words = "der die das Rat tagt heute in Genf und Berlin am Montag Freitag Putin Kim trifft"
    words = words.split()
    memory = [" ".join(rng.choices(words, k=rng.randint(3, 12))) + "." for _ in range(300)]
    index = FuzzyIndex((s, s.upper(), n) for n, s in enumerate(memory))
    found_any = {0.5: 0, 0.7: 0, 0.9: 0}
    for _ in range(40):
        # Queries are memory segments with up to three words changed, so every band is hit.
        query = rng.choice(memory).split(" ")
        for _ in range(rng.randint(0, 3)):
            query[rng.randrange(len(query))] = rng.choice(words)
        query = " ".join(query)
        a = tokenize(query)
        similarity = [
            1 - token_levenshtein(a, b) / max(len(a), len(b)) for b in map(tokenize, memory)
        ]
        for threshold in found_any:
            expected = {n for n, value in enumerate(similarity) if value >= threshold}
            found = {m.origin for m in index.lookup(query, threshold=threshold, limit=len(memory))}
            assert found == expected
            found_any[threshold] += len(found)
    assert min(found_any.values()) >= 10


def test_units_added_later_are_found(index):
    index.add(
        "Die Brücke nach Pjöngjang ist gesperrt.", "The bridge to Pyongyang is closed.", "doc-5"
    )
    assert len(index) == 5
    assert [m.origin for m in index.lookup("Die Brücke nach Pjöngjang ist gesperrt.")][0] == "doc-5"
    assert [h.origin for h in index.concordance("brücke")] == ["doc-5"]


def test_empty_query_and_empty_memory_give_nothing(index):
    assert index.lookup("   ") == []
    assert FuzzyIndex().lookup("Der Rat tagt.") == []


def test_concordance_finds_a_phrase_on_the_source_side_ignoring_case(index):
    hits = index.concordance("vereinten nationen")
    assert [h.origin for h in hits] == ["doc-1", "doc-2"]
    assert hits[0].source[hits[0].start : hits[0].end] == "Vereinten Nationen"


def test_concordance_searches_the_target_side_and_inside_words(index):
    hits = index.concordance("geneva", side="target")
    assert [(h.origin, h.target[h.start : h.end]) for h in hits] == [("doc-2", "Geneva")]
    assert [h.origin for h in index.concordance("sicherheits")] == ["doc-1", "doc-2"]


def test_concordance_matches_sharp_s_as_ss_and_points_at_the_original_text(index):
    (hit,) = index.concordance("STRASSE")
    assert hit.source[hit.start : hit.end] == "Straße"


def test_concordance_limit_and_side_check(index):
    assert len(index.concordance("der", limit=1)) == 1
    with pytest.raises(ValueError, match="side"):
        index.concordance("Rat", side="both")
