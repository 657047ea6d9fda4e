"""Search and replace in a document's targets: a preview, the replace as revisions, its undo."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.core.messages import Joined, _l
from webapp.core.models import MAX_ID, Document, ReplaceBatch, Revision, Segment, utcnow
from webapp.core.patterns import (
    Matcher,
    PatternError,
    PatternRefused,
    Query,
    SearchTooSlow,
    parse_query,
)
from webapp.core.states import Action, Role, State
from webapp.documents.importing import MAX_SEGMENT_CHARS, DocumentError
from webapp.interchange import codes
from webapp.interchange import exchange as interchange
from webapp.review import workflow as review
from webapp.segments.editing import ConflictError, save_target

KIND = "replace"
UNDO_KIND = "replace-undo"


class ReplaceError(DocumentError):
    """A search or replace that cannot be run as asked: 400, or 422 when refused."""

    error_code = "replace_refused"

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


def matcher_for(find: str | None, regex: bool = False, case: bool = False,
                word: bool = False) -> Matcher:
    """Return the compiled search, or raise ReplaceError saying what is wrong with it."""
    if find is not None and not isinstance(find, str):
        raise ReplaceError(_l("'find' must be a string."))
    query = parse_query(find, regex=regex, case=case, word=word)
    try:
        return Matcher(query)
    except PatternRefused as exc:
        raise ReplaceError(str(exc), 422) from None
    except PatternError as exc:
        raise ReplaceError(str(exc)) from None


def template_for(matcher: Matcher, replacement: str | None) -> list:
    """Return the parsed replacement, or raise ReplaceError."""
    if not isinstance(replacement, str):
        raise ReplaceError(_l("'replace' must be a string (it may be empty, to delete the hits)."))
    try:
        return matcher.template(replacement)
    except PatternRefused as exc:
        raise ReplaceError(str(exc), 422) from None
    except PatternError as exc:
        raise ReplaceError(str(exc)) from None


def options_of(query: Query) -> str:
    """Return a query's toggles as stored with a batch ("case,word")."""
    return ",".join(name for name, on in (("case", query.case), ("word", query.word)) if on)


@dataclass
class Planned:
    """One segment's replacement: its text before and after, or why it is left alone."""

    seg: Segment
    before: str
    after: str
    hits: list[tuple[int, int]]
    changes: list[tuple[int, int, str]]
    refused: str | None = None

    @property
    def after_spans(self) -> list[tuple[int, int]]:
        """Return where the new text was put in, in the text after."""
        return [(start, end) for start, end, _new in self.changes]

    def to_dict(self) -> dict:
        """Return the JSON API's view of the change."""
        return {"segment_id": self.seg.id, "number": self.seg.number,
                "version": self.seg.version, "state": State(self.seg.state).slug,
                "before": self.before, "after": self.after, "hits": len(self.hits),
                "replaceable": self.refused is None, "refused": self.refused}


def _refusal(seg: Segment, before: str, after: str, role: Role, locked: bool) -> str | None:
    """Return why a segment may not take its replacement, or None."""
    try:
        review.check_may_edit(seg, role, locked)
    except review.ForbiddenError as exc:
        return exc.args[0] if exc.args else str(exc)
    if not after.strip():
        # An empty target means "not translated yet"; a replace that empties segments is
        # nearly always a pattern that matched too much. Emptying one is an edit of its own.
        return _l("Segment %(number)s would be left empty; edit it by hand to empty it.", number=seg.number)
    if seg.codes_json and (Counter(codes.PLACEHOLDER_RE.findall(after))
                           != Counter(codes.PLACEHOLDER_RE.findall(before))):
        return _l("Segment %(number)s would lose or gain an inline tag.", number=seg.number)
    return None


def plan(db: Session, doc: Document, matcher: Matcher, replacement: str, role: Role,
         max_chars: int = MAX_SEGMENT_CHARS, only: dict[int, int] | None = None
         ) -> list[Planned]:
    """Return every target the replace changes, in document order (or only these ids)."""
    template = template_for(matcher, replacement)
    stmt = select(Segment.id, Segment.target).where(Segment.document_id == doc.id)
    if only is not None:
        stmt = stmt.where(Segment.id.in_(list(only)))
    try:
        return _plan(db, doc, matcher, template, role, max_chars, stmt)
    except SearchTooSlow as exc:
        raise ReplaceError(str(exc), 422) from None


def _plan(db: Session, doc: Document, matcher: Matcher, template: list, role: Role,
          max_chars: int, stmt) -> list[Planned]:
    """Return the changes of the segments `stmt` (ids and targets) names."""
    hit_ids = [i for i, target in db.execute(stmt.order_by(Segment.position))
               if matcher.found_in(target)]
    locked = interchange.locked_ids(db, doc.id)
    out: list[Planned] = []
    for start in range(0, len(hit_ids), 500):
        chunk = db.scalars(select(Segment).where(Segment.id.in_(hit_ids[start:start + 500]))
                           .order_by(Segment.position))
        for seg in chunk:
            before = seg.target
            refused = None
            try:
                after, changes = matcher.replace(before, template, limit=max_chars)
            except SearchTooSlow:
                raise
            except PatternRefused:
                after, changes = before, []
                refused = _l("Segment %(number)s would be longer than %(max)s characters.",
                             number=seg.number, max=max_chars)
            if after == before and refused is None:
                continue  # replaced by itself: nothing changes, nothing to show
            refused = refused or _refusal(seg, before, after, role, seg.id in locked)
            out.append(Planned(seg, before, after, matcher.spans(before), changes, refused))
    return out


@dataclass
class Outcome:
    """What a replace or its undo did: the segments written, and those left and why."""

    batch: ReplaceBatch | None
    done: list[Segment] = field(default_factory=list)
    conflicts: list[tuple[Segment, str]] = field(default_factory=list)
    skipped: list[tuple[Segment | None, str]] = field(default_factory=list)

    def to_dict(self) -> dict:
        """Return the JSON API's view of the outcome."""
        def left(pairs):
            return [{"segment_id": s.id if s is not None else None,
                     "number": s.number if s is not None else None,
                     "version": s.version if s is not None else None, "reason": why}
                    for s, why in pairs]
        return {"batch": self.batch.to_dict() if self.batch is not None else None,
                "replaced": [s.to_dict() for s in self.done],
                "conflicts": left(self.conflicts), "skipped": left(self.skipped)}


def _keeps_state(seg: Segment, role: Role) -> State:
    """Return the state a replace leaves: drafts stay drafts, an editor keeps an approval."""
    # Nobody read a draft whole because a word in it was replaced.
    if seg.state >= State.TRANSLATED:
        return review.save_state(seg, role)
    return State(seg.state)


def _spelled(seg: Segment, text: str) -> str:
    """Return text as the save path takes it: inline codes spelled as ⟨1⟩ tokens."""
    return codes.to_tokens(text, codes.of(seg)) if seg.codes_json else text


def apply(db: Session, doc: Document, matcher: Matcher, replacement: str,
          selected: dict[int, int], author: str, role: Role,
          max_chars: int = MAX_SEGMENT_CHARS) -> Outcome:
    """Replace in the selected {segment id: version previewed}, as revisions of one batch."""
    # A segment changed since the preview is reported, never written.
    if not selected:
        raise ReplaceError(_l("Choose at least one segment to replace in."))
    if not all(0 < i <= MAX_ID and 0 <= v <= MAX_ID for i, v in selected.items()):
        raise ReplaceError(_l("Segment ids and versions are whole numbers the preview gave."))
    planned = {p.seg.id: p for p in plan(db, doc, matcher, replacement, role, max_chars,
                                         only=selected)}
    unknown = set(selected) - set(db.scalars(select(Segment.id).where(
        Segment.document_id == doc.id, Segment.id.in_(list(selected)))))
    if unknown:
        raise ReplaceError(_l("Segment id %(id)s is not in this document.", id=str(min(unknown))))
    outcome = Outcome(None)
    writes = []
    for seg_id, version in selected.items():
        item = planned.get(seg_id)
        seg = item.seg if item is not None else db.get(Segment, seg_id)
        if seg.version != version:
            outcome.conflicts.append((seg, _l(
                "Segment %(number)s was changed meanwhile by %(name)s (now version %(version)s).",
                number=seg.number, name=seg.updated_by, version=seg.version)))
        elif item is None:
            outcome.skipped.append((seg, _l("Segment %(number)s has nothing to replace.", number=seg.number)))
        else:
            writes.append(item)
    refused = [p for p in writes if p.refused]
    if refused:
        # Checked before anything is written: a bad selection changes nothing.
        raise ReplaceError(_l("%(reasons)s Nothing was replaced.",
                              reasons=Joined([p.refused for p in refused[:5]])), 422)
    if not writes:
        return outcome
    batch = ReplaceBatch(document_id=doc.id, author=author, find=matcher.query.typed,
                         options=options_of(matcher.query), replacement=replacement)
    db.add(batch)
    db.commit()  # each segment's save commits on its own; the batch is there first
    outcome.batch = batch
    for item in sorted(writes, key=lambda p: p.seg.position):
        seg = item.seg
        try:
            save_target(db, seg, _spelled(seg, item.after), selected[seg.id], author,
                        _keeps_state(seg, role), max_chars=max_chars, role=int(role),
                        kind=KIND, action=Action.REPLACE, batch_id=batch.id)
        except ConflictError as exc:
            outcome.conflicts.append((exc.segment, str(exc)))
            continue
        outcome.done.append(seg)
    batch.segments = len(outcome.done)
    db.commit()
    return outcome


def undo(db: Session, batch: ReplaceBatch, author: str, role: Role) -> Outcome:
    """Give each segment of a replace its earlier text back, as new revisions."""
    # A segment edited since the replace is left as it is and listed.
    if batch.undone_at is not None:
        raise ReplaceError(_l("This replace was undone already, by %(name)s.",
                                name=batch.undone_by), 409)
    if batch.author != author and role < Role.EDITOR:
        raise review.ForbiddenError(_l("Only the person who replaced, or an editor, may undo it."))
    revs = db.scalars(select(Revision).where(Revision.batch_id == batch.id,
                                             Revision.kind == KIND).order_by(Revision.id)).all()
    outcome = Outcome(batch)
    for rev in revs:
        seg = db.get(Segment, rev.segment_id)
        if seg is None:
            outcome.skipped.append((None, _l("A segment of the replace was merged away since.")))
            continue
        if seg.version != rev.version:
            outcome.skipped.append((seg, _l(
                "Segment %(number)s was edited since the replace (by %(name)s, now version "
                "%(version)s).", number=seg.number, name=seg.updated_by, version=seg.version)))
            continue
        earlier = db.scalar(select(Revision.text).where(
            Revision.segment_id == seg.id, Revision.version == rev.replaced_version))
        try:
            review.check_may_edit(seg, role)
        except review.ForbiddenError as exc:
            outcome.skipped.append((seg, str(exc)))
            continue
        if earlier is None:
            outcome.skipped.append((seg, _l("Segment %(number)s has no text from before.",
                                            number=seg.number)))
            continue
        try:
            save_target(db, seg, _spelled(seg, earlier), seg.version, author,
                        _keeps_state(seg, role), role=int(role),
                        max_chars=max(len(earlier), MAX_SEGMENT_CHARS),
                        kind=UNDO_KIND, action=Action.REPLACE_UNDO, batch_id=batch.id)
        except ConflictError as exc:
            outcome.skipped.append((exc.segment, str(exc)))
            continue
        outcome.done.append(seg)
    batch.undone_at, batch.undone_by = utcnow(), author
    db.commit()
    return outcome


def batch_of(db: Session, doc: Document, batch_id: int) -> ReplaceBatch | None:
    """Return the document's replace batch, or None."""
    batch = db.get(ReplaceBatch, batch_id)
    return batch if batch is not None and batch.document_id == doc.id else None
