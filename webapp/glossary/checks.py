"""Term QA of one segment: missing terms, forbidden renderings, do-not-translate terms changed."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass

from webapp.core.messages import _l
from webapp.core.text import case_joins
from webapp.glossary.entries import WORD_RE, Glossary, normalize_lang
from webapp.glossary.matching import find_terms, matcher, split_words

MISSING_TERM = "missing_term"
FORBIDDEN_TERM = "forbidden_term"
DNT_CHANGED = "dnt_changed"


@dataclass(frozen=True)
class TermWarning:
    """A glossary QA finding on one segment."""

    code: str
    message: str
    entry_key: str
    span: tuple[int, int] | None = None
    source_span: tuple[int, int] | None = None

    def to_dict(self) -> dict:
        """Return the warning as plain JSON-ready data."""
        return {
            "code": self.code,
            "message": self.message,
            "entry_key": self.entry_key,
            "span": list(self.span) if self.span else None,
            "source_span": list(self.source_span) if self.source_span else None,
        }


def _quote_list(items: Iterable[str], limit: int = 4) -> str:
    items = list(items)
    quoted = [f"“{item}”" for item in items[:limit]]
    shown = quoted[0] if len(quoted) == 1 else _l(
        "%(items)s or %(last)s", items=", ".join(quoted[:-1]), last=quoted[-1])
    return _l("%(items)s …", items=shown) if len(items) > limit else shown


def check_segment(
    glossary: Glossary, source: str, target: str, source_lang: str, target_lang: str
) -> list[TermWarning]:
    """Return missing_term, forbidden_term and dnt_changed warnings for one segment."""
    source_lang, target_lang = normalize_lang(source_lang), normalize_lang(target_lang)
    warnings: list[TermWarning] = []
    if not target.strip():
        return warnings
    target_words = split_words(target)
    in_target: dict[str, list[tuple[int, int]]] = {}
    for start, end, _, _, term in matcher(glossary, "terms", target_lang).scan(target, target_words):
        in_target.setdefault(term.entry.key, []).append((start, end))
    reported: set[tuple[str, str]] = set()
    for match in find_terms(glossary, source, source_lang):
        entry = match.entry
        spans = [s for e in match.entries for s in in_target.get(e.key, ())]
        if entry.dnt:
            # "As written" means the glossary spelling when the source uses it, else the
            # source's own spelling; an inflection ending after it is allowed.
            written = match.term if source.startswith(match.term, match.start) else match.text
            if any(target.startswith(written, start) for start, _ in spans):
                continue
            if (entry.key, written) in reported:
                continue
            reported.add((entry.key, written))
            if spans:
                found = target[spans[0][0] : spans[0][1]]
                message = _l("“%(term)s” must stay exactly as written, but the target has “%(found)s”.",
                             term=written, found=found)
            else:
                message = _l("“%(term)s” must stay exactly as written, but the target does not "
                             "contain it.", term=written)
            warnings.append(
                TermWarning(
                    DNT_CHANGED, message, entry.key, spans[0] if spans else None, (match.start, match.end)
                )
            )
            continue
        accepted = [v for e in match.entries for v in e.variants(target_lang)]
        if not accepted or spans or (entry.key, "") in reported:
            continue
        reported.add((entry.key, ""))
        warnings.append(
            TermWarning(
                MISSING_TERM,
                _l("The source has “%(term)s” (%(key)s), but the target has none of its"
                   " renderings: expected %(expected)s.", term=match.text, key=entry.key,
                   expected=_quote_list(accepted)),
                entry.key,
                None,
                (match.start, match.end),
            )
        )
    forbidden = matcher(glossary, "forbidden", target_lang)
    for match in forbidden.find(target, target_words):
        use = match.entry.preferred(target_lang)
        warnings.append(
            TermWarning(
                FORBIDDEN_TERM,
                _l("“%(term)s” is a forbidden rendering of “%(key)s”; use “%(use)s”.",
                   term=match.text, key=match.entry.key, use=use) if use else
                _l("“%(term)s” is a forbidden rendering of “%(key)s”.",
                   term=match.text, key=match.entry.key),
                match.entry.key,
                (match.start, match.end),
            )
        )
    if forbidden.count:
        warnings += _hidden_forbidden(forbidden, target, target_lang, warnings)
    return warnings


def unglue(text: str) -> tuple[str, list[int]]:
    """Return text with a space at each lower-to-upper join inside a word ("KoreaAndererseits")
    and every hyphen as a space, and the new offsets of the inserted spaces."""
    inserted: list[int] = []
    pieces, last = [], 0
    for m in WORD_RE.finditer(text):
        for join in case_joins(m.group()):
            at = m.start() + join
            pieces.append(text[last:at])
            inserted.append(at + len(inserted))
            last = at
    pieces.append(text[last:])
    return " ".join(pieces).replace("-", " ").replace("\u2010", " ").replace("\u2011", " "), \
        inserted


def _hidden_forbidden(forbidden, target: str, target_lang: str,
                      found: list[TermWarning]) -> list[TermWarning]:
    """Return forbidden terms glued to the next word or joined by hyphens, which the word
    matcher cannot see ("Nord KoreaAndererseits", "Nord-Korea")."""
    if "-" not in target and "\u2010" not in target and "\u2011" not in target and not any(
            case_joins(w) for w in WORD_RE.findall(target)):
        return []
    text, inserted = unglue(target)
    taken = [w.span for w in found if w.span]
    out = []
    for match in forbidden.find(text):
        # Back to the target's offsets: every inserted space before an offset moved it by one.
        start = match.start - bisect_right(inserted, match.start - 1)
        end = match.end - bisect_right(inserted, match.end - 1)
        if any(a < end and start < b for a, b in taken):
            continue
        whole = next((m for m in WORD_RE.finditer(target) if m.start() <= end - 1 < m.end()), None)
        token = target[start:whole.end()] if whole else target[start:end]
        use = match.entry.preferred(target_lang)
        out.append(TermWarning(
            FORBIDDEN_TERM,
            _l("“%(term)s” is hidden in “%(token)s”, and it is a forbidden rendering of "
               "“%(key)s”; use “%(use)s”.", term=match.text, token=token,
               key=match.entry.key, use=use) if use else
            _l("“%(term)s” is hidden in “%(token)s”, and it is a forbidden rendering of "
               "“%(key)s”.", term=match.text, token=token, key=match.entry.key),
            match.entry.key, (start, end)))
        taken.append((start, end))
    return out
