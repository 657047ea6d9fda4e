"""Glossary terms through machine translation: placeholders in, the glossary's renderings out."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from webapp.core.messages import _l, _ln
from webapp.glossary.entries import Entry, Glossary, GlossaryError, normalize_lang
from webapp.glossary.matching import Match, find_terms, matcher

# Placeholders are capital letters plus a number: SentencePiece vocabularies always hold
# ASCII capitals and digits (no <unk>, unlike private-use or bracket characters), NMT models
# copy unknown letter-and-digit codes through like product codes, and no German or English
# word looks like them. Several markers exist so that one absent from the text can be used;
# an engine module that knows its vocabulary can pass its own (letters only).
_MARKERS = ("ZQX", "QXZ", "XZQ", "ZXQ", "QZX", "XQZ")


@dataclass(frozen=True)
class Slot:
    """One protected term: its placeholder and what goes back in its place."""

    placeholder: str
    rendering: str
    entry: Entry
    source_text: str


@dataclass(frozen=True)
class Protected:
    """A source text with glossary terms swapped for placeholders, ready for the engine."""

    text: str
    slots: tuple[Slot, ...]
    marker: str
    target_lang: str
    glossary: Glossary = field(repr=False, compare=False)


@dataclass
class RestoredResult:
    """MT output with glossary renderings put back and forbidden renderings fixed."""

    text: str
    dropped: list[Entry] = field(default_factory=list)
    # (forbidden text found, rendering put in its place)
    replaced: list[tuple[str, str]] = field(default_factory=list)


def _rendering(match: Match, source_lang: str, target_lang: str) -> str | None:
    entry = match.entry
    if any(
        e.key != entry.key and e.variants(target_lang) != entry.variants(target_lang) for e in match.others
    ):
        return None
    if entry.dnt:
        # The glossary spelling without the source's inflection ending: "Kim Jong Uns" -> "Kim Jong Un".
        return match.term if match.text.startswith(match.term) else match.text
    variants = entry.variants(target_lang)
    if match.text in variants:
        return match.text
    # An inflected source form ("Atomtests", "Pjöngjangs") is left to the engine: putting
    # back the dictionary form would drop the plural or genitive; QA still checks the term.
    written = match.text.casefold() in (v.casefold() for v in entry.variants(source_lang))
    if len(variants) == 1 and written:
        return variants[0]
    return None


def protect(
    glossary: Glossary,
    text: str,
    source_lang: str,
    target_lang: str,
    *,
    markers: Iterable[str] = _MARKERS,
) -> Protected:
    """Swap do-not-translate terms and uninflected terms with one fixed rendering for placeholders."""
    source_lang, target_lang = normalize_lang(source_lang), normalize_lang(target_lang)
    folded = text.casefold()
    markers = [m for m in markers if m.isascii() and m.isalpha()] or list(_MARKERS)
    marker = next((m for m in markers if m.casefold() not in folded), markers[0])
    slots: list[Slot] = []
    pieces = []
    cursor = 0
    for match in find_terms(glossary, text, source_lang):
        rendering = _rendering(match, source_lang, target_lang)
        if rendering is None:
            continue
        placeholder = f"{marker}{len(slots)}"
        slots.append(Slot(placeholder, rendering, match.entry, match.text))
        pieces.append(text[cursor : match.start])
        pieces.append(placeholder)
        cursor = match.end
    pieces.append(text[cursor:])
    return Protected("".join(pieces), tuple(slots), marker, target_lang, glossary)


def _placeholder_re(marker: str) -> re.Pattern[str]:
    # Engines re-space, re-case and sometimes hyphenate codes: "ZQX0", "zqx 0", "ZQ X-0".
    letters = r"[\s\-_.]?".join(re.escape(c) for c in marker)
    return re.compile(letters + r"[\s\-_.]?(\d{1,4})(?!\d)", re.IGNORECASE)


def restore(protected: Protected, mt_output: str) -> RestoredResult:
    """Put the glossary renderings back into mt_output and replace known forbidden renderings."""
    seen: set[int] = set()
    slots = protected.slots

    def put_back(m: re.Match[str]) -> str:
        index = int(m.group(1))
        if index >= len(slots):
            return m.group(0)
        seen.add(index)
        return slots[index].rendering

    text = _placeholder_re(protected.marker).sub(put_back, mt_output) if slots else mt_output
    dropped = list(dict.fromkeys(slot.entry for i, slot in enumerate(slots) if i not in seen))
    replaced = []
    fixes = matcher(protected.glossary, "forbidden", protected.target_lang).find(text)
    for match in reversed(fixes):
        use = match.entry.preferred(protected.target_lang)
        if use is None:
            continue
        text = text[: match.start] + use + text[match.end :]
        replaced.append((match.text, use))
    replaced.reverse()
    return RestoredResult(text, dropped, replaced)


class MtGuard:
    """Glossary protection around engine calls: placeholders in, glossary renderings out."""

    def __init__(self, glossary: Glossary, source_lang: str, target_lang: str) -> None:
        self.glossary, self.source_lang, self.target_lang = glossary, source_lang, target_lang
        self._batch: list[Protected] | None = None
        self.dropped = 0
        self.replaced = 0

    def protect(self, texts: list[str]) -> list[str]:
        """Return the texts with protected terms as placeholders, remembering them for restore."""
        try:
            self._batch = [protect(self.glossary, t, self.source_lang, self.target_lang)
                           for t in texts]
        except GlossaryError:
            # A language code the glossary cannot read: translate without protection.
            self._batch = None
            return list(texts)
        return [p.text for p in self._batch]

    def restore(self, outputs: list[str]) -> list[str]:
        """Put the renderings back into the outputs of the batch protected last, in order."""
        batch, self._batch = self._batch, None
        if batch is None:
            return outputs
        restored = []
        for protected, output in zip(batch, outputs, strict=True):
            if not output:
                restored.append(output)
                continue
            result = restore(protected, output)
            self.dropped += len(result.dropped)
            self.replaced += len(result.replaced)
            restored.append(result.text)
        return restored

    def summary(self, flagged: bool) -> str:
        """Return what the glossary did, for the job's closing message ("" when nothing)."""
        replaced = _ln("%(n)s forbidden rendering replaced by the glossary's.",
                       "%(n)s forbidden renderings replaced by the glossary's.",
                       self.replaced) if self.replaced else ""
        if not self.dropped:
            return replaced
        if flagged:
            dropped = _ln("The engine dropped %(n)s protected glossary term; its segment shows "
                          "a QA warning.", "The engine dropped %(n)s protected glossary terms; "
                          "their segments show a QA warning.", self.dropped)
        else:
            dropped = _ln("The engine dropped %(n)s protected glossary term.",
                          "The engine dropped %(n)s protected glossary terms.", self.dropped)
        return _l("%(replaced)s %(dropped)s", replaced=replaced, dropped=dropped) \
            if replaced else dropped
