"""The one query syntax (core.patterns): /regex/, case, Unicode whole words, replace; linear."""

from __future__ import annotations

import time

import pytest

from webapp.core.patterns import Matcher, PatternError, PatternRefused, parse_query

SLIP = "Für Nord KoreaAndererseits waren die Beziehungen zu Nordkorea nicht immer so herzlich."


def hits(query: str, text: str, **toggles) -> list[str]:
    """Return the texts a query hits."""
    return [text[s:e] for s, e in Matcher(parse_query(query, **toggles)).spans(text)]


def test_slashes_make_a_regex_whatever_the_toggle():
    assert hits(r"/Nord\s?Korea/", SLIP) == ["Nord Korea", "Nordkorea"]
    assert hits(r"/Nord\s?Korea/", SLIP, case=True) == ["Nord Korea"]
    # Without slashes the same text is looked for literally: nothing has a backslash.
    assert hits(r"Nord\s?Korea", SLIP) == []
    assert hits(r"Nord\s?Korea", SLIP, regex=True) == ["Nord Korea", "Nordkorea"]
    assert hits("//", "https://x") == ["//"]  # too short to be a regex


def test_plain_text_ignores_case_as_the_concordance_does():
    assert hits("STRASSE", "Die Straße, die strasse.") == ["Straße", "strasse"]
    assert hits("straße", "Die STRASSE") == ["STRASSE"]
    assert hits("Straße", "Die STRASSE", case=True) == []
    assert hits("ÜBER", "über Über") == ["über", "Über"]


def test_whole_word_knows_letters_of_every_script():
    text = "Kim Kimüller xKim Kim_ Kim. Straßen Straße Kim"
    assert hits("Kim", text, word=True) == ["Kim", "Kim", "Kim"]
    assert hits("Straße", text, word=True) == ["Straße"]
    # RE2's own \b knows ASCII only: "Kim" before "ü" would be a word. Ours is not.
    assert hits(r"/\bKim\b/", "Kimü") == ["Kim"]
    assert hits(r"/Kim/", "Kimü", word=True) == []
    assert hits("日本", "日本語 と 日本", word=True) == ["日本"]
    assert hits("u", "mu\u0308de u", word=True) == ["u"]  # a combining mark is part of a word
    assert hits("Kim", "„Kim“ sagte", word=True) == ["Kim"]


def test_whole_word_hits_that_touch_each_other_are_all_found():
    assert hits("Kim", "Kim Kim Kim", word=True) == ["Kim", "Kim", "Kim"]
    assert hits(r"/K\w+/", "Kim Kreml,Kiew", word=True) == ["Kim", "Kreml", "Kiew"]


def test_empty_hits_mark_nothing():
    assert hits("/x*/", "a xx b") == ["xx"]
    assert Matcher(parse_query("/^/")).count("Kim") == 0


def test_replace_with_groups_and_a_literal_backslash():
    m = Matcher(parse_query(r"/(\w+) (?P<last>\w+)/"))
    text, changes = m.replace("Jong Un", m.template(r"\g<last> \1 \\ \0"))
    assert text == r"Un Jong \ Jong Un"
    assert changes == [(0, len(text), text)]
    plain = Matcher(parse_query("Nord Korea"))
    assert plain.replace(SLIP, plain.template(r"Nordkorea \1"))[0].startswith(
        r"Für Nordkorea \1Andererseits")


def test_replace_reports_where_each_change_landed():
    m = Matcher(parse_query("ß"))
    text, changes = m.replace("Fuß und Maß", m.template("ss"))
    assert text == "Fuss und Mass"
    assert [text[s:e] for s, e, _new in changes] == ["ss", "ss"]


@pytest.mark.parametrize("query, toggles, message", [
    ("", {}, "Say what to search for"),
    ("   ", {}, "Say what to search for"),
    ("/[/", {}, "not valid"),
    ("/(a)\\1/", {}, "RE2 syntax"),
    ("/(?=Kim)/", {}, "RE2 syntax"),
    ("K" * 1001, {}, "at most 1,000"),
    ("a\x00b", {}, "NUL"),
])
def test_bad_queries_are_refused_with_a_message(query, toggles, message):
    with pytest.raises(PatternError, match=message):
        Matcher(parse_query(query, **toggles))


def test_bad_replacements_are_refused_with_a_message():
    m = Matcher(parse_query(r"/(Kim)/"))
    for template, message in ((r"\2", "group 2; the pattern has 1"),
                              (r"\g<x>", "no group named 'x'"), ("\\q", "backslash"),
                              ("x" * 1001, "at most 1,000")):
        with pytest.raises(PatternError, match=message):
            m.template(template)
    with pytest.raises(PatternRefused):
        m.replace("Kim " * 100, m.template("x" * 500), limit=20_000)


def _seconds(fn, *args) -> float:
    best = float("inf")
    for _ in range(3):
        t0 = time.perf_counter()
        fn(*args)
        best = min(best, time.perf_counter() - t0)
    return best


def test_pathological_patterns_stay_linear_on_text_a_thousand_times_longer():
    # (a+)+$ on "aaa…b" doubles a backtracking engine's work with every "a"; the whole-word
    # wrapper and the loop over hits must keep RE2's linear time: 1000x the text costs
    # about 1000x the time, never 1000² (which would take minutes here).
    for query, unit in (("/(a+)+$/", "a" * 20 + "b"), ("/(x+x+)+y/", "x" * 20),
                        ("/(a|aa)+$/", "a" * 30 + "!"), ("a", "a"), ("ß", "Fuß ")):
        for word in (False, True):
            m = Matcher(parse_query(query, word=word))
            small, large = unit * 20, unit * 20_000
            ratio = _seconds(m.count, large) / max(_seconds(m.count, small), 1e-6)
            assert ratio < 20_000, (query, word, ratio)


def test_a_pattern_whose_every_hit_reads_the_rest_of_the_text_is_stopped_in_time():
    # Each search for `a.*Z|a` must read to the end to rule out `a.*Z`: linear per hit,
    # text × hits in all. The budget stops it with a message instead of a stuck request.
    m = Matcher(parse_query("/a.*Z|a/"), seconds=0.3)
    t0 = time.perf_counter()
    with pytest.raises(PatternRefused, match="took longer than 0.3 seconds"):
        m.count("a " * 200_000)
    assert time.perf_counter() - t0 < 3


def test_non_latin_text_of_any_size_is_searched():
    text = "日本語のテキスト。Ärger über „Straße“ – ελληνικά, русский. " * 2000
    m = Matcher(parse_query("straße", word=True))
    assert m.count(text) == 2000
    m = Matcher(parse_query("/рус\\pL+/"))
    assert m.count(text) == 2000
