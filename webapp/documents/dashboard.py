"""The documents dashboard: each document's progress, people, due date and archive state."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import delete, select, text, update
from sqlalchemy.orm import Session

from webapp.auth import users
from webapp.core.changelog import log
from webapp.core.messages import N_, _l, _ln
from webapp.core.models import Document, DocumentProgress, Job, User, utcnow
from webapp.core.models.progress import recount_statements
from webapp.core.states import Action, Role, State

# Due dates outside these years are typing slips (0026, 20266), not plans.
FIRST_YEAR, LAST_YEAR = 2000, 2199


class DashboardError(ValueError):
    """A dashboard action that cannot be carried out as asked, said for a person."""

    error_code = "dashboard_refused"


class NotAllowed(PermissionError):
    """The person's role (or relation to the document) does not allow this."""

    error_code = "role_forbids"


@dataclass
class Row:
    """One document as the dashboard shows it; the figures are worked out once, on creation."""

    doc: Document
    progress: dict[State, tuple[int, int]]
    last_edit_at: datetime | None
    last_edit_by: str | None
    mine: bool
    today: date
    segments: int = field(init=False)
    words: int = field(init=False)
    # Words in segments a person vouches for (translated or approved).
    done_words: int = field(init=False)
    # No segment is left below translated.
    finished: bool = field(init=False)
    # Days until the due date (negative: overdue), None without one.
    days_left: int | None = field(init=False)
    # The bar's parts: (state, percent of the words), approved first.
    shares: list[tuple[State, float]] = field(init=False)

    def __post_init__(self) -> None:
        values = self.progress.items()
        self.segments = sum(n for _s, (n, _w) in values)
        self.words = sum(w for _s, (_n, w) in values)
        self.done_words = sum(w for s, (_n, w) in values if s >= State.TRANSLATED)
        self.finished = all(n == 0 for s, (n, _w) in values if s < State.TRANSLATED)
        due = self.doc.due_date
        self.days_left = None if due is None else (due - self.today).days
        self.shares = [(s, round(100 * w / self.words, 2)) for s, (_n, w) in
                       sorted(values, reverse=True) if w] if self.words else []

    @property
    def percent(self) -> int:
        """Return the share of words done, rounded down (100 only when all are)."""
        if not self.words:
            return 100 if self.finished and self.segments else 0
        return self.done_words * 100 // self.words

    @property
    def overdue(self) -> bool:
        """Return whether the due date has passed with work left."""
        return self.days_left is not None and self.days_left < 0 and not self.finished

    def to_dict(self) -> dict:
        """Return the JSON API representation."""
        doc = self.doc
        return {
            **doc.to_dict(),
            "segments": self.segments, "words": self.words,
            "states": {s.slug: n for s, (n, _w) in self.progress.items()},
            "progress": {s.slug: {"segments": n, "words": w}
                         for s, (n, w) in self.progress.items()},
            "done_percent": self.percent,
            "translator": doc.translator, "editor": doc.editor, "mine": self.mine,
            "due_date": doc.due_date.isoformat() if doc.due_date else None,
            "overdue": self.overdue,
            "archived": doc.archived_at is not None,
            "archived_at": _iso(doc.archived_at), "archived_by": doc.archived_by,
            "last_edit_at": _iso(self.last_edit_at), "last_edit_by": self.last_edit_by,
        }


def _iso(moment: datetime | None) -> str | None:
    """Return a time as the API writes it (ISO 8601 UTC with a Z)."""
    return moment.isoformat() + "Z" if moment else None


def _row(doc: Document, kept: DocumentProgress | None, person: str, today: date) -> Row:
    """Return the dashboard row of a document and its kept counts."""
    progress = kept.by_state() if kept else {s: (0, 0) for s in State}
    return Row(doc, progress, kept.last_edit_at if kept else None,
               kept.last_edit_by if kept else None,
               person in (doc.translator, doc.editor), today)


def rows(db: Session, person: str, archived: bool = False, today: date | None = None) -> list[Row]:
    """Return the dashboard's rows: the person's documents first, then by due date, newest.

    With `archived`, the archived documents follow the others.
    """
    today = today or utcnow().date()
    stmt = select(Document, DocumentProgress).outerjoin(
        DocumentProgress, DocumentProgress.document_id == Document.id)
    if not archived:
        stmt = stmt.where(Document.archived_at.is_(None))
    # populate_existing: the triggers change the counts behind the session's back.
    found = [_row(doc, kept, person, today)
             for doc, kept in db.execute(stmt.execution_options(populate_existing=True))]
    return sorted(found, key=lambda r: (
        r.doc.archived_at is not None, not r.mine,
        r.doc.due_date is None, r.doc.due_date or today, -r.doc.id))


def row(db: Session, doc: Document, person: str, today: date | None = None) -> Row:
    """Return one document's dashboard row."""
    kept = db.get(DocumentProgress, doc.id, populate_existing=True)
    return _row(doc, kept, person, today or utcnow().date())


def archived_count(db: Session) -> int:
    """Return how many documents are archived."""
    return len(db.scalars(select(Document.id).where(Document.archived_at.is_not(None))).all())


def people(db: Session) -> list[User]:
    """Return the active accounts, by name: whom a document can be assigned to."""
    return list(db.scalars(select(User).where(User.active.is_(True)).order_by(User.username)))


def _person(db: Session, name: str | None, slot: str, least: Role) -> str | None:
    """Return the account name for a slot ("translator"), None to clear it; refuse others."""
    if name is None or not str(name).strip():
        return None
    if not isinstance(name, str):
        raise DashboardError(_l(SLOT_TEXT[slot]["type"]))
    user = users.find(db, name.strip()[:200])
    if user is None or not user.active:
        raise DashboardError(_l(SLOT_TEXT[slot]["missing"], name=repr(name.strip()[:80])))
    if Role(user.role) < least:
        raise DashboardError(_l(SLOT_TEXT[slot]["role"], user=user.username,
                                role=Role(user.role).slug, least=least.slug))
    return user.username


# What a refused assignment says, per slot: whole sentences, so that each translates whole.
SLOT_TEXT = {
    "translator": {
        "type": N_("The translator must be a user name."),
        "missing": N_("There is no active user called %(name)s to make the translator."),
        "role": N_("%(user)s is a %(role)s; the translator needs the %(least)s role or higher."),
    },
    "editor": {
        "type": N_("The editor must be a user name."),
        "missing": N_("There is no active user called %(name)s to make the editor."),
        "role": N_("%(user)s is a %(role)s; the editor needs the %(least)s role or higher."),
    },
}


def parse_due(value: str | date | None) -> date | None:
    """Return the due date a form or the API sent (YYYY-MM-DD; empty clears it)."""
    if value is None or isinstance(value, date):
        due = value
    elif not isinstance(value, str):
        raise DashboardError(_l("Give the due date as YYYY-MM-DD, e.g. 2026-12-24."))
    elif not value.strip():
        due = None
    else:
        try:
            due = date.fromisoformat(value.strip()[:40])
        except ValueError:
            raise DashboardError(_l("%(value)s is not a date; give it as YYYY-MM-DD, "
                                    "e.g. 2026-12-24.", value=repr(value.strip()[:40]))) from None
    if due is not None and not FIRST_YEAR <= due.year <= LAST_YEAR:
        raise DashboardError(_l("%(date)s is not a plausible due date (years %(first)s–%(last)s).",
                                date=due.isoformat(), first=str(FIRST_YEAR),
                                last=str(LAST_YEAR)))
    return due


def check_may_plan(role: Role) -> None:
    """Refuse assigning people and due dates to anyone below editor."""
    if role < Role.EDITOR:
        raise NotAllowed(_l("Only an editor or admin assigns people and due dates."))


def plan(db: Session, doc: Document, author: str, role: Role, *,
         translator: str | None = ..., editor: str | None = ...,
         due: str | date | None = ...) -> Document:
    """Assign the translator and editor and set the due date (any left out stay as they are).

    Everything is checked before anything is written; each change is a change-log row.
    """
    check_may_plan(role)
    people_now = {"translator": doc.translator, "editor": doc.editor}
    wanted = dict(people_now)
    if translator is not ...:
        wanted["translator"] = _person(db, translator, "translator", Role.TRANSLATOR)
    if editor is not ...:
        wanted["editor"] = _person(db, editor, "editor", Role.EDITOR)
    new_due = doc.due_date if due is ... else parse_due(due)
    if wanted != people_now:
        doc.translator, doc.editor = wanted["translator"], wanted["editor"]
        log(db, Action.ASSIGN, author, doc.id, before=people_now, after=wanted)
    if new_due != doc.due_date:
        log(db, Action.DUE_DATE, author, doc.id,
            before=doc.due_date.isoformat() if doc.due_date else None,
            after=new_due.isoformat() if new_due else None)
        doc.due_date = new_due
    db.commit()
    return doc


def may_archive(doc: Document, person: str, role: Role) -> bool:
    """Return whether a person may archive the document: editors, and whoever imported it."""
    return role >= Role.EDITOR or (bool(doc.created_by) and doc.created_by == person)


def archive(db: Session, doc: Document, author: str, role: Role) -> bool:
    """Archive the document; return False when it already was (another tab was quicker)."""
    return _set_archived(db, doc, author, role, True)


def unarchive(db: Session, doc: Document, author: str, role: Role) -> bool:
    """Bring an archived document back (the archive's undo); False when it was not archived."""
    return _set_archived(db, doc, author, role, False)


def _set_archived(db: Session, doc: Document, author: str, role: Role, archived: bool) -> bool:
    """Archive or unarchive in one conditional UPDATE; return whether this call changed it."""
    if not may_archive(doc, author, role):
        raise NotAllowed(
            _l("Only an editor, an admin or whoever imported it archives a document.")
            if archived else
            _l("Only an editor, an admin or whoever imported it unarchives a document."))
    # Conditional on the current state: two tabs archiving at once log one archive, not two.
    was = Document.archived_at.is_(None) if archived else Document.archived_at.is_not(None)
    done = db.execute(update(Document).where(Document.id == doc.id, was).values(
        archived_at=utcnow() if archived else None,
        archived_by=author if archived else None)).rowcount == 1
    if done:
        log(db, Action.ARCHIVE if archived else Action.UNARCHIVE, author, doc.id, name=doc.name)
    db.commit()
    db.refresh(doc)
    return done


def delete_archived(db: Session, doc: Document, author: str, role: Role) -> dict:
    """Delete an archived document with everything it holds; return what was deleted.

    Only an admin may, only an archived document, never one a job is working on. The
    change-log row outlives the document (it names no document row).
    """
    if role < Role.ADMIN:
        raise NotAllowed(_l("Only an admin deletes a document."))
    if doc.archived_at is None:
        raise DashboardError(_l("„%(name)s“ is not archived: archive it first; only an "
                                "archived document can be deleted.", name=doc.name))
    busy = db.scalar(select(Job.id).where(Job.document_id == doc.id,
                                          Job.status.in_(("queued", "running"))).limit(1))
    if busy is not None:
        raise DashboardError(_l("Job %(job)s is still working on „%(name)s“; delete it "
                                "when the job has finished.", job=str(busy), name=doc.name))
    summary = row(db, doc, author)
    gone = {"id": doc.id, "name": doc.name, "segments": summary.segments,
            "words": summary.words}
    # The database's cascades delete the segments, revisions, comments and the rest in one
    # statement; the ORM would load every segment first. Archived again in the condition:
    # an undo in another tab wins over a delete that had not happened yet.
    done = db.execute(delete(Document).where(Document.id == doc.id,
                                             Document.archived_at.is_not(None))).rowcount
    if not done:
        db.rollback()
        raise DashboardError(_l("„%(name)s“ was unarchived or deleted meanwhile; "
                                "nothing was deleted.", name=doc.name))
    log(db, Action.DELETE_DOCUMENT, author, None, document=gone["id"], name=gone["name"],
        segments=gone["segments"], words=gone["words"])
    db.commit()
    db.expunge(doc)
    return gone


def recount(db: Session, doc_id: int | None = None) -> int:
    """Rebuild the kept counts from the segments (one document or all); return how many."""
    dialect = db.get_bind().dialect.name
    for statement in recount_statements(dialect, doc_id):
        db.execute(text(statement))
    n = len(db.scalars(select(DocumentProgress.document_id)).all()) if doc_id is None else 1
    db.commit()
    return n


def ago(moment: datetime | None, now: datetime | None = None,
        write_date: Callable[[datetime], str] | None = None) -> str:
    """Return how long ago a moment was, as a person says it ("3 h ago", "yesterday").

    Two weeks back and more it is the date, written by `write_date` (the web layer's, in the
    reader's language; "2 Dec 2026" without one).
    """
    if moment is None:
        return "—"
    seconds = ((now or utcnow()) - moment).total_seconds()
    if seconds < 60:
        return _l("just now")
    if seconds < 3600:
        return _ln("%(n)s min ago", "%(n)s min ago", int(seconds // 60))
    if seconds < 86400:
        return _ln("%(n)s h ago", "%(n)s h ago", int(seconds // 3600))
    days = int(seconds // 86400)
    if days == 1:
        return _l("yesterday")
    if days < 14:
        return _ln("%(n)s day ago", "%(n)s days ago", days)
    return write_date(moment) if write_date else moment.strftime("%-d %b %Y")


def due_label(row: Row) -> str:
    """Return what the due cell says in words, so that overdue is not told by colour alone."""
    days = row.days_left
    if days is None:
        return ""
    if row.finished:
        return _l("done")
    if days < 0:
        return _ln("%(n)s day overdue", "%(n)s days overdue", -days)
    if days == 0:
        return _l("due today")
    if days == 1:
        return _l("tomorrow")
    return _ln("in %(n)s day", "in %(n)s days", days)
