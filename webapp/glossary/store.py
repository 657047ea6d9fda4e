"""The glossary in the database: entry rows, a revision counter, and each process's cached copy."""

from __future__ import annotations

import json
import secrets
import threading
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from webapp.core.changelog import log
from webapp.core.models import GlossaryEntry, GlossaryImport, GlossaryMeta, utcnow
from webapp.core.states import Action
from webapp.glossary import domain as gl

META_ID = 1
# Used when there is no glossary file to take the languages from.
DEFAULT_LANGUAGES = ("de", "en")
MAX_KEY = 255
# A previewed import nobody applied is forgotten after this long.
IMPORT_TTL = timedelta(days=1)


@dataclass(frozen=True)
class Snapshot:
    """The glossary at one revision, with the row id of each entry."""

    revision: int
    glossary: gl.Glossary
    # Case-folded entry key -> glossary_entry.id
    ids: dict[str, int] = field(default_factory=dict)

    @property
    def languages(self) -> tuple[str, ...]:
        """Return the languages this workbench's glossary has columns for."""
        return self.glossary.languages

    def entry_id(self, key: str) -> int | None:
        """Return the row id of the entry with this key."""
        return self.ids.get(key.casefold())


def entry_from_row(row: GlossaryEntry) -> gl.Entry:
    """Return the domain entry a row stores."""
    return gl.Entry(key=row.key, terms=json.loads(row.terms_json), note=row.note, dnt=row.dnt,
                    forbidden=json.loads(row.forbidden_json), case_sensitive=row.case_sensitive)


def _fill_row(row: GlossaryEntry, entry: gl.Entry, author: str) -> GlossaryEntry:
    if len(entry.key) > MAX_KEY:
        raise gl.GlossaryError(f"the key “{entry.key[:40]}…” is longer than {MAX_KEY} characters")
    data = entry.to_dict()
    row.key, row.key_folded = entry.key, entry.key.casefold()
    row.terms_json = json.dumps(data["terms"], ensure_ascii=False)
    row.forbidden_json = json.dumps(data["forbidden"], ensure_ascii=False)
    row.note, row.dnt, row.case_sensitive = entry.note, entry.dnt, entry.case_sensitive
    row.updated_at, row.updated_by = utcnow(), author
    return row


def read_revision(db: Session) -> int | None:
    """Return the glossary's revision, or None before it was ever seeded."""
    return db.scalar(select(GlossaryMeta.revision).where(GlossaryMeta.id == META_ID))


def read_snapshot(db: Session) -> Snapshot:
    """Read the whole glossary from the database."""
    # The revision is read first: rows at least as new as it can only make the copy early,
    # never stale, and the next request's cheap check sees a newer revision anyway.
    meta = db.get(GlossaryMeta, META_ID, populate_existing=True)
    revision = meta.revision if meta else 0
    languages = [c for c in (meta.languages if meta else "").split(",") if c]
    rows = db.scalars(select(GlossaryEntry).order_by(GlossaryEntry.position, GlossaryEntry.id))
    entries, ids = [], {}
    for row in rows:
        entry = entry_from_row(row)
        entries.append(entry)
        ids[entry.key.casefold()] = row.id
    return Snapshot(revision, gl.Glossary(entries, languages=languages or DEFAULT_LANGUAGES), ids)


class GlossaryCache:
    """The glossary as this process last read it; one small query per request checks it."""

    def __init__(self, seed_path: str | None = None) -> None:
        self.seed_path = seed_path
        self._snapshot: Snapshot | None = None
        self._lock = threading.Lock()

    def get(self, db: Session) -> Snapshot:
        """Return the current glossary, re-reading it when another worker has changed it."""
        revision = read_revision(db)
        if revision is None:
            seed(db, self.seed_path)
            revision = read_revision(db)
        snap = self._snapshot
        if snap is None or snap.revision != revision:
            with self._lock:
                snap = self._snapshot
                if snap is None or snap.revision != revision:
                    snap = self._snapshot = read_snapshot(db)
        return snap


# ---------------------------------------------------------------------------
# First run
# ---------------------------------------------------------------------------


def seed(db: Session, path: str | None) -> int:
    """Load the curated glossary file into an empty database, once; return the entries added."""
    if read_revision(db) is not None:
        return 0
    glossary = gl.Glossary(languages=DEFAULT_LANGUAGES)
    if path and Path(path).is_file():
        # A broken curated file must stop the first run loudly, not start with no glossary.
        glossary = gl.load(Path(path).read_bytes(), filename=str(path))
    db.add(GlossaryMeta(id=META_ID, revision=1, languages=",".join(glossary.languages)))
    for i, entry in enumerate(glossary):
        db.add(_fill_row(GlossaryEntry(position=i), entry, "seed"))
    try:
        db.commit()
    except IntegrityError:
        # Another worker seeded it first.
        db.rollback()
        return 0
    return len(glossary)


# ---------------------------------------------------------------------------
# Edits: validated by the domain on a copy, then written with a revision bump
# ---------------------------------------------------------------------------


def _bump(db: Session, author: str, what: str, **details) -> None:
    db.execute(update(GlossaryMeta).where(GlossaryMeta.id == META_ID)
               .values(revision=GlossaryMeta.revision + 1, updated_at=utcnow()))
    log(db, Action.GLOSSARY, author, None, None, what=what, **details)


def _commit(db: Session) -> None:
    try:
        db.commit()
    except IntegrityError:
        db.rollback()
        raise gl.GlossaryError(
            "duplicate concept: someone added an entry with this key meanwhile") from None


def check_languages(entry: gl.Entry, languages: tuple[str, ...]) -> None:
    """Refuse an entry with a language this glossary has no column for."""
    unknown = [lang for lang in [*entry.terms, *entry.forbidden]
               if lang != gl.ANY_LANG and lang not in languages]
    if unknown:
        raise gl.GlossaryError(f"unknown language column “{unknown[0]}”: this workbench has "
                               f"{', '.join(languages)}")


def add_entry(db: Session, snap: Snapshot, entry: gl.Entry, author: str) -> GlossaryEntry:
    """Add a concept; an existing key is a duplicate concept."""
    check_languages(entry, snap.languages)
    snap.glossary.copy().add(entry)
    position = (db.scalar(select(func.max(GlossaryEntry.position))) or 0) + 1
    row = _fill_row(GlossaryEntry(position=position), entry, author)
    db.add(row)
    _bump(db, author, "add", key=entry.key, after=entry.to_dict())
    _commit(db)
    return row


def update_entry(db: Session, snap: Snapshot, row: GlossaryEntry, entry: gl.Entry,
                 author: str) -> GlossaryEntry:
    """Replace a concept's terms, note and flags (its key may change)."""
    check_languages(entry, snap.languages)
    before = entry_from_row(row)
    copy = snap.glossary.copy()
    if before.key in copy:
        copy.update(before.key, entry)
    else:
        copy.add(entry)
    _fill_row(row, entry, author)
    _bump(db, author, "edit", key=entry.key, before=before.to_dict(), after=entry.to_dict())
    _commit(db)
    return row


def delete_entry(db: Session, row: GlossaryEntry, author: str) -> gl.Entry:
    """Delete a concept."""
    before = entry_from_row(row)
    db.delete(row)
    _bump(db, author, "delete", key=before.key, before=before.to_dict())
    _commit(db)
    return before


def apply_import(db: Session, snap: Snapshot, preview: gl.ImportPreview, author: str,
                 filename: str = "") -> None:
    """Apply a previewed import: add and change entries, all at once; nothing is deleted."""
    gl.apply_import(snap.glossary.copy(), preview)
    rows = {r.key_folded: r for r in db.scalars(select(GlossaryEntry))}
    for change in preview.changed:
        row = rows.get(change.before.key.casefold())
        if row is None:
            raise gl.GlossaryError("the glossary changed since this import was previewed; "
                                   "preview it again")
        _fill_row(row, change.after, author)
    position = (db.scalar(select(func.max(GlossaryEntry.position))) or 0) + 1
    for i, entry in enumerate(preview.added):
        check_languages(entry, snap.languages)
        db.add(_fill_row(GlossaryEntry(position=position + i), entry, author))
    _bump(db, author, "import", file=filename, added=len(preview.added),
          changed=len(preview.changed), skipped=len(preview.skipped))
    _commit(db)


# ---------------------------------------------------------------------------
# Imports waiting for their preview to be applied
# ---------------------------------------------------------------------------


def store_upload(db: Session, snap: Snapshot, incoming: gl.Glossary, filename: str,
                 author: str) -> GlossaryImport:
    """Keep a parsed upload until its preview is applied (or a day has passed)."""
    db.execute(delete(GlossaryImport).where(GlossaryImport.created_at < utcnow() - IMPORT_TTL))
    row = GlossaryImport(
        token=secrets.token_urlsafe(24), filename=filename[:255],
        entries_json=json.dumps([e.to_dict() for e in incoming], ensure_ascii=False),
        base_version=snap.glossary.version, created_by=author,
    )
    db.add(row)
    db.commit()
    return row


def load_upload(row: GlossaryImport) -> gl.Glossary:
    """Return the glossary a stored upload holds."""
    return gl.Glossary(gl.Entry(**data) for data in json.loads(row.entries_json))


# ---------------------------------------------------------------------------
# Through machine translation
# ---------------------------------------------------------------------------


class MtGuard:
    """Glossary protection around engine calls: placeholders in, glossary renderings out."""

    def __init__(self, glossary: gl.Glossary, source_lang: str, target_lang: str) -> None:
        self.glossary, self.source_lang, self.target_lang = glossary, source_lang, target_lang
        self._batch: list[gl.Protected] | None = None
        self.dropped = 0
        self.replaced = 0

    def protect(self, texts: list[str]) -> list[str]:
        """Return the texts with protected terms as placeholders, remembering them for restore."""
        try:
            self._batch = [gl.protect(self.glossary, t, self.source_lang, self.target_lang)
                           for t in texts]
        except gl.GlossaryError:
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
            result = gl.restore(protected, output)
            self.dropped += len(result.dropped)
            self.replaced += len(result.replaced)
            restored.append(result.text)
        return restored

    def summary(self, flagged: bool) -> str:
        """Return what the glossary did, for the job's closing message."""
        parts = []
        if self.replaced:
            parts.append(f" {_count(self.replaced, 'forbidden rendering')} replaced by the "
                         "glossary's.")
        if self.dropped:
            parts.append(f" The engine dropped {_count(self.dropped, 'protected glossary term')}"
                         + ("; their segments show a QA warning." if flagged else "."))
        return "".join(parts)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")
