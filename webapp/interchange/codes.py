"""A segment's inline codes as a translator meets them: ⟨1⟩ tokens, tag chips, tag QA (no Flask)."""

# Segments imported from XLIFF keep each inline code as one private-use placeholder character
# (see webapp.interchange.formats.inline) and the codes themselves in ``Segment.codes_json``. A textarea
# cannot show a placeholder, so the edit box spells each one as a token: ``⟨1⟩`` opens pair 1,
# ``⟨/1⟩`` closes it, ``⟨2/⟩`` is a standalone code. The numbers are per segment, in the order
# the codes were read; an open code and its close share one. Saving maps the tokens back to
# placeholders and refuses a token the segment does not have, or a broken one, so a tag can
# be moved but never corrupted. ⟨ and ⟩ (U+27E8/U+27E9) were chosen because no source text
# this workbench sees uses them, unlike ``<1>`` or ``{1}``.

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from functools import lru_cache

from markupsafe import Markup, escape

from webapp.core.messages import _l
from webapp.interchange.formats.inline import (
    CLOSE,
    LITERAL,
    MAX_CODES,
    OPEN,
    PLACEHOLDER_RE,
    Code,
    check_codes,
    placeholder,
    placeholder_index,
)

TOKEN_RE = re.compile("⟨(/?)([0-9]+)(/?)⟩")
_BRACKETS = ("⟨", "⟩")
# Markup from another renderer (glossary highlighting) is split so that only text between
# its tags is touched, never an attribute value.
_MARKUP_TAG = re.compile(r"(<[^>]*>)")

WARNING_CODES = {
    "lost": "tag_lost",
    "duplicated": "tag_duplicated",
    "misordered": "tag_misordered",
    "unknown": "tag_unknown",
}


class TagError(ValueError):
    """A target whose tag tokens do not match the segment's codes, said for a person."""

    error_code = "tag_mismatch"


def dumps(codes: Sequence[Code]) -> str | None:
    """Return the JSON stored in codes_json, or None when there are no codes."""
    if not codes:
        return None
    return json.dumps(
        [[c.id, c.kind, c.original_xml, c.data] for c in codes], ensure_ascii=False
    )


@lru_cache(maxsize=4096)
def loads(codes_json: str | None) -> tuple[Code, ...]:
    """Return the codes stored as JSON (cached: the same segment renders many times)."""
    if not codes_json:
        return ()
    return tuple(Code(str(i), str(k), str(x or ""), d) for i, k, x, d in json.loads(codes_json))


def of(segment) -> tuple[Code, ...]:
    """Return the inline codes of a segment (or of a translation-memory unit)."""
    return loads(getattr(segment, "codes_json", None))


@lru_cache(maxsize=4096)
def _numbers(codes: tuple[Code, ...]) -> tuple[int, ...]:
    """Return the number each code shows as: a pair shares one, in reading order."""
    by_id: dict[str, int] = {}
    numbers = []
    count = 0
    for code in codes:
        if code.kind in (OPEN, CLOSE):
            if code.id not in by_id:
                count += 1
                by_id[code.id] = count
            numbers.append(by_id[code.id])
        else:
            count += 1
            numbers.append(count)
    return tuple(numbers)


@lru_cache(maxsize=4096)
def _tokens(codes: tuple[Code, ...]) -> tuple[str, ...]:
    """Return the token of every code. Look them up once per text: each lookup hashes all
    the codes, so one per placeholder was quadratic (4,096 codes: seconds per row)."""
    spelled = []
    for number, code in zip(_numbers(codes), codes, strict=True):
        if code.kind == OPEN:
            spelled.append(f"⟨{number}⟩")
        elif code.kind == CLOSE:
            spelled.append(f"⟨/{number}⟩")
        else:
            spelled.append(f"⟨{number}/⟩")
    return tuple(spelled)


def token(index: int, codes: Sequence[Code]) -> str:
    """Return the token that shows codes[index] in a textarea: ⟨1⟩, ⟨/1⟩ or ⟨1/⟩."""
    return _tokens(tuple(codes))[index]


def to_tokens(text: str, codes: Sequence[Code]) -> str:
    """Return the text with every placeholder spelled as its token, for the edit box."""
    if not codes or not text:
        return text or ""
    spelled = _tokens(tuple(codes))

    def spell(match: re.Match) -> str:
        index = placeholder_index(match.group())
        return spelled[index] if index is not None and index < len(spelled) else ""

    return PLACEHOLDER_RE.sub(spell, text)


def from_tokens(text: str, codes: Sequence[Code], source: str = "") -> str:
    """Return the text with tokens turned back into placeholders; refuse unknown or broken tags."""
    if not codes:
        return text
    codes = tuple(codes)
    lookup = {spelled: placeholder(i) for i, spelled in enumerate(_tokens(codes))}
    unknown: list[str] = []

    def place(match: re.Match) -> str:
        found = lookup.get(match.group())
        if found is None:
            unknown.append(match.group())
            return match.group()
        return found

    result = TOKEN_RE.sub(place, text)
    known = ", ".join(lookup)
    if unknown:
        raise TagError(_l(
            "The tag %(tag)s is not one of this segment's tags (%(known)s); "
            "move or delete tags, but do not type new ones.", tag=unknown[0], known=known))
    for char in PLACEHOLDER_RE.findall(result):
        index = placeholder_index(char)
        if index is None or index >= len(codes):
            raise TagError(_l("The text holds a tag this segment does not have; its tags are "
                              "%(known)s.", known=known))
    for bracket in _BRACKETS:
        if bracket in result and bracket not in source:
            at = result.index(bracket)
            near = result[max(0, at - 8) : at + 8]
            raise TagError(_l("A tag is broken near “%(near)s”: keep each tag whole "
                              "(%(known)s), or delete all of it.", near=near, known=known))
    return result


# Only from the start of a run of spaces: a match tried at every space of a long run is
# quadratic (a 40,000-space attribute took 3.5 s per chip).
_XMLNS = re.compile(r'(?<!\s)\s+xmlns(?::[\w.-]+)?="[^"]*"')


def _chip(index: int, codes: tuple[Code, ...], spelled: tuple[str, ...]) -> str:
    code = codes[index]
    # What the tag stands for, on hover: the native code if the file said, else its XML.
    title = code.data or _XMLNS.sub("", code.original_xml)
    if code.kind == LITERAL:
        title = f"character U+{ord(code.data or ' '):04X}"
    elif not title and code.kind == CLOSE:
        title = f"end of {spelled[index].replace('/', '')}"
    kind = {OPEN: "open", CLOSE: "close"}.get(code.kind, "standalone")
    return (
        f'<span class="tag tag-{kind}" data-tag="{escape(spelled[index])}" '
        f'title="{escape(title)}">{escape(spelled[index])}</span>'
    )


def chips(html: str, codes: Sequence[Code]) -> Markup:
    """Return escaped HTML with each placeholder made a tag chip; tags of `html` stay intact."""
    codes = tuple(codes)
    spelled = _tokens(codes)
    parts = _MARKUP_TAG.split(str(html))
    for n in range(0, len(parts), 2):  # even parts are text between tags
        parts[n] = PLACEHOLDER_RE.sub(
            lambda m: _chip(i, codes, spelled)
            if (i := placeholder_index(m.group())) is not None and i < len(codes)
            else "",
            parts[n],
        )
    return Markup("".join(parts))


def render_codes_html(text: str, codes: Sequence[Code]) -> Markup:
    """Return text escaped, with each inline-code placeholder shown as a `<span class="tag">` chip."""
    return chips(str(escape(text or "")), codes)


def tags_filter(value, segment) -> Markup:
    """Jinja filter: show a segment text (plain or already-highlighted Markup) with tag chips."""
    if segment is None:
        codes: tuple[Code, ...] = ()
    else:
        codes = of(segment) if not isinstance(segment, list | tuple) else tuple(segment)
    html = value if isinstance(value, Markup) else escape(value or "")
    if not codes:
        return Markup(html)
    return chips(str(html), codes)


def tokens_filter(value: str, segment) -> str:
    """Jinja filter: spell a segment text's placeholders as ⟨1⟩ tokens (escaped by Jinja)."""
    return to_tokens(value or "", of(segment))


def code_warnings(segment) -> list[dict]:
    """Return the tag QA of a segment's target: [{code: tag_lost|…, message, key}], or []."""
    codes = of(segment)
    target = getattr(segment, "target", "") or ""
    if not codes or not target:
        return []
    out = []
    spelled = _tokens(codes)
    for warning in check_codes(codes, target, source_text=segment.source or None):
        shown = spelled[warning.code] if warning.code < len(codes) else "?"
        # Messages (msgid and parameters): the QA memo keeps them, and each page shows them
        # in its reader's language.
        if warning.problem == "lost":
            message = _l("Tag %(tag)s is missing from the translation.", tag=shown)
        elif warning.problem == "duplicated":
            message = _l("Tag %(tag)s appears more often in the translation than in the source.",
                         tag=shown)
        elif warning.problem == "misordered":
            message = _l("Tag %(tag)s is out of order: it closes before it opens, or its pair "
                         "overlaps another pair.", tag=shown)
        else:
            message = _l("The translation has a tag that the source does not have.")
        # The token as key tells two lost tags apart, e.g. when one is dismissed in QA.
        out.append({"code": WARNING_CODES[warning.problem], "message": message, "key": shown})
    return out


def merge(first, second) -> tuple[str | None, Callable[[str], str]]:
    """Return the codes of two segments joined, and how to renumber the second one's text."""
    head, tail = of(first), of(second)
    offset = len(head)
    if offset + len(tail) > MAX_CODES:
        raise TagError(_l("The two segments hold too many tags to be merged."))

    def shift(text: str) -> str:
        return PLACEHOLDER_RE.sub(
            lambda m: placeholder(placeholder_index(m.group()) + offset), text or "")

    return dumps(head + tail), shift


def carry_over(
    text: str, from_source: str, from_codes: Sequence[Code], to_source: str, to_codes: Sequence[Code]
) -> str:
    """Return a memory target with its codes renumbered to another segment's codes."""
    # The n-th code of the memory's source is taken to be the n-th code of the segment's
    # source when both are the same kind; a code with no counterpart is dropped.
    from_order = [placeholder_index(c) for c in PLACEHOLDER_RE.findall(from_source)]
    to_order = [placeholder_index(c) for c in PLACEHOLDER_RE.findall(to_source)]
    mapping: dict[int, int] = {}
    for a, b in zip(from_order, to_order, strict=False):
        if a is None or b is None or a >= len(from_codes) or b >= len(to_codes):
            continue
        if from_codes[a].kind == to_codes[b].kind and a not in mapping:
            mapping[a] = b

    def renumber(match: re.Match) -> str:
        index = placeholder_index(match.group())
        return placeholder(mapping[index]) if index in mapping else ""

    return PLACEHOLDER_RE.sub(renumber, text)
