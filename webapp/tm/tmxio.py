"""The memory in and out of TMX files: stream an import in batches, export one language pair."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import BinaryIO

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from webapp.core.messages import _l
from webapp.core.models import MemoryUnit, utcnow
from webapp.core.text import language_tag, primary_language
from webapp.interchange import codes as tags
from webapp.interchange.formats import tmx
from webapp.tm.store import digest

BATCH = 1000


def _naive(value: datetime | None) -> datetime:
    if value is None:
        return utcnow()
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value


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

    error_code = "export_refused"


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
        raise ExportError(_l(
            "The memory holds several source languages (%(languages)s); choose one with"
            " source_lang.", languages=", ".join(keys)))
    header = source_lang or (tags_found[0] if tags_found else "en")
    return tmx.write_tmx(iter_units(db, skey or (keys[0] if keys else None), tkey),
                         language_tag(header))
