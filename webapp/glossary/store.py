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
from webapp.core.messages import _l
from webapp.core.models import GlossaryEntry, GlossaryImport, GlossaryMeta, utcnow
from webapp.core.states import Action
from webapp.glossary import merge
from webapp.glossary.entries import ANY_LANG, Entry, Glossary, GlossaryError
from webapp.glossary.exchange import load
from webapp.glossary.matching import Match, find_terms

META_ID = 1
# Used when there is no glossary file to take the languages from.
DEFAULT_LANGUAGES = ("de", "en")
MAX_KEY = 255
# A previewed import nobody applied is forgotten after this long.
IMPORT_TTL = timedelta(days=1)
# Where a session (a request's) keeps the glossary it has checked once.
_SESSION_KEY = "webapp.glossary"
# Texts whose terms one snapshot remembers: a page's rows, then those of the next pages.
_FOUND_LIMIT = 20_000


@dataclass(frozen=True)
class Snapshot:
    """The glossary at one revision, with the row id of each entry."""

    revision: int
    glossary: Glossary
    # Case-folded entry key -> glossary_entry.id
    ids: dict[str, int] = field(default_factory=dict)
    # (language, text) -> the terms found in it; the entries never change under a snapshot.
    found: dict[tuple[str, str], list[Match]] = field(default_factory=dict, repr=False,
                                                      compare=False)

    @property
    def languages(self) -> tuple[str, ...]:
        """Return the languages this workbench's glossary has columns for."""
        return self.glossary.languages

    def entry_id(self, key: str) -> int | None:
        """Return the row id of the entry with this key."""
        return self.ids.get(key.casefold())

    def find(self, text: str, lang: str) -> list[Match]:
        """Return the terms in text, remembered; a language the glossary cannot read has none."""
        key = (lang, text)
        matches = self.found.get(key)
        if matches is None:
            try:
                matches = find_terms(self.glossary, text, lang)
            except GlossaryError:
                matches = []
            if len(self.found) >= _FOUND_LIMIT:
                self.found.clear()
            self.found[key] = matches
        return matches


def entry_from_row(row: GlossaryEntry) -> Entry:
    """Return the domain entry a row stores."""
    return Entry(key=row.key, terms=json.loads(row.terms_json), note=row.note, dnt=row.dnt,
                 forbidden=json.loads(row.forbidden_json), case_sensitive=row.case_sensitive)


def _fill_row(row: GlossaryEntry, entry: Entry, author: str) -> GlossaryEntry:
    if len(entry.key) > MAX_KEY:
        raise GlossaryError(_l("the key “%(key)s…” is longer than %(max)s characters",
                                key=entry.key[:40], max=MAX_KEY))
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
    return Snapshot(revision, Glossary(entries, languages=languages or DEFAULT_LANGUAGES), ids)


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

    def current(self, db: Session) -> Snapshot:
        """Return the glossary for one request's session: checked once, then kept until an edit."""
        snap = db.info.get(_SESSION_KEY)
        if snap is None:
            snap = db.info[_SESSION_KEY] = self.get(db)
        return snap


# ---------------------------------------------------------------------------
# First run
# ---------------------------------------------------------------------------


def seed(db: Session, path: str | None) -> int:
    """Load the curated glossary file into an empty database, once; return the entries added."""
    if read_revision(db) is not None:
        return 0
    glossary = Glossary(languages=DEFAULT_LANGUAGES)
    if path and Path(path).is_file():
        # A broken curated file must stop the first run loudly, not start with no glossary.
        glossary = load(Path(path).read_bytes(), filename=str(path))
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


def seed_summary(db: Session, path: str | None) -> str:
    """Load the curated glossary into a database that never had one; say what happened."""
    added = seed(db, path)
    if added:
        return f"Loaded the glossary from {Path(path).name}: {added} entries."
    return f"The glossary has {len(read_snapshot(db).glossary)} entries."


# ---------------------------------------------------------------------------
# Edits: validated by the domain on a copy, then written with a revision bump
# ---------------------------------------------------------------------------


def _bump(db: Session, author: str, what: str, **details) -> None:
    # What this session renders next must show the edit.
    db.info.pop(_SESSION_KEY, None)
    db.execute(update(GlossaryMeta).where(GlossaryMeta.id == META_ID)
               .values(revision=GlossaryMeta.revision + 1, updated_at=utcnow()))
    log(db, Action.GLOSSARY, author, None, None, what=what, **details)


def _commit(db: Session) -> None:
    try:
        db.commit()
    except IntegrityError:
        db.rollback()
        raise GlossaryError(
            _l("duplicate concept: someone added an entry with this key meanwhile")) from None


def check_languages(entry: Entry, languages: tuple[str, ...]) -> None:
    """Refuse an entry with a language this glossary has no column for."""
    unknown = [lang for lang in [*entry.terms, *entry.forbidden]
               if lang != ANY_LANG and lang not in languages]
    if unknown:
        raise GlossaryError(_l("unknown language column “%(lang)s”: this workbench has %(languages)s",
                               lang=unknown[0], languages=", ".join(languages)))


def add_entry(db: Session, snap: Snapshot, entry: Entry, author: str) -> GlossaryEntry:
    """Add a concept; an existing key is a duplicate concept."""
    check_languages(entry, snap.languages)
    snap.glossary.copy().add(entry)
    position = (db.scalar(select(func.max(GlossaryEntry.position))) or 0) + 1
    row = _fill_row(GlossaryEntry(position=position), entry, author)
    db.add(row)
    _bump(db, author, "add", key=entry.key, after=entry.to_dict())
    _commit(db)
    return row


def update_entry(db: Session, snap: Snapshot, row: GlossaryEntry, entry: Entry,
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


def delete_entry(db: Session, row: GlossaryEntry, author: str) -> Entry:
    """Delete a concept."""
    before = entry_from_row(row)
    db.delete(row)
    _bump(db, author, "delete", key=before.key, before=before.to_dict())
    _commit(db)
    return before


def apply_import(db: Session, snap: Snapshot, preview: merge.ImportPreview, author: str,
                 filename: str = "") -> None:
    """Apply a previewed import: add and change entries, all at once; nothing is deleted."""
    merge.apply_import(snap.glossary.copy(), preview)
    rows = {r.key_folded: r for r in db.scalars(select(GlossaryEntry))}
    for change in preview.changed:
        row = rows.get(change.before.key.casefold())
        if row is None:
            raise GlossaryError(_l("the glossary changed since this import was previewed; "
                                   "preview it again"))
        _fill_row(row, change.after, author)
    position = (db.scalar(select(func.max(GlossaryEntry.position))) or 0) + 1
    # Computed once: asking the snapshot per entry walks the whole glossary each time, which
    # made a 10,000-row file take minutes.
    languages = snap.languages
    for i, entry in enumerate(preview.added):
        check_languages(entry, languages)
        db.add(_fill_row(GlossaryEntry(position=position + i), entry, author))
    _bump(db, author, "import", file=filename, added=len(preview.added),
          changed=len(preview.changed), skipped=len(preview.skipped))
    _commit(db)


# ---------------------------------------------------------------------------
# Imports waiting for their preview to be applied
# ---------------------------------------------------------------------------


def store_upload(db: Session, snap: Snapshot, incoming: Glossary, filename: str,
                 author: str) -> GlossaryImport:
    """Keep a parsed upload until its preview is applied (or a day has passed)."""
    db.execute(delete(GlossaryImport).where(GlossaryImport.created_at < utcnow() - IMPORT_TTL))
    row = GlossaryImport(
        token=secrets.token_urlsafe(24), filename=filename[:255],
        entries_json=json.dumps([{**e.to_dict(), "dnt_said": e.dnt_said} for e in incoming],
                                ensure_ascii=False),
        base_version=snap.glossary.version, created_by=author,
    )
    db.add(row)
    db.commit()
    return row


def load_upload(row: GlossaryImport) -> Glossary:
    """Return the glossary a stored upload holds."""
    return Glossary(Entry(**data) for data in json.loads(row.entries_json))
