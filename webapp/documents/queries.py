"""Reading documents: the list, a page of segments narrowed by a filter, progress, the next segment."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from sqlalchemy import func, or_, select, text, union_all
from sqlalchemy.orm import Session

from webapp.core.models import Comment, Document, DocumentProgress, Segment
from webapp.core.patterns import PatternError, PatternRefused, compile_pattern
from webapp.core.states import State
from webapp.documents.importing import DocumentError


def get_document(db: Session, doc_id: int) -> Document | None:
    """Return the document, or None."""
    return db.get(Document, doc_id)


def list_documents(db: Session) -> list[Document]:
    """Return every document, newest first."""
    return list(db.scalars(select(Document).order_by(Document.id.desc())))


def count_segments(db: Session, doc_id: int) -> int:
    """Return how many segments the document has."""
    return sum(n for n, _w in progress(db, doc_id).values())


class FilterRefused(DocumentError):
    """A filter that is well-formed but will not be run (a pattern RE2 cannot promise)."""


@dataclass
class SegmentFilter:
    """What the segment list is narrowed to."""

    states: Sequence[State] = ()
    query: str = ""
    # "both", "source" or "target"
    field: str = "both"
    regex: bool = False
    author: str = ""
    has_comment: bool = False
    # Restrict to these segment ids (e.g. those with QA warnings), when set.
    ids: Sequence[int] | None = None

    def check(self) -> None:
        """Refuse a regular expression that does not compile, naming the error."""
        if self.regex and self.query:
            try:
                compile_pattern(self.query, case=True)
            except PatternRefused as exc:
                raise FilterRefused(str(exc)) from None
            except PatternError as exc:
                raise DocumentError(str(exc)) from None
        if self.field not in ("both", "source", "target"):
            raise DocumentError("Search in source, target or both.")

    def apply(self, stmt):
        """Return the statement narrowed by this filter."""
        if self.states:
            stmt = stmt.where(Segment.state.in_([int(s) for s in self.states]))
        if self.query:
            cols = {"both": (Segment.source, Segment.target), "source": (Segment.source,),
                    "target": (Segment.target,)}[self.field]
            if self.regex:
                conds = [c.regexp_match(self.query) for c in cols]
            else:
                like = f"%{_escape_like(self.query)}%"
                conds = [c.ilike(like, escape="\\") for c in cols]
            stmt = stmt.where(or_(*conds))
        if self.author:
            stmt = stmt.where(Segment.updated_by == self.author)
        if self.has_comment:
            stmt = stmt.where(Segment.id.in_(select(Comment.segment_id)))
        if self.ids is not None:
            stmt = stmt.where(Segment.id.in_(list(self.ids)))
        return stmt


def _escape_like(text: str) -> str:
    """Escape LIKE wildcards so a search for '50%' finds '50%'."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


# PostgreSQL runs a pattern with its own engine, which can backtrack: a regex search gets
# this much time in the request's transaction, then a clear 422 (core.http).
PATTERN_TIMEOUT_MS = 3000


def _bound_pattern_time(db: Session, flt: SegmentFilter) -> None:
    """Give a regular-expression search on PostgreSQL a short statement timeout."""
    if flt.regex and flt.query and db.get_bind().dialect.name == "postgresql":
        db.execute(text(f"SET LOCAL statement_timeout = {PATTERN_TIMEOUT_MS}"))


def page_segments(
    db: Session, doc_id: int, offset: int = 0, limit: int = 100,
    flt: SegmentFilter | None = None, with_total: bool = True,
) -> tuple[list[Segment], int]:
    """Return one page of segments in order, and how many match in all (-1: not asked)."""
    if flt is not None and flt.ids is not None:
        return _page_of_ids(db, doc_id, offset, limit, flt, with_total)
    base = select(Segment).where(Segment.document_id == doc_id)
    count = select(func.count()).select_from(Segment).where(Segment.document_id == doc_id)
    # Whatever the filter's fields, it narrows the list exactly when it adds a condition.
    narrowed = flt is not None and flt.apply(select(Segment.id)).whereclause is not None
    if narrowed:
        flt.check()
        _bound_pattern_time(db, flt)
        base, count = flt.apply(base), flt.apply(count)
        base = base.order_by(Segment.position).offset(max(offset, 0))
    else:
        # Positions run 0..n-1 without gaps, so a page is a range of them: an index seek,
        # where OFFSET would step over every row before it (thousands, deep in a book).
        base = base.where(Segment.position >= max(offset, 0)).order_by(Segment.position)
    rows = db.scalars(base.limit(limit)).all()
    if not with_total:
        return list(rows), -1
    if not narrowed or _states_only(flt):
        # The kept counts answer "how many" with one primary-key read, where COUNT(*)
        # reads every entry of the document (or of its states).
        kept = progress(db, doc_id)
        wanted = flt.states if narrowed else list(State)
        return list(rows), sum(kept[State(s)][0] for s in set(wanted))
    return list(rows), db.scalar(count) or 0


def _states_only(flt: SegmentFilter) -> bool:
    """Return whether the filter narrows by state and nothing else."""
    return bool(flt.states) and replace(flt, states=()).apply(select(Segment.id)).whereclause is None


def _page_of_ids(db: Session, doc_id: int, offset: int, limit: int, flt: SegmentFilter,
                 with_total: bool) -> tuple[list[Segment], int]:
    """Return a page of the segments among flt.ids that match the rest of the filter."""
    # The ids can be thousands (every segment with a QA warning): sent as an IN list twice
    # per page they cost more than ordering the document's ids here and slicing.
    flt.check()
    _bound_pattern_time(db, flt)
    wanted = set(flt.ids)
    rest = replace(flt, ids=None)
    ordered = [i for i in db.scalars(rest.apply(select(Segment.id).where(
        Segment.document_id == doc_id)).order_by(Segment.position)) if i in wanted]
    page = ordered[max(offset, 0):max(offset, 0) + limit]
    rows = db.scalars(select(Segment).where(Segment.id.in_(page))
                      .order_by(Segment.position)).all() if page else []
    return list(rows), len(ordered) if with_total else -1


def state_counts(db: Session, doc_id: int) -> dict[State, int]:
    """Return how many segments are in each state."""
    return {s: n for s, (n, _w) in progress(db, doc_id).items()}


def progress(db: Session, doc_id: int) -> dict[State, tuple[int, int]]:
    """Return (segments, words) in each state, as the database keeps them."""
    kept = db.get(DocumentProgress, doc_id, populate_existing=True)
    return kept.by_state() if kept is not None else counted_progress(db, doc_id)


def counted_progress(db: Session, doc_id: int) -> dict[State, tuple[int, int]]:
    """Return (segments, words) in each state, counted from the segments."""
    rows = db.execute(
        select(Segment.state, func.count(), func.coalesce(func.sum(Segment.words), 0))
        .where(Segment.document_id == doc_id).group_by(Segment.state)
    ).all()
    out = {s: (0, 0) for s in State}
    for state, n, words in rows:
        out[State(state)] = (n, int(words))
    return out


def neighbour(db: Session, seg: Segment, step: int) -> Segment | None:
    """Return the segment `step` positions after (or before) this one."""
    return db.scalar(
        select(Segment).where(
            Segment.document_id == seg.document_id, Segment.position == seg.position + step
        )
    )


def next_matching(db: Session, doc_id: int, after: int, states: Sequence[State]) -> Segment | None:
    """Return the first segment after position `after` in one of `states`, wrapping around."""
    def first(*where) -> int | None:
        # One MIN per state is one seek in the (document, state, position) index, however
        # many segments lie before the match; ORDER BY position would walk them all.
        per_state = union_all(*(
            select(func.min(Segment.position).label("p")).where(
                Segment.document_id == doc_id, Segment.state == int(s), *where)
            for s in states
        )).subquery()
        return db.scalar(select(func.min(per_state.c.p)))

    position = first(Segment.position > after)
    if position is None:
        position = first(Segment.position <= after)
    if position is None:
        return None
    return db.scalar(select(Segment).where(Segment.document_id == doc_id,
                                           Segment.position == position))
