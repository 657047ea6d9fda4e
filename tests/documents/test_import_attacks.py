"""Attacks on import: pathological text for the splitter, and lines longer than a segment."""

from __future__ import annotations

import difflib
import io
import time

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from webapp.core import text as core_text
from webapp.core.text import DIFF_BUDGET, word_diff
from webapp.documents.segmentation import join_spans, split_text

# What makes a splitter backtrack: runs of terminal punctuation, closing quotes and brackets,
# stray quotes between spaces, dotted abbreviations, bullets, and no spaces at all.
PIECES = [".", "!", "?", "…", "“", "”", "„", '"', "»", ")", "]", " ", "  ", "a", "A", "1",
          "z.B.", "Nr.", "u.a.", "•", "-", "\n", " “ ", ". ", "Dr."]


def cost(text: str, lang: str) -> float:
    """Return the best of three timings of splitting text."""
    runs = []
    for _ in range(3):
        t0 = time.perf_counter()
        split_text(text, lang)
        runs.append(time.perf_counter() - t0)
    return min(runs)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(unit=st.lists(st.sampled_from(PIECES), min_size=1, max_size=12).map("".join),
       lang=st.sampled_from(["de", "en"]))
def test_splitting_time_grows_linearly_with_pathological_text(unit, lang):
    # Eight times the text must cost about eight times as much: a quadratic splitter costs
    # 64 times (the old one took 9.3 s on 16 KB of dots). Sizes keep the shorter run >1 ms.
    small = unit * max(1, 6_000 // len(unit))
    large = small * 8
    assert join_spans(*split_text(large, lang)) == large
    assert cost(large, lang) / cost(small, lang) < 24


def test_sixteen_thousand_dots_and_a_letter_split_at_once():
    text = "." * 16000 + "a"
    lead, spans = split_text(text, "de")
    assert join_spans(lead, spans) == text
    assert cost(text * 4, "de") / cost(text, "de") < 12


def upload(client, data: bytes, name: str = "lang.txt"):
    """Upload a text file through the API."""
    return client.post("/api/documents", data={
        "file": (io.BytesIO(data), name), "source_lang": "en", "target_lang": "de",
        "mode": "translate"}, content_type="multipart/form-data")


def test_a_line_longer_than_a_segment_is_refused_naming_the_line(app, client):
    text = "Erster Absatz.\n\nZweiter Absatz.\n\n" + "Wort " * 20_000 + "\n"
    resp = upload(client, text.encode())
    assert resp.status_code == 422
    message = resp.get_json()["message"]
    assert "Line 5 holds a sentence of 99,999 characters" in message  # trailing space aside
    assert "at most 20,000" in message
    assert client.get("/api/documents").get_json() == []


def test_a_long_but_allowed_line_imports(client):
    resp = upload(client, ("Wort " * 3_999 + "Ende.").encode())
    assert resp.status_code == 201 and resp.get_json()["segments"] == 1


def test_word_diff_of_long_texts_stays_within_its_budget(monkeypatch):
    seen = []
    real = difflib.SequenceMatcher

    def spy(junk, a, b, **kw):
        seen.append(len(a) * len(b))
        return real(junk, a, b, **kw)

    monkeypatch.setattr(core_text.difflib, "SequenceMatcher", spy)
    old = " ".join(f"w{i}" for i in range(10_000))
    new = " ".join(f"v{i}" if i % 7 == 0 else f"w{i}" for i in range(10_000))
    diff = word_diff(old, new)
    assert "".join(t for op, t in diff if op != "insert") == old
    assert "".join(t for op, t in diff if op != "delete") == new
    assert all(work <= DIFF_BUDGET for work in seen)


def test_word_diff_keeps_a_common_head_and_tail_of_long_texts():
    head, tail = "Kim traf Putin. " * 500, " Der Kreml nickte." * 500
    diff = word_diff(head + "Nordkorea Sie schwieg." + tail, head + "Nordkorea schwieg." + tail)
    assert diff[0] == ("equal", head + "Nordkorea ")
    assert diff[-1][0] == "equal" and diff[-1][1].endswith(tail)
    assert ("delete", "Sie ") in diff or ("delete", " Sie") in diff
