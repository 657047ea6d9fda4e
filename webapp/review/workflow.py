"""Review: who may move a segment to which state, comments, word diffs and presence locks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from webapp.core.changelog import log
from webapp.core.messages import N_, _l
from webapp.core.models import Comment, Presence, Revision, Segment, utcnow
from webapp.core.states import MACHINE_KINDS, Action, Role, State
from webapp.interchange import exchange as interchange

# The least role that may move a segment into each state.
MAY_SET = {State.TRANSLATED: Role.TRANSLATOR, State.APPROVED: Role.EDITOR,
           State.REJECTED: Role.EDITOR}
MAX_COMMENT = 4000
# A state as the end of "mark a segment …" (the slug in English, an adjective in German).
STATE_WORDS = {State.NEW: N_("new"), State.MT: N_("mt"), State.TRANSLATED: N_("translated"),
               State.APPROVED: N_("approved"), State.REJECTED: N_("rejected")}
PRESENCE_SECONDS = 45


class ReviewError(ValueError):
    """A state change or comment that cannot be made as asked, said for a person."""

    error_code = "review_refused"


class ForbiddenError(PermissionError):
    """The person's role does not allow this."""

    error_code = "role_forbids"


def check_may_edit(seg: Segment, role: Role, locked: bool | None = None) -> None:
    """Refuse a translator's edit of an approved segment, and anyone's of a locked one."""
    if interchange.is_locked(seg) if locked is None else locked:
        raise ForbiddenError(_l("Segment %(number)s is locked: its XLIFF file marks it "
                                "translate=\"no\", so it is exported exactly as imported.",
                                number=seg.number))
    if seg.state == State.APPROVED and role < Role.EDITOR:
        raise ForbiddenError(_l("Segment %(number)s is approved; only an editor may change it.",
                                number=seg.number))


def _state_word(state: State):
    """Return a state as "mark a segment …" ends: the slug in English."""
    return _l(STATE_WORDS[state]) if state in STATE_WORDS else state.slug


def save_state(seg: Segment, role: Role) -> State:
    """Return the state a save leaves: an editor's fix keeps a segment approved."""
    if seg.state == State.APPROVED and role >= Role.EDITOR:
        return State.APPROVED
    return State.TRANSLATED


def set_state(db: Session, seg: Segment, state: State, author: str, role: Role,
              comment: str | None = None) -> Segment:
    """Move a segment to translated, approved or rejected, with the comment a rejection needs."""
    if state not in MAY_SET:
        raise ReviewError(_l("A segment can be set to translated, approved or rejected, "
                             "not %(state)s.", state=_state_word(state)))
    if role < MAY_SET[state]:
        raise ForbiddenError(_l("Only an editor may mark a segment %(state)s.",
                                state=_state_word(state)))
    check_may_edit(seg, role)
    comment = (comment or "").strip()
    if state == State.REJECTED and not comment:
        raise ReviewError(_l("Say why the segment is rejected: the translator sees the "
                             "comment."))
    if len(comment) > MAX_COMMENT:
        raise ReviewError(_l("A comment holds at most %(most)s characters.", most=MAX_COMMENT))
    if not seg.target.strip():
        raise ReviewError(_l("Segment %(number)s has no target text to mark %(state)s.",
                             number=seg.number, state=_state_word(state)))
    before = State(seg.state)
    seg.state = int(state)
    seg.updated_by, seg.updated_at = author, utcnow()
    log(db, Action.STATE, author, seg.document_id, seg.id, before=before.slug, after=state.slug,
        version=seg.version)
    if comment:
        _comment(db, seg, author, comment, "rejection" if state == State.REJECTED else "comment")
    db.commit()
    return seg


def _comment(db: Session, seg: Segment, author: str, text: str, kind: str) -> Comment:
    """Store a comment and its change-log row."""
    row = Comment(segment_id=seg.id, author=author, text=text, kind=kind)
    db.add(row)
    db.flush()
    log(db, Action.COMMENT, author, seg.document_id, seg.id, comment=row.id, kind=kind)
    return row


def add_comment(db: Session, seg: Segment, author: str, text: str) -> Comment:
    """Add a comment to a segment."""
    text = (text or "").strip()
    if not text:
        raise ReviewError(_l("The comment is empty."))
    if len(text) > MAX_COMMENT:
        raise ReviewError(_l("A comment holds at most %(most)s characters.", most=MAX_COMMENT))
    row = _comment(db, seg, author, text, "comment")
    db.commit()
    return row


def comments(db: Session, seg_ids: list[int]) -> dict[int, list[Comment]]:
    """Return the comments of several segments, oldest first."""
    out: dict[int, list[Comment]] = {i: [] for i in seg_ids}
    if seg_ids:
        for c in db.scalars(select(Comment).where(Comment.segment_id.in_(seg_ids))
                            .order_by(Comment.id)):
            out[c.segment_id].append(c)
    return out


@dataclass
class Chain:
    """The texts a reviewer compares: the MT draft, the translator's pass, the editor's pass."""

    mt: str
    translator: str | None
    editor: str | None


def chain(db: Session, seg: Segment) -> Chain:
    """Return the MT draft, the translator's latest text and the editor's text after it."""
    return chains(db, [seg])[seg.id]


def chains(db: Session, segs: list[Segment]) -> dict[int, Chain]:
    """Return the review chain of several segments with one query."""
    by_seg: dict[int, list[Revision]] = {s.id: [] for s in segs}
    if segs:
        for rev in db.scalars(select(Revision).where(Revision.segment_id.in_(list(by_seg)))
                              .order_by(Revision.segment_id, Revision.version)):
            by_seg[rev.segment_id].append(rev)
    return {s.id: _chain(s, by_seg[s.id]) for s in segs}


def _chain(seg: Segment, revs: list[Revision]) -> Chain:
    """Return the review chain from a segment's revisions in version order."""
    translator = editor = None
    for rev in revs:
        if rev.kind in MACHINE_KINDS and rev.role is None:
            continue
        if rev.role is not None and rev.role >= Role.EDITOR:
            editor = rev.text
        else:
            translator, editor = rev.text, None
    if editor == translator:
        editor = None
    return Chain(seg.mt, translator, editor)


def touch(db: Session, seg_id: int, username: str, seconds: int = PRESENCE_SECONDS) -> None:
    """Record that `username` has the segment open, for `seconds` more."""
    expires = utcnow() + timedelta(seconds=seconds)
    row = db.get(Presence, (seg_id, username))
    if row is None:
        db.add(Presence(segment_id=seg_id, username=username, expires_at=expires))
    else:
        row.expires_at = expires
    db.commit()


def release(db: Session, seg_id: int, username: str, commit: bool = True) -> None:
    """Forget that `username` has the segment open (in the caller's transaction if asked)."""
    db.execute(delete(Presence).where(Presence.segment_id == seg_id,
                                      Presence.username == username))
    if commit:
        db.commit()


def present(db: Session, seg_ids: list[int], except_user: str) -> dict[int, list[str]]:
    """Return who else has each of these segments open right now."""
    out: dict[int, list[str]] = {}
    if not seg_ids:
        return out
    rows = db.scalars(select(Presence).where(
        Presence.segment_id.in_(seg_ids), Presence.expires_at > utcnow(),
        Presence.username != except_user,
    ))
    for row in rows:
        out.setdefault(row.segment_id, []).append(row.username)
    return out
