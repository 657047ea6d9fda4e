"""Attacks on QA: pathological segment text and what the checks keep of it."""

from __future__ import annotations

import time

from webapp.qa.checks import NUMBERS, text_checks


def cost(source: str, target: str) -> float:
    runs = []
    for _ in range(3):
        t0 = time.perf_counter()
        text_checks(source, target)
        runs.append(time.perf_counter() - t0)
    return min(runs)


def test_a_number_warning_names_a_few_numbers_not_thousands():
    # Every differing number was listed: 10,000 numbers made a 50 KB message, kept in the
    # QA memo (up to 200,000 of them) and sent with every view of the segment.
    source = " ".join(str(n) for n in range(10_000))
    target = " ".join(str(n) for n in range(10_000, 20_000))
    [warning] = [w for w in text_checks(source, target) if w.code == NUMBERS]
    assert len(warning.message) < 300
    assert "and 9,990 more" in warning.message
    [small] = [w for w in text_checks("1 and 2.", "1 and 3.") if w.code == NUMBERS]
    assert small.message == "The numbers differ: the target lacks 2 and adds 3."


def test_runs_of_digits_punctuation_and_spaces_are_checked_in_linear_time():
    for unit in ("1.", "1,1 ", "  ", "1\u00a0", "...", "9" * 7 + ",", ". 1"):
        small = unit * (4_000 // len(unit))
        large = small * 8
        assert cost(large, large[::-1] + ".") / cost(small, small[::-1] + ".") < 24
