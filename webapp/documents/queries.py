"""Reading documents: the list, a page of segments narrowed by a filter, progress, the next segment."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from sqlalchemy import func, select, union_all
from sqlalchemy.orm import Session

from webapp.core.messages import _l
from webapp.core.models import Comment, Document, DocumentProgress, Segment
from webapp.core.patterns import Matcher, PatternError, PatternRefused, parse_query
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

    error_code = "filter_refused"


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
    case: bool = False
    word: bool = False

    def matcher(self) -> Matcher | None:
        """Return the compiled search (core.patterns reads `/…/` as a regex), or None."""
        query = parse_query(self.query, regex=self.regex, case=self.case, word=self.word)
        if not query.body:
            return None
        try:
            return Matcher(query)
        except PatternRefused as exc:
            raise FilterRefused(str(exc)) from None
        except PatternError as exc:
            raise DocumentError(str(exc)) from None

    def check(self) -> None:
        """Refuse a regular expression that does not compile, naming the error."""
        if self.field not in ("both", "source", "target"):
            raise DocumentError(_l("Search in source, target or both."))
        self.matcher()

    @property
    def fields(self) -> tuple[str, ...]:
        """Return the segment fields the search looks in."""
        return {"source": ("source",), "target": ("target",)}.get(self.field,
                                                                  ("source", "target"))

    def apply(self, stmt):
        """Return the statement narrowed by everything but the search (which runs in RE2)."""
        if self.states:
            stmt = stmt.where(Segment.state.in_([int(s) for s in self.states]))
        if self.author:
            stmt = stmt.where(Segment.updated_by == self.author)
        if self.has_comment:
            stmt = stmt.where(Segment.id.in_(select(Comment.segment_id)))
        if self.ids is not None:
            stmt = stmt.where(Segment.id.in_(list(self.ids)))
        return stmt


@dataclass
class HitCount:
    """How often a search hits a document: hits, and in how many segments."""

    hits: int = 0
    segments: int = 0


def search_document(db: Session, doc_id: int, flt: SegmentFilter,
                    matcher: Matcher | None = None) -> tuple[list[int], HitCount]:
    """Return the ids of the segments the filter finds, in order, and the document's hits."""
    matcher = matcher or flt.matcher()
    # The search runs here, in RE2, not in the database: one syntax and one engine on
    # SQLite and PostgreSQL alike (PostgreSQL's own regexes backtrack, and its \b is a
    # backspace), in time linear in the text.
    cols = [getattr(Segment, f) for f in flt.fields]
    stmt = flt.apply(select(Segment.id, *cols).where(Segment.document_id == doc_id))
    found, count = [], HitCount()
    try:
        for seg_id, *texts in db.execute(stmt.order_by(Segment.position)):
            if matcher is None:
                found.append(seg_id)
                continue
            hits = sum(matcher.count(t) for t in texts)
            if hits:
                found.append(seg_id)
                count.hits += hits
                count.segments += 1
    except PatternRefused as exc:  # stopped at its time budget
        raise FilterRefused(str(exc)) from None
    return found, count


def page_segments(
    db: Session, doc_id: int, offset: int = 0, limit: int = 100,
    flt: SegmentFilter | None = None, with_total: bool = True,
) -> tuple[list[Segment], int]:
    """Return one page of segments in order, and how many match in all (-1: not asked)."""
    segs, total, _count = page_and_count(db, doc_id, offset, limit, flt, with_total)
    return segs, total


def page_and_count(
    db: Session, doc_id: int, offset: int = 0, limit: int = 100,
    flt: SegmentFilter | None = None, with_total: bool = True,
) -> tuple[list[Segment], int, HitCount | None]:
    """Return one page of segments, how many match (-1: not asked), and the search's hits."""
    matcher = flt.matcher() if flt is not None else None
    if flt is not None:
        flt.check()
    if matcher is not None or (flt is not None and flt.ids is not None):
        return _page_in_python(db, doc_id, offset, limit, flt, matcher, with_total)
    base = select(Segment).where(Segment.document_id == doc_id)
    count = select(func.count()).select_from(Segment).where(Segment.document_id == doc_id)
    # Whatever the filter's fields, it narrows the list exactly when it adds a condition.
    narrowed = flt is not None and flt.apply(select(Segment.id)).whereclause is not None
    if narrowed:
        base, count = flt.apply(base), flt.apply(count)
        base = base.order_by(Segment.position).offset(max(offset, 0))
    else:
        # Positions run 0..n-1 without gaps, so a page is a range of them: an index seek,
        # where OFFSET would step over every row before it (thousands, deep in a book).
        base = base.where(Segment.position >= max(offset, 0)).order_by(Segment.position)
    rows = db.scalars(base.limit(limit)).all()
    if not with_total:
        return list(rows), -1, None
    if not narrowed or _states_only(flt):
        # The kept counts answer "how many" with one primary-key read, where COUNT(*)
        # reads every entry of the document (or of its states).
        kept = progress(db, doc_id)
        wanted = flt.states if narrowed else list(State)
        return list(rows), sum(kept[State(s)][0] for s in set(wanted)), None
    return list(rows), db.scalar(count) or 0, None


def _states_only(flt: SegmentFilter) -> bool:
    """Return whether the filter narrows by state and nothing else."""
    return bool(flt.states) and replace(flt, states=()).apply(select(Segment.id)).whereclause is None


def _page_in_python(db: Session, doc_id: int, offset: int, limit: int, flt: SegmentFilter,
                    matcher: Matcher | None, with_total: bool
                    ) -> tuple[list[Segment], int, HitCount | None]:
    """Return a page of the segments the search (or flt.ids) finds, read in order here."""
    # The ids can be thousands (every segment with a QA warning): sent as an IN list twice
    # per page they cost more than ordering the document's ids here and slicing.
    wanted = set(flt.ids) if flt.ids is not None else None
    found, count = search_document(db, doc_id, replace(flt, ids=None), matcher)
    if wanted is not None:
        found = [i for i in found if i in wanted]
        if matcher is not None:  # the hits of the segments the QA filter keeps
            count = _recount(db, found, flt, matcher)
    page = found[max(offset, 0):max(offset, 0) + limit]
    rows = db.scalars(select(Segment).where(Segment.id.in_(page))
                      .order_by(Segment.position)).all() if page else []
    return (list(rows), len(found) if with_total else -1,
            count if matcher is not None else None)


def _recount(db: Session, ids: list[int], flt: SegmentFilter, matcher: Matcher) -> HitCount:
    """Return the hits of the search in these segments."""
    count = HitCount()
    cols = [getattr(Segment, f) for f in flt.fields]
    for start in range(0, len(ids), 500):
        for texts in db.execute(select(*cols).where(Segment.id.in_(ids[start:start + 500]))):
            hits = sum(matcher.count(t) for t in texts)
            count.hits += hits
            count.segments += bool(hits)
    return count


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
