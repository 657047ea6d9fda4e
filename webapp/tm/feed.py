"""The memory fed by approvals: mirror approved segments on every commit, prefill from 100 % matches."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import event, select
from sqlalchemy.orm import Session, sessionmaker

from webapp.core.changelog import log
from webapp.core.models import (
    Change,
    Document,
    DocumentFormat,
    MemoryUnit,
    Revision,
    Segment,
    SegmentUnit,
    utcnow,
)
from webapp.core.states import Action, State
from webapp.core.text import language_tag, primary_language
from webapp.interchange import codes as tags
from webapp.interchange.formats.inline import PLACEHOLDER_RE
from webapp.tm.store import MemoryCache, digest, lookup

# Where a session collects, between flushes, the segments whose change-log rows say they changed.
_FEED_KEY = "memory.segments"


def _feeds(doc: Document) -> bool:
    # A review document's source column is an MT back-translation until an original is
    # aligned: a memory must not learn machine output as a source.
    return doc.mode == "translate" or doc.source_kind == "original"


def feed_segments(db: Session, segment_ids: Iterable[int]) -> int:
    """Mirror approved segments into the memory and drop units of segments no longer approved."""
    ids = sorted(set(segment_ids))
    if not ids:
        return 0
    existing: dict[int, list[MemoryUnit]] = {}
    for unit in db.scalars(select(MemoryUnit).where(MemoryUnit.segment_id.in_(ids))):
        existing.setdefault(unit.segment_id, []).append(unit)
    segs = {s.id: s for s in db.scalars(select(Segment).where(Segment.id.in_(ids)))}
    changed = 0
    for seg_id in ids:
        seg = segs.get(seg_id)
        old = existing.get(seg_id, [])
        wanted = seg is not None and seg.state == State.APPROVED and bool(seg.target.strip()) \
            and bool(seg.source.strip()) and _feeds(seg.document)
        if not wanted:
            for unit in old:
                db.delete(unit)
                changed += 1
            continue
        source_tag, target_tag = _tags(db, seg.document)
        skey, tkey = primary_language(source_tag), primary_language(target_tag)
        fingerprint = digest(skey, tkey, seg.source, seg.target)
        if len(old) == 1 and old[0].digest == fingerprint:
            continue
        created = min((u.created_at for u in old), default=utcnow())
        for unit in old:
            db.delete(unit)
        db.add(MemoryUnit(
            source=seg.source, target=seg.target, source_lang=source_tag,
            target_lang=target_tag, source_key=skey, target_key=tkey,
            codes_json=seg.codes_json, origin=seg.document.name[:255],
            author=_author(db, seg), created_at=created, changed_at=utcnow(),
            document_id=seg.document_id, segment_id=seg.id, digest=fingerprint,
        ))
        changed += 1
    return changed


def _tags(db: Session, doc: Document) -> tuple[str, str]:
    fmt = db.get(DocumentFormat, doc.id)
    if fmt is not None:
        return fmt.source_tag, fmt.target_tag
    return language_tag(doc.source_lang), language_tag(doc.target_lang)


def _author(db: Session, seg: Segment) -> str:
    """Return who wrote the approved text: the newest revision's author, else the approver."""
    author = db.scalar(
        select(Revision.author).where(Revision.segment_id == seg.id)
        .order_by(Revision.version.desc()).limit(1)
    )
    return (author or seg.updated_by or "")[:80]


def prefill(db: Session, cache: MemoryCache, doc: Document, author: str = "TM") -> int:
    """Fill empty targets of a document from 100 % memory matches; return how many."""
    if not _feeds(doc):
        return 0
    source_tag, target_tag = _tags(db, doc)
    filled = 0
    locked = select(SegmentUnit.segment_id).where(SegmentUnit.translate.is_(False))
    segs = db.scalars(
        select(Segment).where(Segment.document_id == doc.id, Segment.state == int(State.NEW),
                              Segment.target == "", Segment.id.not_in(locked))
        .order_by(Segment.position)
    ).all()
    for seg in segs:
        if not seg.source.strip():
            continue
        found = lookup(db, cache, seg.source, source_tag, target_tag, threshold=1.0, limit=1)
        if not found or found[0].score < 100:
            continue
        unit = found[0].unit
        text = unit.target
        if PLACEHOLDER_RE.search(text) or PLACEHOLDER_RE.search(seg.source):
            text = tags.carry_over(text, unit.source, tags.of(unit), seg.source, tags.of(seg))
        seg.target = text
        # A 100 % match was approved once in the very same words: translated, for review.
        seg.state = int(State.TRANSLATED)
        seg.version += 1
        seg.updated_by, seg.updated_at = author, utcnow()
        db.add(Revision(segment=seg, version=seg.version, replaced_version=seg.version - 1,
                        text=text, state=seg.state, kind="tm", author=author))
        filled += 1
    if filled:
        log(db, Action.EDIT, author, doc.id, segments=filled, source="tm")
    db.commit()
    return filled


def watch_approvals(factory: sessionmaker[Session], saved_key: str) -> None:
    """Mirror approved segments into the memory in the same transaction that changed them."""
    # Every change to a segment's text or state writes a change-log row, so those rows
    # say which segments to look at; the look happens just before the commit. Saves record
    # {segment id: states} under session.info[saved_key]; the key is handed in because the
    # save path (webapp.segments) reaches this module through interchange's XLIFF import.

    @event.listens_for(factory, "after_flush")
    def _collect(session: Session, _context) -> None:
        for obj in session.new:
            if isinstance(obj, Change) and obj.segment_id is not None:
                session.info.setdefault(_FEED_KEY, set()).add(obj.segment_id)

    @event.listens_for(factory, "before_commit")
    def _feed(session: Session) -> None:
        session.flush()  # before_commit runs before the commit's own flush
        ids = session.info.pop(_FEED_KEY, set())
        # A save (written without the ORM) matters only if the segment is or was approved:
        # only approved segments have units, so the memory need not look at the others.
        for seg_id, states in session.info.get(saved_key, {}).items():
            if State.APPROVED in states:
                ids.add(seg_id)
        if ids:
            feed_segments(session, ids)

    @event.listens_for(factory, "after_soft_rollback")
    def _forget(session: Session, _previous) -> None:
        session.info.pop(_FEED_KEY, None)
