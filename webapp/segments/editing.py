"""Editing a segment: the one save path with its version check, restore, split, merge, history."""

from __future__ import annotations

import json

from sqlalchemy import Float, Integer, String, Text, bindparam, cast, event, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from webapp.core import messages
from webapp.core.changelog import log
from webapp.core.messages import N_, Message, _l
from webapp.core.models import MAX_ID, Change, Comment, Revision, Segment, utcnow
from webapp.core.states import Action, Role, State
from webapp.documents import segmentation
from webapp.documents.importing import MAX_SEGMENT_CHARS, DocumentError, count_words
from webapp.documents.queries import neighbour
from webapp.interchange import codes
from webapp.review import workflow as review

# Saves write with Core statements, which the ORM's flush events never see, so they note
# here, per session, which segments they changed: {segment id: (state before, state after)}.
# Commit hooks (the memory's, the scores') read it in before_commit; it is gone afterwards.
SAVED = "documents.saved"


@event.listens_for(Session, "after_commit")
def _forget_saved(session: Session) -> None:
    session.info.pop(SAVED, None)


@event.listens_for(Session, "after_soft_rollback")
def _forget_unsaved(session: Session, _previous) -> None:
    session.info.pop(SAVED, None)


class ConflictError(Exception):
    """A save was based on a version that is no longer current; nothing was written."""

    error_code = "version_conflict"

    def __init__(self, segment: Segment, attempted: str):
        super().__init__(_l("Segment %(number)s was changed meanwhile (now version %(version)s).",
                            number=segment.number, version=segment.version))
        self.segment = segment
        self.attempted = attempted


class MalformedSave(DocumentError):
    """A save that sent no target text, or something other than text: a client's mistake."""

    error_code = "malformed_save"


def add_revision(
    db: Session, seg: Segment, kind: str, author: str, seconds: float | None = None,
    replaced: int | None = None, role: int | None = None,
) -> Revision:
    """Store the segment's current target as a new revision."""
    rev = Revision(
        segment=seg,
        version=seg.version,
        replaced_version=replaced,
        text=seg.target,
        state=seg.state,
        kind=kind,
        author=author,
        seconds=seconds,
        role=role,
    )
    db.add(rev)
    return rev


_SEGMENT = Segment.__table__
# The version check and the write happen in one UPDATE, so two concurrent saves based on the
# same version cannot both succeed, whatever the database. It checks the state the caller
# decided on too: a review that approved the segment meanwhile is a change as well.
_SAVE = (
    _SEGMENT.update()
    .where(_SEGMENT.c.id == bindparam("seg_id"), _SEGMENT.c.version == bindparam("base_version"),
           _SEGMENT.c.state == bindparam("before"))
    .values(target=bindparam("new_target"), version=bindparam("new_version"),
            state=bindparam("new_state"), updated_at=bindparam("now"),
            updated_by=bindparam("author"))
)
_INSERT_REVISION = Revision.__table__.insert()
_INSERT_CHANGE = Change.__table__.insert()


def _save_in_one_statement():
    """Return the save as one statement (PostgreSQL): the UPDATE feeds both INSERTs."""
    rev, chg = Revision.__table__, Change.__table__
    saved = _SAVE.returning(_SEGMENT.c.id, _SEGMENT.c.document_id, _SEGMENT.c.version,
                            _SEGMENT.c.target, _SEGMENT.c.state, _SEGMENT.c.updated_at,
                            _SEGMENT.c.updated_by).cte("saved")
    revision = rev.insert().from_select(
        ["segment_id", "version", "replaced_version", "text", "state", "kind", "author",
         "created_at", "seconds", "role", "batch_id"],
        select(saved.c.id, saved.c.version, cast(bindparam("base_version"), Integer),
               saved.c.target, saved.c.state, cast(bindparam("kind"), String),
               saved.c.updated_by, saved.c.updated_at, cast(bindparam("seconds"), Float),
               cast(bindparam("role"), Integer), cast(bindparam("batch_id"), Integer)),
    ).cte("revision_added")
    return chg.insert().from_select(
        ["document_id", "segment_id", "action", "author", "created_at", "details_json"],
        select(saved.c.document_id, saved.c.id, cast(bindparam("action"), Integer),
               saved.c.updated_by, saved.c.updated_at, cast(bindparam("details_json"), Text)),
    ).add_cte(revision).returning(chg.c.id)


_SAVE_ONE_STATEMENT = _save_in_one_statement()


def save_edit(
    db: Session,
    seg: Segment,
    text: str | None,
    base_version: int,
    author: str,
    role: Role,
    seconds: float | None = None,
    max_chars: int = MAX_SEGMENT_CHARS,
    locked: bool | None = None,
) -> Segment:
    """Save a person's edit, as the page and the API both do: refuse, check the role, store."""
    if text is None:
        raise MalformedSave(_l("The save sent no target text ('target' is missing); "
                               "an empty one empties the segment."))
    if not isinstance(text, str):
        raise MalformedSave(_l("'target' must be a string."))
    review.check_may_edit(seg, role, locked)
    # An emptied segment is simply not translated (yet): a state it can leave by a save,
    # not a "translated" one that review then refuses to approve.
    state = review.save_state(seg, role) if text.strip() else State.NEW
    return save_target(db, seg, text, base_version, author, state,
                       seconds=seconds, max_chars=max_chars, role=int(role))


def save_target(
    db: Session,
    seg: Segment,
    text: str,
    base_version: int,
    author: str,
    state: State = State.TRANSLATED,
    seconds: float | None = None,
    max_chars: int = MAX_SEGMENT_CHARS,
    role: int | None = None,
    kind: str = "edit",
    action: Action = Action.EDIT,
    batch_id: int | None = None,
) -> Segment:
    """Store a new target as a revision, or raise ConflictError if the segment moved on."""
    # A search and replace passes its own kind, action and batch.
    text = normalise_segment_text(text, max_chars)
    if seg.codes_json:
        # The edit box spells inline codes as ⟨1⟩ tokens; the segment stores placeholders.
        try:
            text = codes.from_tokens(text, codes.of(seg), seg.source)
        except codes.TagError as exc:
            raise DocumentError(str(exc)) from None
    return _write(db, seg, text, base_version, author, state, seconds=seconds, role=role,
                  kind=kind, action=action, batch_id=batch_id)


def _write(
    db: Session, seg: Segment, text: str, base_version: int, author: str, state: State,
    seconds: float | None = None, role: int | None = None, kind: str = "edit",
    action: Action = Action.EDIT, details: dict | None = None, batch_id: int | None = None,
) -> Segment:
    """Write a stored-form target, its revision and its change row if `base_version` is current."""
    if not 0 <= base_version < MAX_ID:
        # No segment has this version, and the database's integer column could not hold it.
        db.refresh(seg)
        raise ConflictError(seg, text)
    before, now, version = seg.state, utcnow(), base_version + 1
    # Core statements built once, on the session's connection: a save is the hottest write.
    conn = db.connection()
    params = {
        "seg_id": seg.id, "base_version": base_version, "before": before, "new_target": text,
        "new_version": version, "new_state": int(state), "now": now, "author": author,
        "kind": kind, "seconds": seconds, "role": role, "action": int(action),
        "batch_id": batch_id,
        "details_json": json.dumps({**(details or {}), "version": version,
                                    "state": State(state).slug}
                                   | ({"batch": batch_id} if batch_id is not None else {}),
                                   ensure_ascii=False),
    }
    if conn.dialect.name == "postgresql":
        # One round trip instead of three: PostgreSQL runs the INSERTs on what the UPDATE
        # returns, so they write nothing when the version check fails.
        saved = conn.execute(_SAVE_ONE_STATEMENT, params).first() is not None
    else:
        saved = conn.execute(_SAVE, params).rowcount == 1
        if saved:
            conn.execute(_INSERT_REVISION, {
                "segment_id": seg.id, "version": version, "replaced_version": base_version,
                "text": text, "state": int(state), "kind": kind, "author": author,
                "created_at": now, "seconds": seconds, "role": role, "batch_id": batch_id,
            })
            conn.execute(_INSERT_CHANGE, {
                "document_id": seg.document_id, "segment_id": seg.id,
                "action": int(action), "author": author, "created_at": now,
                "details_json": params["details_json"],
            })
    if not saved:
        db.rollback()
        db.refresh(seg)
        raise ConflictError(seg, text)
    # The object shows what was written without another SELECT, and is not dirty.
    for name, value in (("target", text), ("version", version), ("state", int(state)),
                        ("updated_at", now), ("updated_by", author)):
        set_committed_value(seg, name, value)
    db.expire(seg, ["revisions"])
    db.info.setdefault(SAVED, {})[seg.id] = (State(before), State(state))
    db.commit()
    return seg


def normalise_segment_text(text: str, max_chars: int) -> str:
    """Return the target as stored: LF line ends, no outer whitespace; refuse huge input."""
    if text is None:
        raise DocumentError(_l("The target text is missing."))
    if not isinstance(text, str):
        raise DocumentError(_l("The target text must be a string."))
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    if len(text) > max_chars:
        raise DocumentError(_l(
            "The target is %(length)s characters long; a segment holds at most %(max)s.",
            length=len(text), max=max_chars))
    if "\x00" in text:
        raise DocumentError(_l("The target contains a NUL character."))
    return text


def history(db: Session, seg: Segment) -> tuple[list[Revision], list[Change]]:
    """Return the segment's revisions (newest first) and its change-log rows."""
    revs = db.scalars(
        select(Revision).where(Revision.segment_id == seg.id).order_by(Revision.version.desc())
    ).all()
    changes = db.scalars(
        select(Change).where(Change.segment_id == seg.id).order_by(Change.id.desc())
    ).all()
    return list(revs), list(changes)


def _shift_positions(db: Session, doc_id: int, after: int, delta: int) -> None:
    """Move every segment after position `after` by `delta`."""
    db.execute(
        update(Segment)
        .where(Segment.document_id == doc_id, Segment.position > after)
        .values(position=Segment.position + delta)
    )


def split_segment(db: Session, seg: Segment, offset: int | None, author: str,
                  role: Role | None = None) -> tuple[Segment, Segment]:
    """Split a segment's file-side text at a character offset into two segments."""
    # The page and the API pass the person's role; commands act as an editor, never on a
    # locked unit.
    review.check_may_edit(seg, Role.EDITOR if role is None else role)
    if not isinstance(offset, int) or isinstance(offset, bool):
        raise DocumentError(_l("Say where to split: a character offset."))
    doc = seg.document
    # Split the text that came from the file: the source in translate mode, the MT in review.
    field = "mt" if doc.mode == "review" else "source"
    span = segmentation.Span(getattr(seg, field), seg.trailing, seg.paragraph)
    try:
        first, second = segmentation.split_span(span, offset)
    except ValueError as exc:
        raise DocumentError(messages.of(exc)) from None
    _shift_positions(db, seg.document_id, seg.position, 1)
    new = Segment(
        document_id=seg.document_id, position=seg.position + 1, paragraph=seg.paragraph,
        trailing=second.trailing, updated_by=author, codes_json=seg.codes_json,
    )
    seg.trailing = first.trailing
    if doc.mode == "review":
        seg.mt, new.mt = first.text, second.text
        # An unedited draft splits with its text; an edited one keeps its target on the
        # first part so that nothing typed is lost, and the second starts from its MT.
        if seg.target == span.text:
            seg.target, new.target = first.text, second.text
        else:
            new.target = second.text
        new.state, new.version = int(State.MT), 1
    else:
        seg.source, new.source = first.text, second.text
        new.state, new.version = int(State.NEW), 0
    seg.words, new.words = count_words(first.text), count_words(second.text)
    seg.version += 1
    db.add(new)
    db.flush()
    add_revision(db, seg, "split", author, replaced=seg.version - 1)
    if new.version:
        add_revision(db, new, "split", author)
    log(db, Action.SPLIT, author, seg.document_id, seg.id, offset=offset, new_segment=new.id)
    db.commit()
    return seg, new


def merge_segments(db: Session, seg: Segment, author: str, role: Role | None = None) -> Segment:
    """Merge a segment with the one after it; the second's comments and history stay."""
    role = Role.EDITOR if role is None else role
    review.check_may_edit(seg, role)
    nxt = neighbour(db, seg, 1)
    if nxt is None:
        raise DocumentError(_l("The last segment has nothing after it to merge with."))
    # A merge changes the second segment as much as the first: its lock and approval count.
    review.check_may_edit(nxt, role)
    merged_history = [rev.to_dict() for rev in db.scalars(
        select(Revision).where(Revision.segment_id == nxt.id).order_by(Revision.version))]
    joiner = seg.trailing if seg.trailing.strip("\n") == seg.trailing else " "
    if seg.codes_json or nxt.codes_json:
        # The next segment's tags are renumbered to follow this one's in the merged list.
        seg.codes_json, shift = codes.merge(seg, nxt)
        nxt.source, nxt.mt, nxt.target = shift(nxt.source), shift(nxt.mt), shift(nxt.target)
    seg.source = _join(seg.source, joiner, nxt.source)
    seg.mt = _join(seg.mt, joiner, nxt.mt)
    seg.target = _join(seg.target, joiner, nxt.target)
    seg.trailing = nxt.trailing
    seg.words += nxt.words
    seg.state = min(seg.state, nxt.state)
    seg.version += 1
    seg.updated_by = author
    seg.updated_at = utcnow()
    merged_id, merged_number = nxt.id, nxt.number
    # The second segment's comments move to the merged one; its revisions are written into
    # the merge's log row, so deleting the row loses no text anyone wrote.
    db.execute(update(Comment).where(Comment.segment_id == nxt.id).values(segment_id=seg.id))
    db.delete(nxt)
    db.flush()
    _shift_positions(db, seg.document_id, seg.position + 1, -1)
    add_revision(db, seg, "merge", author, replaced=seg.version - 1)
    log(db, Action.MERGE, author, seg.document_id, seg.id, merged_segment=merged_id,
        merged_number=merged_number, merged_history=merged_history)
    db.commit()
    return seg


def _join(a: str, joiner: str, b: str) -> str:
    """Join two texts with the whitespace that stood between them, skipping empty sides."""
    if a and b:
        return a + joiner + b
    return a or b


# What a revision's kind reads as in its history.
REVISION_KINDS = {
    "edit": N_("edit"), "import": N_("import"), "mt": N_("MT"), "tm": N_("TM"),
    "split": N_("split"), "merge": N_("merge"), "restore": N_("restore"),
    "replace": N_("replace"), "replace-undo": N_("replace undone"),
}


def revision_kind(kind: str) -> str:
    """Return a revision's kind as a person reads it (an unknown one as it is stored)."""
    label = REVISION_KINDS.get(kind)
    return Message(label) if label else kind


# Revisions whose text the machine wrote (the file's draft, MT, a memory match): restoring
# one gives back the machine's state, not a person's "translated".
MACHINE_TEXT_KINDS = frozenset({"import", "mt", "tm"})


def restored_state(rev: Revision, seg: Segment, role: Role | None) -> State:
    """Return the state restoring `rev` leaves: the machine's for its text, else a save's."""
    if not rev.text.strip():
        return State.NEW
    if rev.kind in MACHINE_TEXT_KINDS:
        # An imported file may say "translated" or better; review is never skipped by a restore.
        return State(min(rev.state, State.TRANSLATED))
    return review.save_state(seg, Role.EDITOR if role is None else role)


def restore_revision(db: Session, seg: Segment, version: int, author: str,
                     role: Role | None = None, base_version: int | None = None) -> Segment:
    """Make an earlier revision's text current again, as a new revision; raise ConflictError
    if the segment moved on from `base_version` (the version the person was looking at)."""
    if role is not None:  # the page passes the person's role; commands and tests none
        review.check_may_edit(seg, role)
    rev = db.scalar(
        select(Revision).where(Revision.segment_id == seg.id, Revision.version == version)
    )
    if rev is None:
        raise DocumentError(_l("Segment %(number)s has no revision %(version)s.",
                               number=seg.number, version=version))
    base = seg.version if base_version is None else base_version
    return _write(db, seg, rev.text, base, author, restored_state(rev, seg, role),
                  role=None if role is None else int(role), kind="restore",
                  action=Action.RESTORE, details={"restored": version})
