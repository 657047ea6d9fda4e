"""Inline codes (tags) as protected placeholders: one private-use character per code."""

# A segment is stored as a plain string in which every inline code of the original file
# (``<g>``, ``<x/>``, ``<bpt>``, ``<pc>``, ``<sc/>``, ``<ph>``, ``<mrk>``, TMX ``<hi>`` …) is a
# single character U+E000 + i, where i indexes the unit's list of :class:`Code`. Why one
# private-use character and not ``{1}`` or ``<1>``:
#
# * real text already holds ``{0}``-style placeholders (OmegaT's ``project_save.tmx``,
#   WorldServer's ``<ph>{59}</ph>``), so a textual token would be ambiguous, while U+E000–U+EFFF
#   is reserved by Unicode for private use and never appears in what people write;
# * one code is one character, so an editor can make it an atomic, movable chip, the fuzzy
#   matcher counts it as one token, and a translator cannot half-delete it;
# * it survives JSON, SQLite, HTML escaping and ``str`` methods unchanged.
#
# Should a file contain a character from that range anyway (icon fonts), it is kept as a
# code of kind ``literal`` and written back as the same character.

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

OPEN = "open"
CLOSE = "close"
STANDALONE = "standalone"
LITERAL = "literal"

_BASE = 0xE000
MAX_CODES = 0x1000
PLACEHOLDER_RE = re.compile("[\ue000-\uefff]")
# Characters XML 1.0 cannot carry at all; lxml refuses them on output.


def placeholder(index: int) -> str:
    """Return the placeholder character that stands for codes[index]."""
    if not 0 <= index < MAX_CODES:
        raise ValueError(f"a segment holds at most {MAX_CODES} inline codes")
    return chr(_BASE + index)


def placeholder_index(char: str) -> int | None:
    """Return the code index a placeholder character stands for, or None for ordinary text."""
    point = ord(char)
    return point - _BASE if _BASE <= point < _BASE + MAX_CODES else None


@dataclass(frozen=True)
class Code:
    """One inline code: what the placeholder stands for, and how to write it back."""

    id: str
    kind: str  # OPEN, CLOSE, STANDALONE (or LITERAL, a private-use character of the file)
    original_xml: str = ""
    # The native code it stands for when the file says (bpt content, 2.0 originalData):
    # what an editor shows on hover, and what another format's export carries over.
    data: str | None = None

    @property
    def label(self) -> str:
        """Return the short tag an editor shows: <1>, </1> or <1/>."""
        if self.kind == OPEN:
            return f"<{self.id}>"
        if self.kind == CLOSE:
            return f"</{self.id}>"
        if self.kind == LITERAL:
            return self.data or ""
        return f"<{self.id}/>"


def tokens(text: str) -> list[str | int]:
    """Split text into runs of plain text and code indexes."""
    out: list[str | int] = []
    start = 0
    for match in PLACEHOLDER_RE.finditer(text):
        if match.start() > start:
            out.append(text[start : match.start()])
        out.append(ord(match.group()) - _BASE)
        start = match.end()
    if start < len(text):
        out.append(text[start:])
    return out


def strip_codes(text: str) -> str:
    """Return the text without its placeholders (for plain-text export and word counts)."""
    return PLACEHOLDER_RE.sub("", text)


def render(text: str, codes: Sequence[Code]) -> str:
    """Return the text with each placeholder shown as its label, for logs and plain views."""
    return "".join(
        part if isinstance(part, str) else (codes[part].label if part < len(codes) else "")
        for part in tokens(text)
    )


@dataclass(frozen=True)
class CodeWarning:
    """A QA finding about the inline codes of a translation."""

    problem: str  # 'lost', 'duplicated', 'misordered' or 'unknown'
    code: int  # index into the unit's codes
    message: str


def partners(codes: Sequence[Code]) -> dict[int, int]:
    """Map each open code's index to its close code's index and back."""
    opens = {c.id: i for i, c in enumerate(codes) if c.kind == OPEN}
    pairs: dict[int, int] = {}
    for i, code in enumerate(codes):
        if code.kind == CLOSE and code.id in opens:
            pairs[i] = opens[code.id]
            pairs[opens[code.id]] = i
    return pairs


def check_codes(
    source_codes: Sequence[Code], target_text: str, *, source_text: str | None = None
) -> list[CodeWarning]:
    """Warn when a target loses, duplicates or misorders the codes it should carry."""
    # Each code is expected once; with `source_text`, as often as the source has it, since
    # a unit's codes may include some that only its imported target used.
    if source_text is None:
        expected = Counter(range(len(source_codes)))
    else:
        expected = Counter(ord(c) - _BASE for c in PLACEHOLDER_RE.findall(source_text))
    positions: dict[int, list[int]] = {}
    for pos, char in enumerate(PLACEHOLDER_RE.findall(target_text)):
        positions.setdefault(ord(char) - _BASE, []).append(pos)
    warnings: list[CodeWarning] = []
    for index in sorted(set(expected) | set(positions)):
        want, have = expected.get(index, 0), len(positions.get(index, ()))
        if index >= len(source_codes):
            warnings.append(
                CodeWarning(
                    "unknown", index, "The translation has a tag that the source does not have."
                )
            )
            continue
        label = source_codes[index].label
        if source_codes[index].kind == LITERAL:
            label = f"character U+{ord(source_codes[index].data or ' '):04X}"
        if have < want:
            warnings.append(
                CodeWarning("lost", index, f"Tag {label} is missing from the translation.")
            )
        elif have > want:
            warnings.append(
                CodeWarning(
                    "duplicated",
                    index,
                    f"Tag {label} appears {have} times in the translation, {want} in the source.",
                )
            )

    def label_of(index: int) -> str:
        return source_codes[index].label

    # Order only matters between an open code and its close: standalone codes may move.
    pairs = partners(source_codes)
    spans = []
    for index, close in pairs.items():
        if source_codes[index].kind != OPEN or index not in positions or close not in positions:
            continue
        start, end = positions[index][0], positions[close][0]
        if end < start:
            warnings.append(
                CodeWarning(
                    "misordered",
                    close,
                    f"Tag {source_codes[close].label} comes before {source_codes[index].label}.",
                )
            )
        else:
            spans.append((start, end, index))
    # A pair that closes while a pair opened inside it is still open overlaps that pair
    # (the innermost one is named). One pass over the opens and closes in text order with a
    # stack, closed pairs left in it and skipped: comparing every two pairs was quadratic,
    # in time and in warnings (2,048 crossing pairs: two million warnings).
    events = sorted([(start, False, index) for start, _, index in spans]
                    + [(end, True, index) for _, end, index in spans])
    stack: list[int] = []
    closed: set[int] = set()
    for _, is_close, index in events:
        if not is_close:
            stack.append(index)
            continue
        closed.add(index)
        while stack[-1] in closed and stack[-1] != index:
            stack.pop()
        if stack[-1] == index:
            stack.pop()
            continue
        other = stack[-1]
        warnings.append(
            CodeWarning(
                "misordered",
                other,
                f"Tags {label_of(index)} and {label_of(other)} overlap: "
                f"{label_of(index)} closes before {label_of(other)} does.",
            )
        )
    return warnings
