"""Patterns a person types (search, filter, replace): one syntax, answered in linear time.

User patterns run on RE2 (PyPI google-re2): no backtracking, so `(a+)+$` costs what `a+$`
costs, on any text. What RE2 cannot promise (back-references, look-around) is refused with
a message, never run by a backtracking engine.
"""

from __future__ import annotations

import re

import re2

# A pattern this long is a paste accident, not a search; RE2 would still be linear.
MAX_PATTERN = 1000
# RE2 refuses programs past its memory budget (e.g. `(x{1000}){1000}`): 8 MB each.
_OPTIONS = re2.Options()
_OPTIONS.max_mem = 8 << 20


class PatternError(ValueError):
    """A pattern that is not a regular expression at all, said for a person."""


class PatternRefused(PatternError):
    """A valid pattern this app will not run (too long, or needing backtracking)."""


def compile_pattern(query: str, *, regex: bool = True, case: bool = False) -> re2._Regexp:
    """Compile what a person typed into a linear-time pattern, or raise PatternError."""
    if len(query) > MAX_PATTERN:
        raise PatternRefused(f"The search is {len(query):,} characters long; at most "
                           f"{MAX_PATTERN:,} are searched for.")
    body = query if regex else re.escape(query)
    options = re2.Options()
    options.max_mem = _OPTIONS.max_mem
    options.case_sensitive = case
    options.log_errors = False
    try:
        return re2.compile(body, options=options)
    except re2.error as exc:
        detail = exc.args[0] if exc.args else "it does not compile"
        if isinstance(detail, bytes):
            detail = detail.decode("utf-8", "replace")
    try:
        re.compile(body)
    except (re.error, RecursionError, OverflowError):
        raise PatternError(f"The regular expression is not valid: {detail}.") from None
    # Python would run it, RE2 will not: back-references, look-around, huge repeats. Those
    # are what lets one pattern take minutes, so they are refused rather than run.
    raise PatternRefused(f"This regular expression is not supported: {detail}. Searches use "
                         "RE2 syntax, without back-references, look-around or repeats "
                         "past 1,000.")


def search(pattern: str, text: str | None) -> bool:
    """Return whether a (case-sensitive) RE2 pattern occurs in text; for SQLite's REGEXP."""
    if text is None:
        return False
    return _cached(pattern).search(text) is not None


_CACHE: dict[str, re2._Regexp] = {}


def _cached(pattern: str) -> re2._Regexp:
    compiled = _CACHE.get(pattern)
    if compiled is None:
        if len(_CACHE) > 256:
            _CACHE.clear()
        compiled = _CACHE[pattern] = compile_pattern(pattern, case=True)
    return compiled
