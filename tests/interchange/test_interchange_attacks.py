"""Attacks on inline codes and on telling XLIFF from text: inputs whose cost grew too fast."""

from __future__ import annotations

import time

from webapp.interchange import codes
from webapp.interchange.exchange import is_xliff
from webapp.interchange.formats.inline import CLOSE, OPEN, Code, check_codes, placeholder


def cost(run, repeat: int = 3) -> float:
    """Return the best of `repeat` timings of run()."""
    runs = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        run()
        runs.append(time.perf_counter() - t0)
    return min(runs)


def pairs(n: int) -> tuple[Code, ...]:
    """Return n open codes then their n closes: in the same order, every pair crosses the next."""
    return (tuple(Code(str(i), OPEN, f'<bpt id="{i}"/>') for i in range(n))
            + tuple(Code(str(i), CLOSE, f'<ept id="{i}"/>') for i in range(n)))


def test_comments_before_a_missing_root_do_not_backtrack():
    # "<!---->" * k with no element after it cost a pattern 2**k tries: 20 comments took
    # 0.15 s, 30 (210 bytes, any upload's first 4 KB) minutes.
    def head(k: int) -> bytes:
        return b"<!---->" * k + b"x"

    assert not is_xliff("a.txt", head(20))
    assert cost(lambda: [is_xliff("a.txt", head(20)) for _ in range(20)]) \
        / cost(lambda: [is_xliff("a.txt", head(2)) for _ in range(20)]) < 24
    assert is_xliff("a.txt", b'\xef\xbb\xbf<?xml version="1.0"?>\n<!-- c -->\n'
                             b"<!DOCTYPE x>\n<x:xliff version='1.2'>")
    assert not is_xliff("a.txt", b"<?xml version='1.0'?><!-- never closed <xliff>")


def test_many_codes_render_and_parse_in_linear_time():
    # Each token was looked up by hashing all the segment's codes: 2,048 codes took 1.4 s to
    # show as chips, 0.6 s to spell and 0.6 s to read back; a segment may hold 4,096.
    def work(n: int):
        cs = pairs(n // 2)
        text = "".join(placeholder(i) + "x" for i in range(n))

        def run():
            spelled = codes.to_tokens(text, cs)
            assert codes.from_tokens(spelled, cs, text) == text
            codes.render_codes_html(text, cs)
        return run

    assert cost(work(2048)) / cost(work(256)) < 24


def test_crossing_tags_give_one_warning_each_in_linear_time():
    # Every two crossing pairs were compared and warned about: 1,024 pairs closed in the
    # order they opened gave 523,776 warnings in 1.2 s.
    def work(n: int):
        cs = pairs(n)
        text = "".join(placeholder(i) for i in range(2 * n))
        return lambda: check_codes(cs, text, source_text=text)

    found = work(1024)()
    assert len(found) == 1023
    assert {w.problem for w in found} == {"misordered"}
    assert cost(work(1024)) / cost(work(128)) < 24


def test_overlap_is_named_as_before():
    cs = pairs(2)
    text = "".join(placeholder(i) for i in (0, 1, 2, 3))  # <1><2></1></2>
    [warning] = check_codes(cs, text)
    assert (warning.problem, warning.code) == ("misordered", 1)
    assert warning.message == "Tags <0> and <1> overlap: <0> closes before <1> does."
    nested = "".join(placeholder(i) for i in (0, 1, 3, 2))  # <1><2></2></1>
    assert check_codes(cs, nested) == []


def test_a_long_run_of_spaces_in_a_code_shows_in_linear_time():
    # The chip's title drops xmlns declarations with a pattern tried at every space of a
    # run: a 40,000-space attribute took 3.5 s for one chip.
    def work(n: int):
        cs = (Code("1", "standalone", '<ph id="1" x="' + " " * n + '"/>'),)
        return lambda: codes.render_codes_html(placeholder(0), cs)

    assert cost(work(40_000)) / cost(work(5_000)) < 24
    shown = codes.render_codes_html(
        placeholder(0), (Code("1", "standalone", '<ph xmlns="urn:x" id="1"/>'),))
    assert 'title="&lt;ph id=&#34;1&#34;/&gt;"' in shown
