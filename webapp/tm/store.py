"""The translation memory table: fed by approvals and TMX, searched through cached fuzzy indexes.

Every approved segment is mirrored by one ``MemoryUnit`` (``feed_segments``, called for
each commit that touched segments); when the segment changes or loses its approval, its
unit is replaced or removed. Units are never updated in place, only added and deleted, so a
per-pair ``FuzzyIndex`` can follow the table by its highest id: ``MemoryCache`` adds the
rows above the id it has seen, and rebuilds from the table when deletions have left too
many stale entries (hits are always re-read from the table, so a stale entry is never
shown). Several processes (gunicorn workers, queue workers) each keep their own cache and
all of them stay right, at the cost of one index seek per lookup (and a count now and
then). A pair too big to index within a request is indexed on a thread. No Flask.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import BinaryIO

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, sessionmaker

from webapp.core.changelog import log
from webapp.core.models import Document, DocumentFormat, MemoryUnit, Revision, Segment, SegmentUnit, utcnow
from webapp.core.states import Action, State
from webapp.core.text import language_tag, primary_language
from webapp.interchange import codes as tags
from webapp.interchange.formats import tmx
from webapp.interchange.formats.inline import PLACEHOLDER_RE
from webapp.tm.fuzzy import FuzzyIndex, Hit, Match

BATCH = 1000
logger = logging.getLogger(__name__)


def digest(source_key: str, target_key: str, source: str, target: str) -> str:
    """Return the fingerprint two identical units share."""
    raw = "\x1f".join((source_key, target_key, source, target)).encode("utf-8")
    return hashlib.sha1(raw).hexdigest()


def _naive(value: datetime | None) -> datetime:
    if value is None:
        return utcnow()
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value


# --- The in-process cache of fuzzy indexes ---------------------------------------------


@dataclass
class _PairIndex:
    index: FuzzyIndex | None = None  # None until first built
    max_id: int = 0
    counted_at: float = float("-inf")
    building: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)


class MemoryCache:
    """One FuzzyIndex per language pair, kept in step with the tm_unit table."""

    # An index whose entries outnumber the table's rows by this share is rebuilt.
    STALE_SHARE = 0.2
    # Deletions are rare and their entries are filtered out anyway, so rows are counted
    # (a scan) at most this often; the highest id (an index seek) is read on every lookup.
    COUNT_EVERY = 30.0

    def __init__(self, factory: sessionmaker[Session] | None = None,
                 inline_rows: int = 20_000) -> None:
        # A pair bigger than `inline_rows` is indexed on a thread with its own session
        # (100,000 units take seconds), so no request waits for it; until then it offers
        # no matches. Without a factory every build happens in the caller.
        self.factory = factory
        self.inline_rows = inline_rows
        self._pairs: dict[tuple[str, str], _PairIndex] = {}
        self._lock = threading.Lock()

    def clear(self) -> None:
        """Forget every index (they rebuild on the next lookup)."""
        with self._lock:
            self._pairs.clear()

    def ready(self, source_key: str, target_key: str) -> bool:
        """Tell whether the pair's index has been built (it may still lag a little)."""
        entry = self._pairs.get((source_key, target_key))
        return entry is not None and entry.index is not None

    def index(
        self, db: Session, source_key: str, target_key: str, *, wait: bool = False
    ) -> _PairIndex | None:
        """Return the pair's index brought up to date, or None while a big one is being built."""
        key = (source_key, target_key)
        pair = MemoryUnit.source_key == source_key, MemoryUnit.target_key == target_key
        max_id = db.scalar(select(func.coalesce(func.max(MemoryUnit.id), 0)).where(*pair))
        with self._lock:
            entry = self._pairs.get(key)
            if entry is None:
                entry = self._pairs[key] = _PairIndex()
        with entry.lock:
            now = time.monotonic()
            rebuild = entry.index is None
            if rebuild or max_id != entry.max_id or now - entry.counted_at > self.COUNT_EVERY:
                count = db.scalar(select(func.count()).select_from(MemoryUnit).where(*pair))
                entry.counted_at = now
                if entry.index is not None:
                    stale = len(entry.index) - count
                    rebuild = stale > max(50, self.STALE_SHARE * count) or max_id < entry.max_id
                if rebuild:
                    if entry.building:
                        return entry if entry.index is not None else None
                    if count > self.inline_rows and not wait and self.factory is not None:
                        # The old index (if any) goes on serving; its stale hits are dropped.
                        entry.building = True
                        threading.Thread(target=self._build, args=(entry, source_key, target_key),
                                         name="webapp-tm-index", daemon=True).start()
                        return entry if entry.index is not None else None
                    entry.index, entry.max_id = FuzzyIndex(), 0
            if max_id > entry.max_id:
                entry.max_id = _load(db, entry.index, pair, entry.max_id)
        return entry

    def _build(self, entry: _PairIndex, source_key: str, target_key: str) -> None:
        """Build a pair's index on this thread and put it in place."""
        pair = MemoryUnit.source_key == source_key, MemoryUnit.target_key == target_key
        try:
            with self.factory() as db:
                index = FuzzyIndex()
                last = _load(db, index, pair, 0)
            with entry.lock:
                entry.index, entry.max_id, entry.counted_at = index, last, time.monotonic()
        except Exception:  # noqa: BLE001 - a failed build is retried by the next lookup
            logger.exception("indexing the %s→%s memory failed", source_key, target_key)
        finally:
            with entry.lock:
                entry.building = False


def _load(db: Session, index: FuzzyIndex, pair: tuple, after: int) -> int:
    """Add the pair's rows with an id above `after` to the index; return the highest id."""
    last = after
    rows = db.execute(
        select(MemoryUnit.id, MemoryUnit.source, MemoryUnit.target)
        .where(*pair, MemoryUnit.id > after).order_by(MemoryUnit.id)
        .execution_options(yield_per=5000)
    )
    for unit_id, source, target in rows:
        index.add(source, target, unit_id)
        last = unit_id
    return last


# --- Lookup and concordance ------------------------------------------------------------


@dataclass
class MemoryMatch:
    """A fuzzy match with the unit it came from."""

    score: int
    unit: MemoryUnit
    # Word diff of the unit's source against the query (see webapp.tm.Match.diff).
    diff: list[tuple[str, str]]


def _units(db: Session, ids: Iterable[int]) -> dict[int, MemoryUnit]:
    ids = list(ids)
    if not ids:
        return {}
    return {u.id: u for u in db.scalars(select(MemoryUnit).where(MemoryUnit.id.in_(ids)))}


def _region_ok(unit: MemoryUnit, source_lang: str, target_lang: str) -> bool:
    return tmx.lang_matches(unit.source_lang, source_lang) and tmx.lang_matches(
        unit.target_lang, target_lang
    )


def lookup(
    db: Session, cache: MemoryCache, text: str, source_lang: str, target_lang: str,
    threshold: float = 0.70, limit: int = 3,
) -> list[MemoryMatch]:
    """Return up to `limit` matches for text at or above threshold (0..1), best first."""
    if not text.strip() or limit <= 0:
        return []
    entry = cache.index(db, primary_language(source_lang), primary_language(target_lang))
    if entry is None:
        return []
    with entry.lock:
        # Extra candidates make up for stale entries and for units of another region.
        found: list[Match] = entry.index.lookup(text, threshold, limit * 3 + 5)
    units = _units(db, (m.origin for m in found))
    out = []
    for match in found:
        unit = units.get(match.origin)
        if unit is None or not _region_ok(unit, source_lang, target_lang):
            continue
        out.append(MemoryMatch(match.score, unit, match.diff))
        if len(out) == limit:
            break
    return out


@dataclass
class ConcordanceHit:
    """A unit containing the searched text, with where it is on the searched side."""

    unit: MemoryUnit
    start: int
    end: int


def concordance(
    db: Session, cache: MemoryCache, query: str, source_lang: str, target_lang: str,
    side: str = "source", limit: int = 50,
) -> list[ConcordanceHit]:
    """Return units whose source (or target) contains query, ignoring case."""
    entry = cache.index(db, primary_language(source_lang), primary_language(target_lang))
    if entry is None:
        return []
    with entry.lock:
        hits: list[Hit] = entry.index.concordance(query, side, limit * 2)
    units = _units(db, (h.origin for h in hits))
    out = []
    for hit in hits:
        unit = units.get(hit.origin)
        if unit is not None:
            out.append(ConcordanceHit(unit, hit.start, hit.end))
        if len(out) == limit:
            break
    return out


@dataclass
class Pair:
    """A language pair of the memory and how many units it holds."""

    source_key: str
    target_key: str
    units: int
    source_tags: list[str]
    target_tags: list[str]


def pairs(db: Session) -> list[Pair]:
    """Return the memory's language pairs, the biggest first."""
    out: dict[tuple[str, str], Pair] = {}
    rows = db.execute(
        select(MemoryUnit.source_key, MemoryUnit.target_key, MemoryUnit.source_lang,
               MemoryUnit.target_lang, func.count())
        .group_by(MemoryUnit.source_key, MemoryUnit.target_key, MemoryUnit.source_lang,
                  MemoryUnit.target_lang)
    )
    for skey, tkey, stag, ttag, n in rows:
        pair = out.setdefault((skey, tkey), Pair(skey, tkey, 0, [], []))
        pair.units += n
        if stag not in pair.source_tags:
            pair.source_tags.append(stag)
        if ttag not in pair.target_tags:
            pair.target_tags.append(ttag)
    return sorted(out.values(), key=lambda p: (-p.units, p.source_key, p.target_key))


# --- Fed by approvals ------------------------------------------------------------------


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


# --- TMX in and out --------------------------------------------------------------------


@dataclass
class ImportResult:
    """What a TMX import added and skipped."""

    added: int = 0
    duplicates: int = 0
    pairs: set[tuple[str, str]] = field(default_factory=set)


def _row(unit: tmx.TranslationUnit, origin: str, job_id: int | None) -> dict:
    skey, tkey = primary_language(unit.source_lang), primary_language(unit.target_lang)
    # Our own exports carry each unit's origin as a prop; other tools' files are their origin.
    own = next((value for name, value in unit.props if name == "x-origin" and value), None)
    created = _naive(unit.creation_date)
    return dict(
        source=unit.source, target=unit.target, source_lang=unit.source_lang,
        target_lang=unit.target_lang, source_key=skey, target_key=tkey,
        codes_json=tags.dumps(unit.codes), origin=(own or origin)[:255],
        author=(unit.change_id or unit.creation_id or "")[:80], created_at=created,
        changed_at=_naive(unit.change_date) if unit.change_date else created,
        document_id=None, segment_id=None, import_job_id=job_id,
        digest=digest(skey, tkey, unit.source, unit.target),
    )


def import_tmx(
    db: Session, fileobj: BinaryIO, origin: str, *, job_id: int | None = None,
    source_lang: str | None = None, target_lang: str | None = None,
    on_batch: Callable[[int, int | None, ImportResult], None] | None = None,
) -> ImportResult:
    """Stream a TMX file into the memory, committing batch by batch; a refused file adds nothing."""
    # `on_batch(bytes_read, total_bytes, result)` runs before each commit, so a job can
    # record its progress in the same transaction. Units already in the memory (same pair,
    # source and target) are skipped. On a FormatError the units this import added are
    # deleted again before the error is raised.
    result = ImportResult()
    seen: set[str] = set()
    read = [0, None]

    def progress(done: int, total: int | None) -> None:
        read[0], read[1] = done, total

    def store(batch: list[dict]) -> None:
        fresh = [r for r in batch if r["digest"] not in seen]
        known = set(db.scalars(select(MemoryUnit.digest).where(
            MemoryUnit.digest.in_({r["digest"] for r in fresh}))))
        rows = []
        for row in fresh:
            if row["digest"] in known or row["digest"] in seen:
                continue
            seen.add(row["digest"])
            rows.append(row)
        result.duplicates += len(batch) - len(rows)
        if rows:
            db.execute(MemoryUnit.__table__.insert(), rows)
            result.added += len(rows)
            result.pairs.update((r["source_key"], r["target_key"]) for r in rows)
        if on_batch is not None:
            on_batch(read[0], read[1], result)
        db.commit()

    batch: list[dict] = []
    try:
        for unit in tmx.iter_tmx(fileobj, progress, source_lang=source_lang,
                                 target_lang=target_lang):
            if not unit.source.strip() or not unit.target.strip():
                continue
            batch.append(_row(unit, origin, job_id))
            if len(batch) >= BATCH:
                store(batch)
                batch = []
        store(batch)
    except Exception:
        db.rollback()
        if job_id is not None:
            db.execute(delete(MemoryUnit).where(MemoryUnit.import_job_id == job_id))
            db.commit()
        raise
    return result


def iter_units(
    db: Session, source_key: str | None = None, target_key: str | None = None
) -> Iterator[tmx.TranslationUnit]:
    """Yield the memory's units (of one pair, or one source language) as TMX units."""
    stmt = select(MemoryUnit).order_by(MemoryUnit.id).execution_options(yield_per=2000)
    if source_key:
        stmt = stmt.where(MemoryUnit.source_key == source_key)
    if target_key:
        stmt = stmt.where(MemoryUnit.target_key == target_key)
    for unit in db.scalars(stmt):
        props = [("x-origin", unit.origin)] if unit.origin else []
        yield tmx.TranslationUnit(
            source_lang=unit.source_lang, target_lang=unit.target_lang, source=unit.source,
            target=unit.target, props=props, creation_date=unit.created_at.replace(tzinfo=UTC),
            creation_id=unit.author or None, change_date=unit.changed_at.replace(tzinfo=UTC),
            change_id=unit.author or None, codes=list(tags.of(unit)),
        )


class ExportError(ValueError):
    """A memory export that cannot be written as asked, said for a person."""


def export_tmx(db: Session, source_lang: str | None = None, target_lang: str | None = None) -> bytes:
    """Return the memory (or one pair of it) as TMX 1.4b."""
    skey = primary_language(source_lang) if source_lang else None
    tkey = primary_language(target_lang) if target_lang else None
    stmt = select(MemoryUnit.source_lang).distinct()
    if skey:
        stmt = stmt.where(MemoryUnit.source_key == skey)
    if tkey:
        stmt = stmt.where(MemoryUnit.target_key == tkey)
    tags_found = sorted(db.scalars(stmt))
    keys = sorted({primary_language(t) for t in tags_found})
    if len(keys) > 1:
        # A TMX header names one source language; our reader takes it to find each source.
        raise ExportError(
            f"The memory holds several source languages ({', '.join(keys)}); "
            "choose one with source_lang."
        )
    header = source_lang or (tags_found[0] if tags_found else "en")
    return tmx.write_tmx(iter_units(db, skey or (keys[0] if keys else None), tkey),
                         language_tag(header))


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
