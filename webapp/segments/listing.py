"""The segment list of the editor and review pages: its filter and page from the query string."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from urllib.parse import quote

from sqlalchemy.orm import Session

from webapp.core.messages import _l
from webapp.core.models import Document
from webapp.core.patterns import PatternRefused
from webapp.core.states import State
from webapp.documents.importing import DocumentError
from webapp.documents.queries import FilterRefused, SegmentFilter, page_and_count
from webapp.review import workflow as review
from webapp.segments.rows import notes_and_presence

# The segment list, and the next chunk of its rows (asked for by the "more" row).
FRAGMENTS = {"segment-list": "segments/_list.html", "seg-more": "segments/_rows.html"}

QaFinder = Callable[[Session, int], list[int]]
# Where the QA feature puts its QaFinder in app.extensions, when it is installed.
QA_FINDER = "webapp.qa_segment_ids"


class ListError(DocumentError):
    """A query string the segment list cannot follow: 400, or 422 for a refused pattern."""

    error_code = "list_refused"

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


def segment_filter(db: Session, doc: Document, args, default_states: tuple = (),
                   qa_finder: QaFinder | None = None) -> SegmentFilter:
    """Return the segment filter the query string `args` (a multi-dict) names."""
    states = []
    for slug in args.getlist("state"):
        if not slug:
            continue
        try:
            states.append(State.from_slug(slug))
        except ValueError:
            raise ListError(_l("Unknown state %(state)s.", state=repr(slug))) from None
    if "state" not in args:
        states = list(default_states)
    ids = None
    if args.get("qa"):
        # The QA feature registers how to find segments with open QA warnings.
        if qa_finder is None:
            raise ListError(_l("QA warnings are not available."))
        ids = qa_finder(db, doc.id)
    flt = SegmentFilter(
        states=states, query=args.get("q", "").strip()[:500],
        field=args.get("in", "both"), regex=bool(args.get("regex")),
        author=args.get("author", "").strip()[:80], has_comment=bool(args.get("commented")),
        ids=ids, case=bool(args.get("case")), word=bool(args.get("word")),
    )
    try:
        flt.check()
    except DocumentError as exc:
        raise ListError(str(exc), status=422 if isinstance(exc, FilterRefused) else 400) from None
    return flt


def hit_spans(flt: SegmentFilter, segments: list) -> dict[int, dict[str, list]]:
    """Return where the search hits each shown segment: {id: {field: [(start, end)]}}."""
    matcher = flt.matcher()
    if matcher is None:
        return {}
    try:
        return {seg.id: {f: matcher.spans(getattr(seg, f)) for f in flt.fields}
                for seg in segments}
    except PatternRefused as exc:
        raise ListError(str(exc), status=422) from None


def filter_query(flt: SegmentFilter, view: str) -> str:
    """Return the filter as query-string parameters (each after a "&"), for links."""
    params: list[tuple[str, str]] = [("state", st.slug) for st in flt.states]
    if not flt.states and view == "review":
        params.append(("state", ""))  # "all states", where the review view defaults to some
    params += [(k, v) for k, v in (("q", flt.query), ("author", flt.author)) if v]
    if flt.field != "both":
        params.append(("in", flt.field))
    params += [(k, "1") for k, on in (("regex", flt.regex), ("case", flt.case),
                                      ("word", flt.word), ("commented", flt.has_comment),
                                      ("qa", flt.ids is not None)) if on]
    return "".join(f"&{k}={quote(v, safe='')}" for k, v in params)


def _int_arg(args, name: str, default: int, lo: int = 0, hi: int = 10**9) -> int:
    """Return an integer query argument clamped to [lo, hi], or raise ListError."""
    raw = args.get(name, "")
    if not raw:
        return default
    try:
        return max(lo, min(hi, int(raw)))
    except ValueError:
        raise ListError(_l("%(name)s must be a whole number.", name=name)) from None


def list_context(db: Session, doc: Document, args, headers: Mapping, settings: Mapping,
                 person: str, qa_finder: QaFinder | None = None, view: str = "edit",
                 goto: int = 0) -> dict:
    """Return what the segment list (of the editor or the review page) shows for a request."""
    size = settings["PAGE_SIZE"]
    flt = segment_filter(db, doc, args, (State.TRANSLATED,) if view == "review" else (),
                         qa_finder)
    goto = goto or _int_arg(args, "goto", 0, 0)
    offset = _int_arg(args, "offset", 0, 0)
    first_rows = settings["FIRST_ROWS"]
    if goto:
        # The page starts at a round number just before the segment, close enough for it
        # to be among the first rows served.
        step = max(1, min(10, first_rows))
        offset = (goto - 1) // step * step
    # `until` ends the page whose next rows a "more" request asks for; `rows` asks for more
    # rows at once (a list refreshed in place keeps the rows the translator had loaded).
    until = _int_arg(args, "until", offset + size, offset, offset + size)
    if "until" in args:
        first = settings["MORE_ROWS"]
    else:
        first = size if args.get("open") == "last" else first_rows
    want = min(_int_arg(args, "rows", first, 1, size), until - offset)
    more_rows = headers.get("HX-Target") == "seg-more"
    # One row beyond those wanted tells whether the page goes on, without counting.
    segments, total, hit_count = page_and_count(db, doc.id, offset, want + 1, flt,
                                                with_total=not more_rows)
    end = offset + min(len(segments), want)
    list_url = f"{doc.url}/review" if view == "review" else doc.url
    more_url = None
    if len(segments) > want and end < until:
        more_url = f"{list_url}?offset={end}&until={until}"
    segments = segments[:want]
    # A list that starts inside a page (after "go to", a split or a merge) offers the rows
    # before it there, a chunk at a time, as the "more" row offers those after it; the
    # pager leads to the page before.
    page_start = offset // size * size
    back = max(page_start, offset - settings["MORE_ROWS"]) if offset > page_start else None
    return {
        "hit_count": hit_count,
        "hits": hit_spans(flt, segments),
        "less_offset": back,
        **notes_and_presence(db, segments, person),
        "chains": review.chains(db, segments) if view == "review" else {},
        "view": view,
        "list_url": list_url,
        "doc": doc,
        "segments": segments,
        "total": total,
        "offset": offset,
        "page_size": size,
        "more_url": more_url,
        "flt": flt,
        "sq": filter_query(flt, view),
        "goto": goto,
        "States": State,
        "qa_available": qa_finder is not None,
    }
