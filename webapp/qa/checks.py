"""Segment QA: glossary and text checks, cached by content, and dismissals with a reason."""

from __future__ import annotations

import hashlib
import re
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from webapp.core.changelog import log
from webapp.core.messages import N_, Message, _l
from webapp.core.models import MAX_ID, Change, Document, QaDismissal, Segment
from webapp.core.states import Action
from webapp.core.text import primary_language
from webapp.documents import originals
from webapp.glossary.checks import DNT_CHANGED, FORBIDDEN_TERM, MISSING_TERM, check_segment
from webapp.glossary.entries import Glossary
from webapp.qa import slips

NUMBERS = "numbers"
END_PUNCTUATION = "end_punctuation"
DOUBLE_SPACE = "double_space"
UNTRANSLATED = "untranslated"
CODES = (MISSING_TERM, FORBIDDEN_TERM, DNT_CHANGED, NUMBERS, END_PUNCTUATION,
         DOUBLE_SPACE, UNTRANSLATED, *slips.CODES)
LABELS = {
    MISSING_TERM: N_("missing term"), FORBIDDEN_TERM: N_("forbidden term"),
    DNT_CHANGED: N_("do-not-translate changed"), NUMBERS: N_("numbers"),
    DOUBLE_SPACE: N_("double space"), END_PUNCTUATION: N_("end punctuation"),
    UNTRANSLATED: N_("untranslated"), **slips.LABELS,
    # The interchange feature's tag checks (a provider: see interchange.codes.code_warnings).
    "tag_lost": N_("tag lost"), "tag_duplicated": N_("tag duplicated"),
    "tag_misordered": N_("tag misordered"), "tag_unknown": N_("tag unknown"),
}
# Bump when a check changes, so results cached under the old rules are not reused.
# 3: messages are kept as Messages (msgid and parameters), not as English text.
RULES = "3"
MAX_REASON = 1000

# A provider is what another feature registers: segment -> [{"code", "message"[, "key"]}].
# It reads the segment's columns (source, target, codes_json, …): the document-wide filter
# hands it a plain row with those columns, not an ORM object with relationships.
Provider = Callable[[Segment], Iterable[dict]]


class QaError(ValueError):
    """A dismissal that cannot be stored as asked, said for a person."""

    error_code = "qa_refused"


def english(text: str) -> str:
    """Return a message's English (the API's language), whether a Message or plain text."""
    return text.english if isinstance(text, Message) else str.__str__(text)


@dataclass(frozen=True)
class QaWarning:
    """One finding on one segment; (code, key) tells it apart from the segment's others.

    `message` is a Message: it keeps its msgid and parameters, so a warning kept in the QA
    memo reads in the language of whoever shows it (German in a German page, English in the
    API). Rendering it to plain text before it is kept would freeze one language.
    """

    code: str
    message: str
    key: str = ""
    span: tuple[int, int] | None = None
    source_span: tuple[int, int] | None = None

    @property
    def ident(self) -> tuple[str, str]:
        """Return what a dismissal refers to."""
        return (self.code, self.key)

    @property
    def label(self) -> str:
        """Return the code as a person reads it."""
        if self.code in LABELS:
            return _l(LABELS[self.code])
        return self.code.replace("_", " ")

    def to_dict(self) -> dict:
        """Return the JSON API representation (its message in English, whatever the page's)."""
        return {"code": self.code, "message": english(self.message), "key": self.key,
                "span": list(self.span) if self.span else None,
                "source_span": list(self.source_span) if self.source_span else None}


# ---------------------------------------------------------------------------
# Text checks (no glossary)
# ---------------------------------------------------------------------------

# Digits with group or decimal separators: "1.000,5", "1,000.5", "3.5", "12 500".
_NUMBER = re.compile(r"\d+(?:[.,\u00a0\u202f]\d+)*")
_CLOSERS = "\"'“”„‚‘’»«›‹)]}*_ \u00a0"
_ENDS = {".": ".", "?": "?", "!": "!", ":": ":", ";": ";", "…": "…"}
_LETTER = re.compile(r"[^\W\d_]{2,}")


def _numbers(text: str) -> Counter:
    # Separators differ between German and English (1.000,5 / 1,000.5), so compare digits only.
    return Counter(re.sub(r"\D", "", m) for m in _NUMBER.findall(text))


def _listing(numbers: Iterable[str], most: int = 10) -> str:
    """Name the first numbers and count the rest: a message (kept in the QA memo and shown
    in the panel) listing 10,000 numbers of a 20,000-character segment took 50 KB."""
    shown = sorted(numbers)
    if len(shown) > most:
        return _l("%(numbers)s and %(more)s more", numbers=", ".join(shown[:most]),
                  more=len(shown) - most)
    return ", ".join(shown) or _l("none")


def _end_mark(text: str) -> str:
    stripped = text.rstrip(_CLOSERS)
    if stripped.endswith("..."):
        return "…"
    return _ENDS.get(stripped[-1:], "") if stripped else ""


def text_checks(source: str, target: str, *, compare: bool = True) -> list[QaWarning]:
    """Return numbers, end_punctuation, double_space and untranslated warnings for one pair."""
    found: list[QaWarning] = []
    if not target.strip():
        return found
    if compare and source.strip():
        a, b = _numbers(source), _numbers(target)
        if a != b:
            missing, extra = _listing((a - b).elements()), _listing((b - a).elements())
            found.append(QaWarning(NUMBERS, _l(
                "The numbers differ: the target lacks %(missing)s and adds %(extra)s.",
                missing=missing, extra=extra)))
        s_end, t_end = _end_mark(source), _end_mark(target)
        if s_end != t_end:
            def say(mark: str) -> str:
                return _l("“%(mark)s”", mark=mark) if mark else _l("no punctuation")
            found.append(QaWarning(END_PUNCTUATION, _l(
                "The source ends with %(source)s, the target with %(target)s.",
                source=say(s_end), target=say(t_end))))
        if source.strip() == target.strip() and _LETTER.search(target):
            found.append(QaWarning(UNTRANSLATED, _l("The target is the same as the source.")))
    at = target.find("  ")
    if at >= 0:
        found.append(QaWarning(DOUBLE_SPACE, _l("The target has two spaces in a row."),
                               span=(at, at + 2)))
    return found


# ---------------------------------------------------------------------------
# All checks of one segment, cached by content
# ---------------------------------------------------------------------------

_MEMO: dict[bytes, tuple[QaWarning, ...]] = {}
_MEMO_LIMIT = 200_000
_memo_lock = threading.Lock()


def _memo_key(*parts: str) -> bytes:
    return hashlib.blake2b("\x1f".join(parts).encode("utf-8", "surrogatepass"),
                           digest_size=16).digest()


def compares_source(doc: Document) -> bool:
    """Tell whether the source column is the original, so checks against it mean something.

    A back-translation is the engine's reading of the MT draft, not of today's target, so
    missing terms, numbers and punctuation measured against it would be noise.
    """
    return doc.source_kind == "original"


def content_checks(
    glossary: Glossary, source: str, target: str, source_lang: str, target_lang: str,
    compare: bool = True,
) -> tuple[QaWarning, ...]:
    """Return the glossary and text warnings of a source/target pair, cached by content."""
    key = _memo_key(RULES, glossary.version, source_lang, target_lang, "c" if compare else "",
                    source, target)
    found = _MEMO.get(key)
    if found is None:
        terms = check_segment(glossary, source if compare else "", target, source_lang,
                              target_lang)
        found = tuple(
            QaWarning(w.code, w.message, w.entry_key, w.span, w.source_span) for w in terms
        ) + tuple(text_checks(source, target, compare=compare))
        with _memo_lock:
            if len(_MEMO) >= _MEMO_LIMIT:
                _MEMO.clear()
            _MEMO[key] = found
    return found


def provider_warnings(seg: Segment, providers: Sequence[Provider]) -> list[QaWarning]:
    """Return what other features' checks say about a segment."""
    found = []
    for provider in providers:
        for item in provider(seg) or ():
            # A Message stays one (str() would freeze it in this request's language).
            message = item["message"]
            found.append(QaWarning(str(item["code"]),
                                   message if isinstance(message, Message) else str(message),
                                   str(item.get("key", ""))))
    return found


def slip_warnings(target: str, context: slips.DocContext, position: int) -> list[QaWarning]:
    """Return the checks of the target alone (spelling, glued words, leftovers, …)."""
    return [QaWarning(code, message, key, span)
            for code, message, key, span in slips.findings(target, context, position)]


_CONTEXTS: dict[int, tuple[tuple, slips.DocContext]] = {}


def document_context(db: Session, doc: Document, glossary: Glossary,
                     words: frozenset[str] = frozenset()) -> slips.DocContext:
    """Return what the checks of the target alone know of a document, rebuilt after a change."""
    key = _context_key(db, doc, glossary, words, fingerprint(db, doc))
    hit = _CONTEXTS.get(doc.id)
    if hit is not None and hit[0] == key:
        return hit[1]
    targets = db.execute(select(Segment.position, Segment.target)
                         .where(Segment.document_id == doc.id).order_by(Segment.position))
    context = _context(doc, glossary, words, targets)
    _keep_context(doc, key, context)
    return context


def _context_key(db: Session, doc: Document, glossary: Glossary, words: frozenset[str],
                 print_: tuple) -> tuple:
    # The database is part of the key: one process may serve (or test) several.
    return (RULES, str(db.get_bind().url), print_, words, glossary.version)


def _keep_context(doc: Document, key: tuple, context: slips.DocContext) -> None:
    with _memo_lock:
        if len(_CONTEXTS) >= 100:
            _CONTEXTS.clear()
        _CONTEXTS[doc.id] = (key, context)


def _context(doc: Document, glossary: Glossary, words: frozenset[str],
             targets: Iterable[tuple[int, str]]) -> slips.DocContext:
    return slips.build_context(primary_language(doc.target_lang), targets,
                               slips.glossary_words(glossary) | words)


# The checks that hold a target against its English. Where one English sentence is shared
# by two German segments (a 2:1 alignment), the pair's targets together answer them: the
# names and numbers the first segment "misses" are in the second.
COMPARING = frozenset({NUMBERS, END_PUNCTUATION, UNTRANSLATED, MISSING_TERM, DNT_CHANGED})


def shared_targets(db: Session, doc: Document) -> dict[int, str]:
    """Return, for each segment whose English the next segments share, the group's targets."""
    if doc.source_kind != "original":
        return {}
    shared = originals.shared_with(originals.get_proposal(db, doc))
    if not shared:
        return {}
    groups: dict[int, list[str]] = {}
    for seg_id, target in db.execute(
            select(Segment.id, Segment.target)
            .where(Segment.id.in_(set(shared) | set(shared.values())))
            .order_by(Segment.position)):
        groups.setdefault(shared.get(seg_id, seg_id), []).append(target)
    return {lead: " ".join(t for t in parts if t) for lead, parts in groups.items()
            if len(parts) > 1}


def answered_by_group(found: Sequence[QaWarning], glossary: Glossary, source: str,
                      joined: str | None, doc: Document) -> tuple[QaWarning, ...]:
    """Drop the comparing warnings that the joined targets of a shared English answer."""
    if joined is None:
        return tuple(found)
    still = {w.ident for w in content_checks(glossary, source, joined, doc.source_lang,
                                             doc.target_lang, compares_source(doc))}
    return tuple(w for w in found if w.code not in COMPARING or w.ident in still)


def segment_warnings(
    glossary: Glossary, seg: Segment, doc: Document, providers: Sequence[Provider] = (),
    context: slips.DocContext | None = None, joined: str | None = None,
) -> list[QaWarning]:
    """Return every warning of a segment: glossary, text checks, the checks of the target
    alone (given the document's context), then the providers'."""
    found = list(answered_by_group(
        content_checks(glossary, seg.source, seg.target, doc.source_lang, doc.target_lang,
                       compares_source(doc)), glossary, seg.source, joined, doc))
    if context is not None:
        found += slip_warnings(seg.target, context, seg.position)
    if providers:
        found += provider_warnings(seg, providers)
    return found


# ---------------------------------------------------------------------------
# Dismissals
# ---------------------------------------------------------------------------


def digest(source: str, target: str) -> str:
    """Return the fingerprint of a segment's texts that a dismissal is valid for."""
    return _memo_key(source, target).hex()


@dataclass
class Review:
    """A segment's warnings split into those still open and those dismissed for its text."""

    open: list[QaWarning]
    dismissed: list[tuple[QaWarning, QaDismissal]]


def split_dismissed(
    warnings: Sequence[QaWarning], dismissals: Iterable[QaDismissal], text_digest: str,
) -> Review:
    """Sort warnings into open and dismissed; a dismissal of another text does not count."""
    valid = {(d.code, d.key): d for d in dismissals if d.digest == text_digest}
    review = Review([], [])
    for w in warnings:
        hit = valid.get(w.ident)
        if hit is None:
            review.open.append(w)
        else:
            review.dismissed.append((w, hit))
    return review


def dismissals_for(db: Session, segment_ids: Iterable[int]) -> dict[int, list[QaDismissal]]:
    """Return each segment's dismissals, oldest first."""
    ids = list(segment_ids)
    out: dict[int, list[QaDismissal]] = {i: [] for i in ids}
    for start in range(0, len(ids), 500):
        for row in db.scalars(select(QaDismissal).where(
                QaDismissal.segment_id.in_(ids[start:start + 500])).order_by(QaDismissal.id)):
            out[row.segment_id].append(row)
    return out


def dismiss(db: Session, seg: Segment, warning: QaWarning, reason: str, author: str) -> QaDismissal:
    """Record that a warning is fine for the segment's current text, and why."""
    reason = (reason or "").strip()
    if not reason:
        raise QaError(_l("Say why the warning does not apply: the reviewer reads the reason."))
    if len(reason) > MAX_REASON:
        raise QaError(_l("A reason holds at most %(most)s characters.", most=MAX_REASON))
    row = QaDismissal(segment_id=seg.id, code=warning.code, key=warning.key[:255],
                      digest=digest(seg.source, seg.target), reason=reason, author=author)
    db.add(row)
    log(db, Action.QA_DISMISS, author, seg.document_id, seg.id, code=warning.code,
        key=warning.key, reason=reason, version=seg.version)
    db.commit()
    return row


def reopen(db: Session, seg: Segment, dismissal_id: int, author: str) -> QaDismissal:
    """Take back a dismissal of one of the segment's warnings, so it shows as open again."""
    # An id beyond the integer column is no dismissal (PostgreSQL would refuse the query).
    row = db.get(QaDismissal, dismissal_id) if 0 < dismissal_id <= MAX_ID else None
    if row is None or row.segment_id != seg.id:
        raise QaError(_l("That dismissal is not on this segment (any more)."))
    db.delete(row)
    log(db, Action.QA_REOPEN, author, seg.document_id, seg.id, code=row.code, key=row.key,
        dismissed_by=row.author, reason=row.reason, version=seg.version)
    db.commit()
    return row


def fingerprint(db: Session, doc: Document) -> tuple:
    """Return what changes whenever any text, state or dismissal of the document does."""
    # Every save bumps a segment's version; every other change of text (MT, back-translation,
    # aligned original, split, merge, dismissal) writes a change-log row for the document.
    count, versions, latest = db.execute(
        select(func.count(), func.coalesce(func.sum(Segment.version), 0),
               func.max(Segment.updated_at)).where(Segment.document_id == doc.id)
    ).one()
    change = db.scalar(select(func.max(Change.id)).where(Change.document_id == doc.id))
    return (count, versions, latest, change, doc.source_kind, doc.source_lang, doc.target_lang)


def open_segment_ids(
    db: Session, doc: Document, glossary: Glossary, providers: Sequence[Provider] = (),
    cache: dict | None = None, words: frozenset[str] = frozenset(),
) -> list[int]:
    """Return the ids of a document's segments that have a warning nobody dismissed.

    With a cache (a dict the caller keeps), a document whose texts, dismissals and glossary
    have not changed since the last call costs two small aggregate queries, not a recheck;
    after a save, only the segments whose columns changed are checked again.
    """
    if cache is None:
        return _open_segment_ids(db, doc, glossary, providers, {}, words)
    rules = (RULES, glossary.version, tuple(map(id, providers)), doc.source_kind,
             doc.source_lang, doc.target_lang)
    print_ = fingerprint(db, doc)
    key = (rules, print_, words)
    hit = cache.get(doc.id)
    if hit is not None and hit[0] == key:
        return hit[1]
    # Findings per segment stay good for as long as its columns and the rules do.
    checked = hit[2] if hit is not None and hit[0][0] == rules else {}
    ids = _open_segment_ids(db, doc, glossary, providers, checked, words,
                            _context_key(db, doc, glossary, words, print_))
    if len(cache) >= 1000:
        cache.clear()
    cache[doc.id] = (key, ids, checked)
    return ids


def _open_segment_ids(
    db: Session, doc: Document, glossary: Glossary, providers: Sequence[Provider],
    checked: dict[int, tuple[tuple, tuple]], words: frozenset[str] = frozenset(),
    context_key: tuple | None = None,
) -> list[int]:
    """Check the segments whose columns differ from `checked` (updated in place); list ids."""
    dismissed: dict[int, set[tuple[str, str, str]]] = {}
    for seg_id, code, key, text_digest in db.execute(
        select(QaDismissal.segment_id, QaDismissal.code, QaDismissal.key, QaDismissal.digest)
        .join(Segment, Segment.id == QaDismissal.segment_id)
        .where(Segment.document_id == doc.id)
    ):
        dismissed.setdefault(seg_id, set()).add((code, key, text_digest))
    compare = compares_source(doc)
    if providers:
        # Providers read a segment's columns; plain rows carry them all at a fraction of the
        # cost of 10,000 ORM objects (no relationships, though).
        rows = [(r.id, r.source, r.target, r.position, r) for r in db.execute(
            select(Segment.__table__).where(Segment.document_id == doc.id)
            .order_by(Segment.position))]
    else:
        rows = [(i, s, t, p, None) for i, s, t, p in db.execute(
            select(Segment.id, Segment.source, Segment.target, Segment.position)
            .where(Segment.document_id == doc.id).order_by(Segment.position))]
    # The checks of the target alone see the whole document (names, repeats, quotations
    # that run on into the next segment): its context comes from the rows at hand.
    context = _context(doc, glossary, words, ((p, t) for _, _, t, p, _ in rows))
    if context_key is not None:  # the panels of the listed rows need the same context
        _keep_context(doc, context_key, context)
    groups = shared_targets(db, doc)
    ids, seen = [], set()
    for seg_id, source, target, position, row in rows:
        seen.add(seg_id)
        columns = tuple(row) if row is not None else (source, target)
        known = checked.get(seg_id)
        if known is not None and known[0] == columns:
            found = known[1]
        else:
            found = content_checks(glossary, source, target, doc.source_lang,
                                   doc.target_lang, compare)
            if row is not None:
                found = found + tuple(provider_warnings(row, providers))
            checked[seg_id] = (columns, found)
        found = answered_by_group(found, glossary, source, groups.get(seg_id), doc)
        found = found + tuple(slip_warnings(target, context, position))
        if not found:
            continue
        gone = dismissed.get(seg_id)
        if gone:
            text_digest = digest(source, target)
            if all((w.code, w.key, text_digest) in gone for w in found):
                continue
        ids.append(seg_id)
    for seg_id in checked.keys() - seen:  # split, merged or deleted since
        del checked[seg_id]
    return ids
