"""Patterns a person types (search, filter, replace): one syntax, answered in linear time.

User patterns run on RE2 (PyPI google-re2): no backtracking, so `(a+)+$` costs what `a+$`
costs, on any text. What RE2 cannot promise (back-references, look-around) is refused with
a message, never run by a backtracking engine.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import dataclass

import re2

from webapp.core.messages import _l

# A pattern this long is a paste accident, not a search; RE2 would still be linear.
MAX_PATTERN = 1000
# RE2 refuses programs past its memory budget (e.g. `(x{1000}){1000}`): 8 MB each.
_OPTIONS = re2.Options()
_OPTIONS.max_mem = 8 << 20


class PatternError(ValueError):
    """A pattern that is not a regular expression at all, said for a person."""

    error_code = "bad_pattern"


class PatternRefused(PatternError):
    """A valid pattern this app will not run (too long, or needing backtracking)."""

    error_code = "pattern_refused"


class SearchTooSlow(PatternRefused):
    """A search stopped at its time budget."""

    error_code = "too_slow"


def compile_pattern(query: str, *, regex: bool = True, case: bool = False) -> re2._Regexp:
    """Compile what a person typed into a linear-time pattern, or raise PatternError."""
    _check_length(query)
    return _compile(query if regex else re.escape(query), case)


def _check_length(query: str) -> None:
    if len(query) > MAX_PATTERN:
        raise PatternRefused(_l("The search is %(length)s characters long; at most "
                                "%(max)s are searched for.", length=len(query), max=MAX_PATTERN))


def _compile(body: str, case: bool, utf8: bool = False) -> re2._Regexp:
    """Compile an RE2 pattern (a bytes one with `utf8`, to search UTF-8 bytes)."""
    options = re2.Options()
    options.max_mem = _OPTIONS.max_mem
    options.case_sensitive = case
    options.log_errors = False
    try:
        return re2.compile(body.encode("utf-8") if utf8 else body, options=options)
    except re2.error as exc:
        detail = exc.args[0] if exc.args else "it does not compile"
        if isinstance(detail, bytes):
            detail = detail.decode("utf-8", "replace")
    try:
        re.compile(body)
    except (re.error, RecursionError, OverflowError):
        raise PatternError(_l("The regular expression is not valid: %(detail)s.",
                              detail=detail)) from None
    # Python would run it, RE2 will not: back-references, look-around, huge repeats. Those
    # are what lets one pattern take minutes, so they are refused rather than run.
    raise PatternRefused(_l("This regular expression is not supported: %(detail)s. Searches "
                            "use RE2 syntax, without back-references, look-around or repeats "
                            "past %(max)s.", detail=detail, max=1000))


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


# What "whole word" counts as part of a word: letters, digits and combining marks of any
# script, and "_". RE2's \\b knows ASCII only, so "Kim" in "Kimüller" would be a word.
WORD_CHARS = r"\pL\pN\pM_"
_BEFORE = rf"(?:\A|[^{WORD_CHARS}])"
_AFTER = rf"(?:[^{WORD_CHARS}]|\z)"
MAX_REPLACEMENT = 1000
# The most one request's searching may take (see Matcher._check_time).
SEARCH_SECONDS = 5.0


class _CharOffsets:
    """Turn increasing byte offsets of UTF-8 text into character offsets, in linear time."""

    def __init__(self, data: bytes, ascii_only: bool):
        self.data, self.ascii = data, ascii_only
        self.byte = self.char = 0

    def at(self, offset: int) -> int:
        """Return the character offset of byte `offset` (never less than the last asked)."""
        if self.ascii:
            return offset
        if offset < self.byte:  # a step back (a hit's start after its end): start over
            self.byte = self.char = 0
        self.char += len(self.data[self.byte:offset].decode("utf-8"))
        self.byte = offset
        return self.char


@dataclass(frozen=True)
class Query:
    """What a person searches for, read the one way the list, the API and replace all read it."""

    body: str
    regex: bool = False
    case: bool = False
    word: bool = False

    @property
    def typed(self) -> str:
        """Return the query as a person would type it again (a regex between slashes)."""
        return f"/{self.body}/" if self.regex else self.body


def parse_query(typed: str | None, *, regex: bool = False, case: bool = False,
                word: bool = False) -> Query:
    """Return the query a person typed: `/…/` is a regular expression, whatever the toggle."""
    body = (typed or "").strip()
    if len(body) > 2 and body.startswith("/") and body.endswith("/"):
        body, regex = body[1:-1], True
    return Query(body, regex, case, word)


def _folded(text: str) -> tuple[str, list[int] | None]:
    """Return text casefolded, and each folded offset's original index if the length changed."""
    folded = text.casefold()
    if len(folded) == len(text):
        return folded, None
    where: list[int] = []
    for index, char in enumerate(text):
        where.extend([index] * len(char.casefold()))
    return folded, where


class Matcher:
    """A compiled query: its hits in a text (linear time, Unicode whole words) and replace."""

    def __init__(self, query: Query, seconds: float = SEARCH_SECONDS):
        self.seconds = seconds
        self.deadline = time.monotonic() + seconds
        if not query.body:
            raise PatternError(_l("Say what to search for."))
        if "\x00" in query.body:
            raise PatternError(_l("The search contains a NUL character."))
        _check_length(query.body)
        self.query = query
        if query.regex:
            user = _compile(query.body, query.case)
            self.groups, self.groupindex = user.groups, dict(user.groupindex)
            body, case = query.body, query.case
        else:
            self.groups, self.groupindex = 0, {}
            # Plain text ignores case the way the memory's concordance does: casefolded, so
            # "STRASSE" finds "Straße".
            body, case = re.escape(query.body if query.case else query.body.casefold()), True
        self.fold = not query.regex and not query.case
        # Plain text is a substring before it is a hit: most segments of a long document
        # hold none, and `in` tells so without building the bytes RE2 reads.
        self.literal = None if query.regex else (query.body if query.case
                                                 else query.body.casefold())
        # The query is group 1, so a person's group n is the wrapper's n + 1. Whole words
        # are checked inside the one pattern (a letter before or after is no hit), which
        # keeps the search linear: no hit is tried twice.
        wrapped = f"{_BEFORE}({body}){_AFTER}" if query.word else f"({body})"
        self._re = _compile(wrapped, case, utf8=True)

    def _matches(self, text: str) -> Iterator[tuple[int, int, object]]:
        """Yield (start, end, match) of each non-empty hit, in the text's own offsets."""
        self._check_time()
        if self.literal is not None and self.literal not in (
                text.casefold() if self.fold else text):
            return
        hay, where = _folded(text) if self.fold else (text, None)
        # RE2 searches bytes: handed a str, the binding re-encodes it (and maps offsets)
        # on every call, which makes a loop over hits quadratic.
        data = hay.encode("utf-8")
        chars = _CharOffsets(data, hay.isascii())
        pos, size, found = 0, len(data), 0
        while pos <= size:
            m = self._re.search(data, pos)
            if m is None:
                return
            start, end = m.span(1)
            # The next search starts where this hit ends, so that the character after it
            # can be the next whole word's boundary; at least one character further on.
            pos = max(end, m.start() + 1)
            found += 1
            if found % 64 == 0:
                self._check_time()
            if end == start:
                continue  # an empty hit (`x*`) marks nothing and replaces nothing
            start, end = chars.at(start), chars.at(end)
            if where is not None:
                start, end = where[start], where[end - 1] + 1
            yield start, end, m

    def _check_time(self) -> None:
        # Each search is linear, but a pattern whose hits each need the rest of the text to
        # be decided (`a.*Z|a`) makes many of them cost text × hits: stop it in time.
        if time.monotonic() > self.deadline:
            seconds = int(self.seconds) if self.seconds == int(self.seconds) else self.seconds
            raise SearchTooSlow(_l("The search took longer than %(seconds)s seconds and was "
                                   "stopped; narrow it (e.g. fewer `.*`).", seconds=seconds))

    def spans(self, text: str | None) -> list[tuple[int, int]]:
        """Return the (start, end) of each hit in text."""
        return [(s, e) for s, e, _m in self._matches(text or "")]

    def first(self, text: str | None) -> tuple[int, int] | None:
        """Return the (start, end) of the first hit in text, or None."""
        hit = next(self._matches(text or ""), None)
        return None if hit is None else hit[:2]

    def count(self, text: str | None) -> int:
        """Return how many hits text holds."""
        return sum(1 for _ in self._matches(text or ""))

    def found_in(self, text: str | None) -> bool:
        """Return whether text holds a hit."""
        return next(self._matches(text or ""), None) is not None

    def template(self, replacement: str) -> list[str | int | None]:
        """Return the replacement as literal pieces and group numbers; raise PatternError."""
        # Regex only: \1 or \g<name> a group, \0 the whole hit, \\ a backslash.
        if len(replacement) > MAX_REPLACEMENT:
            raise PatternRefused(_l("The replacement is %(length)s characters long; at most "
                                    "%(max)s are allowed.", length=len(replacement),
                                    max=MAX_REPLACEMENT))
        if "\x00" in replacement:
            raise PatternError(_l("The replacement contains a NUL character."))
        if not self.query.regex:
            return [replacement]
        pieces: list[str | int | None] = []
        literal: list[str] = []
        i = 0
        while i < len(replacement):
            char = replacement[i]
            if char != "\\":
                literal.append(char)
                i += 1
                continue
            ref = _REF.match(replacement, i)
            if ref is None:
                raise PatternError(_l("A backslash in the replacement starts a group (\\1, "
                                      "\\g<name>) or stands for itself as \\\\."))
            i = ref.end()
            if ref.group("slash"):
                literal.append("\\")
                continue
            name = ref.group("num") or ref.group("name")
            if name.isdigit():
                number = int(name)
                if number > self.groups:
                    raise PatternError(_l("The replacement refers to group %(number)s; the "
                                          "pattern has %(groups)s.", number=number,
                                          groups=self.groups))
            elif name in self.groupindex:
                number = self.groupindex[name]
            else:
                raise PatternError(_l("The pattern has no group named %(name)s.",
                                      name=repr(name)))
            pieces.append("".join(literal))
            literal = []
            pieces.append(number)
        pieces.append("".join(literal))
        return pieces

    def replace(self, text: str, template: list[str | int | None],
                limit: int | None = None) -> tuple[str, list[tuple[int, int, str]]]:
        """Return text with every hit replaced and each change as (start, end, new) after it."""
        # Past `limit` characters the result is refused (PatternRefused) as it grows.
        out: list[str] = []
        changes: list[tuple[int, int, str]] = []
        cursor = length = 0
        for start, end, m in self._matches(text):
            new = "".join(piece if isinstance(piece, str)
                          else (m.group(piece + 1) or b"").decode("utf-8")
                          for piece in template)
            out.append(text[cursor:start])
            length += start - cursor
            changes.append((length, length + len(new), new))
            out.append(new)
            length += len(new)
            cursor = end
            if limit is not None and length > limit:
                raise PatternRefused(f"The replaced text would be longer than {limit:,} "
                                     "characters.")
        out.append(text[cursor:])
        return "".join(out), changes


_REF = re.compile(r"\\(?:(?P<slash>\\)|(?P<num>[0-9]{1,2})|g<(?P<name>[0-9]{1,2}|[A-Za-z_]\w*)>)")
