"""Glossary terms in segment text: highlights with their tooltips, and the list beside a segment."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from markupsafe import Markup, escape

from webapp.core.messages import _l
from webapp.core.models import Document, Segment
from webapp.glossary.entries import Entry, normalize_lang
from webapp.glossary.matching import Match
from webapp.glossary.store import Snapshot


def render_piece(text: str) -> Markup:
    """Return a stretch of segment text as safe HTML.

    Everything that is not a term goes through here, so another feature can replace it
    (`highlight.render_piece = …`) to show inline-code characters as tag chips.
    """
    return escape(text)


def _language_key() -> str:
    # The tooltips are cached per interface language: a short message's current rendering
    # tells English, German and the pseudo-locale apart without asking Flask.
    return str(_l("do not translate"))


@lru_cache(maxsize=4096)
def _tip(entries: tuple[Entry, ...], lang: str, language: str = "") -> Markup:
    # Escaped once per concept, language and interface language: a page shows the same few
    # terms many times. Each line is one message, the terms and the note its parameters.
    lines = []
    for entry in entries:
        if entry.dnt:
            term = entry.preferred(lang) or entry.key
            avoid = [v for vs in entry.forbidden.values() for v in vs]
            if avoid:
                head = _l("do not translate: keep “%(term)s” as it is (not %(avoid)s)",
                          term=term, avoid=", ".join(avoid))
            else:
                head = _l("do not translate: keep “%(term)s” as it is", term=term)
        else:
            parts = []
            for other, variants in entry.terms.items():
                if other != lang:
                    avoid = entry.forbidden_in(other)
                    if avoid:
                        parts.append(str(_l("%(lang)s: %(terms)s (not %(avoid)s)", lang=other,
                                            terms=" | ".join(variants), avoid=", ".join(avoid))))
                    else:
                        parts.append(str(_l("%(lang)s: %(terms)s", lang=other,
                                            terms=" | ".join(variants))))
            head = "; ".join(parts) or entry.key
        lines.append(str(_l("%(head)s — %(note)s", head=head, note=entry.note))
                     if entry.note else str(head))
    return escape("\n".join(lines))


def highlight(text: str, matches: list[Match]) -> Markup:
    """Return text as HTML with each matched term in a <mark> carrying its tooltip."""
    out, cursor = [], 0
    for m in matches:
        out += (render_piece(text[cursor:m.start]), _open_mark(m.entries, m.lang),
                render_piece(m.text), "</mark>")
        cursor = m.end
    out.append(render_piece(text[cursor:]))
    # Every piece is escaped (render_piece) or built from escaped parts (_open_mark).
    return Markup("".join(out))


def _open_mark(entries: tuple[Entry, ...], lang: str) -> Markup:
    return _open_mark_in(entries, lang, _language_key())


@lru_cache(maxsize=4096)
def _open_mark_in(entries: tuple[Entry, ...], lang: str, language: str) -> Markup:
    # The tip is the term's accessible description and, through CSS attr(), the tooltip that
    # hovering and focusing show alike (no native title beside it). It is an attribute, not
    # an element, so the cell's text stays the segment's text (split offsets, copying).
    # tabindex -1: a row's terms are reached with the arrow keys from the row (glossary.js),
    # not one Tab stop each.
    return Markup('<mark class="term{}" data-entry="{}" aria-description="{}" tabindex="-1">'
                  ).format(" dnt" if entries[0].dnt else "", entries[0].key, _tip(entries, lang, language))


@dataclass
class TermLine:
    """A term a segment's text contains, with its renderings in the other language."""

    found: str
    key: str
    renderings: tuple[str, ...]
    dnt: bool
    note: str = ""


def segment_terms(snap: Snapshot, seg: Segment, doc: Document) -> tuple[str, str, list[TermLine]]:
    """Return the file side's language, the other one, and the terms with their renderings."""
    if doc.mode == "review":
        text, lang, other = seg.target or seg.mt, doc.target_lang, doc.source_lang
    else:
        text, lang, other = seg.source, doc.source_lang, doc.target_lang
    lines, seen = [], set()
    for m in snap.find(text or "", lang):
        if m.entry.key in seen:
            continue
        seen.add(m.entry.key)
        renderings = tuple(dict.fromkeys(v for e in m.entries for v in e.variants(
            normalize_lang(other))))
        lines.append(TermLine(m.text, m.entry.key, renderings, m.entry.dnt, m.entry.note))
    return lang, other, lines
