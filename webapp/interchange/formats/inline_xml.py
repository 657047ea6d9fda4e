"""Inline codes in XML: read a format's mixed content into placeholder text, build it back."""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from lxml import etree

from webapp.core.messages import _l
from webapp.interchange.formats.inline import (
    CLOSE,
    LITERAL,
    MAX_CODES,
    OPEN,
    PLACEHOLDER_RE,
    STANDALONE,
    Code,
    partners,
    placeholder,
    tokens,
)
from webapp.interchange.formats.safexml import FormatError, fragment

_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


# --- Reading: from a file's mixed content to placeholder text --------------------------


@dataclass(frozen=True)
class Tag:
    """How a format's reader classifies one inline element."""

    role: str  # 'wrap' (content is translatable text), OPEN, CLOSE, STANDALONE or 'text'
    family: str  # pairs a close with its open across element names: ept with bpt, ec with pc
    id: str | None = None
    data: str | None = None
    end_data: str | None = None  # a wrapper's closing data (2.0 pc dataRefEnd)
    isolated: bool = False  # an open or close that never pairs (1.x <it>, TMX <it>)


def _serialise(element: etree._Element, *, shell: bool) -> str:
    if shell:
        copied = etree.Element(element.tag, attrib=dict(element.attrib), nsmap=element.nsmap)
    else:
        copied = copy.deepcopy(element)
        copied.tail = None
    # Only the namespaces the code itself uses: the rest of the source file's
    # declarations (sdl:, its:, …) would bloat every stored code.
    etree.cleanup_namespaces(copied)
    return etree.tostring(copied, encoding="unicode", with_tail=False)


class CodeRegistry:
    """Collect the codes of one segment while its source and target are read."""

    # The same code in source and target (same family, kind and id) gets the same
    # placeholder, so a target that keeps its tags compares equal to what the source had.

    def __init__(self) -> None:
        self.codes: list[Code] = []
        self._keys: dict[tuple[str, str, str], int] = {}
        self._pair_owner: dict[str, str] = {}

    def _add(self, family: str, kind: str, raw_id: str, code: Code) -> str:
        key = (family, kind, raw_id)
        index = self._keys.get(key)
        if index is None:
            if len(self.codes) >= MAX_CODES:
                raise FormatError(_l("a segment holds more than %(most)s inline codes",
                                     most=MAX_CODES))
            index = len(self.codes)
            self.codes.append(code)
            self._keys[key] = index
        return placeholder(index)

    def _pair_id(self, family: str, raw_id: str) -> str:
        # Open and close codes pair by id, so two families may not share one.
        owner = self._pair_owner.setdefault(raw_id, family)
        return raw_id if owner == family else f"{raw_id}.{family}"

    def read(
        self, element: etree._Element | None, classify: Callable[[etree._Element], Tag | None]
    ) -> str:
        """Return the element's content as placeholder text, registering its codes."""
        # `classify` returns None for elements whose content is simply read through.
        if element is None:
            return ""
        stack: list[tuple[str, str]] = []
        ordinals: dict[str, int] = {}
        parts: list[str] = []

        def text(value: str | None) -> None:
            if not value:
                return
            start = 0
            for match in PLACEHOLDER_RE.finditer(value):
                parts.append(value[start : match.start()])
                char = match.group()
                parts.append(
                    self._add(
                        "literal", LITERAL, char, Code(f"U+{ord(char):04X}", LITERAL, "", char)
                    )
                )
                start = match.end()
            parts.append(value[start:])

        def ordinal(family: str) -> str:
            ordinals[family] = ordinals.get(family, 0) + 1
            return f"{family}.{ordinals[family]}"

        def walk(parent: etree._Element) -> None:
            text(parent.text)
            for child in parent:
                if not isinstance(child.tag, str):  # comments and PIs left by the parser
                    text(child.tail)
                    continue
                tag = classify(child)
                if tag is None:
                    walk(child)
                elif tag.role == "text":
                    text(tag.data)
                elif tag.role == "wrap":
                    raw = self._pair_id(tag.family, tag.id or ordinal(tag.family))
                    original = _serialise(child, shell=True)
                    parts.append(
                        self._add(tag.family, OPEN, raw, Code(raw, OPEN, original, tag.data))
                    )
                    walk(child)
                    parts.append(
                        self._add(tag.family, CLOSE, raw, Code(raw, CLOSE, "", tag.end_data))
                    )
                elif tag.role == OPEN:
                    raw = self._pair_id(tag.family, tag.id or ordinal(tag.family))
                    if not tag.isolated:
                        stack.append((tag.family, raw))
                    original = _serialise(child, shell=False)
                    parts.append(
                        self._add(tag.family, OPEN, raw, Code(raw, OPEN, original, tag.data))
                    )
                elif tag.role == CLOSE:
                    if tag.isolated and not tag.id:
                        raw = self._pair_id(tag.family, ordinal(tag.family))
                    elif tag.id:
                        raw = self._pair_id(tag.family, tag.id)
                        if (tag.family, raw) in stack:
                            stack.remove((tag.family, raw))
                    else:
                        # A close without an id ends the latest open code of its family.
                        mine = [entry for entry in stack if entry[0] == tag.family]
                        if mine:
                            stack.remove(mine[-1])
                            raw = mine[-1][1]
                        else:
                            raw = self._pair_id(tag.family, ordinal(tag.family))
                    original = _serialise(child, shell=False)
                    parts.append(
                        self._add(tag.family, CLOSE, raw, Code(raw, CLOSE, original, tag.data))
                    )
                else:
                    raw = tag.id or ordinal(tag.family)
                    original = _serialise(child, shell=False)
                    parts.append(
                        self._add(
                            tag.family, STANDALONE, raw, Code(raw, STANDALONE, original, tag.data)
                        )
                    )
                text(child.tail)

        walk(element)
        return "".join(parts)


# --- Writing: from placeholder text back to a format's elements ------------------------

Wrap = Callable[[int, Code, Code], "etree._Element | None"]
Mark = Callable[[int, Code, bool], etree._Element]


_ORIGINALS: dict[str, etree._Element] = {}


def original_element(code: Code) -> etree._Element | None:
    """Return the element a code was read from, parsed once and shared: copy before changing it."""
    if not code.original_xml.startswith("<"):
        return None
    element = _ORIGINALS.get(code.original_xml)
    if element is None:
        if len(_ORIGINALS) > 10_000:  # a bound, not an LRU: exports reuse few distinct codes
            _ORIGINALS.clear()
        element = _ORIGINALS[code.original_xml] = fragment(code.original_xml)
    return element


def xml_text(value: str) -> str:
    """Drop the characters XML 1.0 cannot hold at all (lxml refuses them)."""
    return _XML_INVALID.sub("", value)


def build(parent: etree._Element, text: str, codes: Sequence[Code], wrap: Wrap, mark: Mark) -> None:
    """Append text to `parent` with each placeholder turned back into its code's element."""
    # `wrap(index, open, close)` may return an empty element to nest the content of a
    # well-nested pair in (<g>, <pc>, <hi>); every other code is written by
    # `mark(index, code, isolated)`, isolated meaning its partner is missing or misplaced,
    # so a translator's misordered tags still give well-formed XML. Placeholders without
    # a code carry nothing to restore and are dropped.
    parts = [p for p in tokens(text) if isinstance(p, str) or p < len(codes)]
    pairs = partners(codes)
    first: dict[int, int] = {}
    for pos, part in enumerate(parts):
        if isinstance(part, int):
            first.setdefault(part, pos)

    # Which open/close positions nest properly (checked with a stack, as XML would).
    nested: dict[int, int] = {}
    stack: list[tuple[int, int]] = []
    for pos, part in enumerate(parts):
        if not isinstance(part, int):
            continue
        kind = codes[part].kind
        if kind == OPEN and part in pairs:
            stack.append((part, pos))
        elif kind == CLOSE and part in pairs:
            if stack and stack[-1][0] == pairs[part]:
                _, open_pos = stack.pop()
                nested[open_pos] = pos
            elif any(entry[0] == pairs[part] for entry in stack):
                # Crossing pairs: nothing between can nest any more.
                while stack and stack[-1][0] != pairs[part]:
                    stack.pop()
                stack.pop()

    containers: list[etree._Element] = [parent]
    closing: dict[int, etree._Element] = {}

    def add_text(value: str) -> None:
        value = xml_text(value)
        if not value:
            return
        container = containers[-1]
        if len(container):
            container[-1].tail = (container[-1].tail or "") + value
        else:
            container.text = (container.text or "") + value

    for pos, part in enumerate(parts):
        if isinstance(part, str):
            add_text(part)
            continue
        code = codes[part]
        if code.kind == LITERAL:
            add_text(code.data or "")
            continue
        if pos in closing:
            containers.pop()
            continue
        if pos in nested:
            element = wrap(part, code, codes[pairs[part]])
            if element is not None:
                containers[-1].append(element)
                containers.append(element)
                closing[nested[pos]] = element
                continue
        partner = pairs.get(part)
        if code.kind == OPEN:
            isolated = partner is None or partner not in first or first[partner] < pos
        elif code.kind == CLOSE:
            isolated = partner is None or partner not in first or first[partner] > pos
        else:
            isolated = False
        containers[-1].append(mark(part, code, isolated))
