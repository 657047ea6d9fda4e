"""Text helpers every feature shares: word diffs, marked spans, spreadsheet-safe cells, language tags."""

from __future__ import annotations

import difflib
import re
from functools import lru_cache

from markupsafe import Markup, escape

_DIFF_TOKEN = re.compile(r"\w+|\s+|[^\w\s]")


# Past this many token pairs in the part that differs, a word diff would cost seconds
# (difflib is quadratic); the middle is then shown as one deletion and one insertion.
DIFF_BUDGET = 400_000


def word_diff(old: str | None, new: str | None) -> list[tuple[str, str]]:
    """Diff two texts word by word as (op, text) pairs, op one of equal, delete, insert."""
    a, b = _DIFF_TOKEN.findall(old or ""), _DIFF_TOKEN.findall(new or "")
    out: list[tuple[str, str]] = []

    def add(op: str, text: str) -> None:
        if not text:
            return
        if out and out[-1][0] == op:
            out[-1] = (op, out[-1][1] + text)
        else:
            out.append((op, text))

    head = tail = 0
    if len(a) * len(b) > DIFF_BUDGET:
        # Long texts: the common head and tail are found in linear time, only the middle
        # is diffed (short texts keep difflib's own alignment of the whole).
        while head < len(a) and head < len(b) and a[head] == b[head]:
            head += 1
        while tail < len(a) - head and tail < len(b) - head and a[-1 - tail] == b[-1 - tail]:
            tail += 1
    add("equal", "".join(a[:head]))
    mid_a, mid_b = a[head:len(a) - tail], b[head:len(b) - tail]
    if len(mid_a) * len(mid_b) > DIFF_BUDGET:
        add("delete", "".join(mid_a))
        add("insert", "".join(mid_b))
    else:
        matcher = difflib.SequenceMatcher(None, mid_a, mid_b, autojunk=False)
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            if tag == "equal":
                add("equal", "".join(mid_a[i1:i2]))
            else:
                add("delete", "".join(mid_a[i1:i2]))
                add("insert", "".join(mid_b[j1:j2]))
    add("equal", "".join(a[len(a) - tail:]))
    return out


# What makes Excel, LibreOffice or Sheets read a cell as a formula (OWASP's list).
FORMULA_START = frozenset("=+-@\t\r")


def spreadsheet_safe(value: str) -> str:
    """Return a CSV cell a spreadsheet shows as text: a leading apostrophe before a formula."""
    if value and (value[0] in FORMULA_START
                  or (value[0] == "'" and value.lstrip("'")[:1] in FORMULA_START)):
        return "'" + value
    return value


def spreadsheet_unsafe(value: str) -> str:
    """Undo `spreadsheet_safe` on a cell read back from a CSV file."""
    if value.startswith("'") and value.lstrip("'")[:1] in FORMULA_START:
        return value[1:]
    return value


LANGUAGE_TAG = re.compile(r"[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{1,8})*")


@lru_cache(maxsize=1024)
def language_tag(code: str) -> str:
    """Return a language tag in BCP 47 case: 'EN_us' → 'en-US', 'zh-hant-tw' → 'zh-Hant-TW'."""
    parts = [p for p in (code or "").strip().replace("_", "-").split("-") if p]
    if not parts:
        return ""
    out = [parts[0].lower()]
    for part in parts[1:]:
        if len(part) == 4 and part.isalpha():
            out.append(part.title())
        elif (len(part) == 2 and part.isalpha()) or (len(part) == 3 and part.isdigit()):
            out.append(part.upper())
        else:
            out.append(part.lower())
    return "-".join(out)


def primary_language(code: str) -> str:
    """Return the primary language subtag in lower case: 'DE-de' → 'de', '' for nothing."""
    return language_tag(code).split("-")[0]


def is_language_tag(code: str) -> bool:
    """Return whether `code` looks like a language tag such as de, en-US or gsw."""
    return bool(LANGUAGE_TAG.fullmatch((code or "").strip()))


def mark_spans(text: str, spans: list[tuple[int, int]], css: str = "hit") -> Markup:
    """Return text as HTML with each (start, end) span in a <mark>, every piece escaped."""
    out, cursor = [], 0
    for start, end in spans:
        if start < cursor:
            continue  # overlapping spans: the first one wins
        out += [escape(text[cursor:start]), Markup('<mark class="%s">') % css,
                escape(text[start:end]), Markup("</mark>")]
        cursor = end
    out.append(escape(text[cursor:]))
    return Markup("").join(out)


def case_joins(word: str) -> list[int]:
    """Return the offsets inside word where a lower-case letter is followed by a capital."""
    # Most words have at most one capital, at the start: settle them without a loop.
    if word[1:].islower() or word.isupper() or word[1:] == word[1:].lower():
        return []
    return [i for i in range(1, len(word))
            if word[i].isupper() and word[i - 1].islower()]
