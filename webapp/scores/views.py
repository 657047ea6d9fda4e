"""The scores pages: a document's report, reference upload and downloads."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from markupsafe import Markup

from webapp.core.access import current_name, require_role
from webapp.core.db import get_db
from webapp.core.http import download, get_or_404, int_arg, page_or_fragment, uploaded_file
from webapp.core.i18n import datetime_filter, number_filter
from webapp.core.messages import _l
from webapp.core.models import Document, Job, Segment
from webapp.core.states import Role, State
from webapp.documents import textio
from webapp.scores import charts, metrics, references, store
from webapp.scores.report import (
    SORTS,
    Report,
    build_report,
    file_stem,
    person_figures,
    progress_points,
    sort_rows,
    to_csv,
    to_json,
)
from webapp.scores.scorer import Scorer

bp = Blueprint("scores", __name__)

PAGE_SIZE = 100
# How many segments' stored scores one query fetches for the editor's rows: a page and more.
SCORE_WINDOW = 250


def scorer() -> Scorer:
    """Return the app's background scorer."""
    return current_app.extensions["webapp.scorer"]


def load_report(doc: Document) -> Report:
    """Return the document's report, starting a background refresh when it is out of date."""
    return build_report(get_db(), doc, scorer().refresh_document)


def _table_args() -> tuple[str, str, int]:
    """Return the sort key, its direction and the offset named by the query string."""
    key = request.args.get("sort", "hter")
    if key not in SORTS:
        abort(400, str(_l("Sort by one of %(keys)s, not %(key)s.", keys=", ".join(SORTS),
                          key=repr(key))))
    order = request.args.get("order", SORTS[key])
    if order not in ("asc", "desc"):
        abort(400, str(_l("order is asc or desc.")))
    try:
        offset = max(0, int(request.args.get("offset", "0") or 0))
    except ValueError:
        abort(400, str(_l("offset must be a whole number.")))
    return key, order, offset


def report_context(report: Report, error: str | None = None) -> dict:
    """Return what the report page and its fragments need."""
    key, order, offset = _table_args()
    rows = sort_rows(report.rows, key, order)
    edited = [s for s in report.rows if s.post_edited]
    hters = [s.score.ter for s in edited if s.score is not None]
    return {
        "doc": report.doc,
        "report": report,
        "figures": report.figures,
        "reference": report.facts.reference,
        "page": rows[offset:offset + PAGE_SIZE],
        "total_rows": len(rows),
        "offset": offset,
        "page_size": PAGE_SIZE,
        "sort": key,
        "order": order,
        "sorts": SORTS,
        "edited": len(edited),
        "with_mt": len(report.rows),
        "persons": person_figures(report.facts),
        # The helpers escape every label; the charts hold no user text at all.
        "hter_chart": Markup(charts.hter_histogram_svg(
            hters, title=_l("HTER of the post-edited segments"))),
        "progress_chart": Markup(charts.progress_svg(
            progress_points(report.facts), y_label=_l("Segments translated"), when=datetime_filter)),
        "status_job": get_db().get(Job, report.job_id) if report.job_id else None,
        "error": error,
        "States": State,
    }


@bp.get("/documents/<int:doc_id>/report")
@require_role(Role.TRANSLATOR)
def report(doc_id: int):
    """Show a document's scores, or only its segment table or report body to htmx."""
    doc = get_or_404(Document, doc_id)
    return page_or_fragment(
        "scores/report.html",
        {"report-segments": "scores/_segment_table.html", None: "scores/_report.html"},
        **report_context(load_report(doc)),
    )


@bp.post("/documents/<int:doc_id>/reference")
@require_role(Role.EDITOR)
def upload_reference(doc_id: int):
    """Store an uploaded reference translation aligned with the document's segments."""
    doc = get_or_404(Document, doc_id)
    limit = current_app.config["MAX_UPLOAD_BYTES"]
    db = get_db()
    try:
        name, data = uploaded_file(
            limit, textio.TextImportError(_l("Choose the reference file to upload.")))
        ids = references.segment_ids(db, doc.id)
        lines = references.read_reference(name, data, len(ids), limit)
        references.store_reference_lines(db, doc.id, name, lines, current_name(), ids)
    except (textio.TextImportError, ValueError) as exc:
        # ReferenceMismatchError and the XLIFF reader's FormatError are ValueErrors too.
        db.rollback()
        message = str(exc)
        if isinstance(exc, metrics.ReferenceMismatchError):
            message = str(_l("%(problem)s Put each segment's reference on a line of its own, or "
                             "upload an XLIFF file with one unit per segment.", problem=message))
        ctx = report_context(load_report(doc), error=message)
        return render_template("scores/report.html", **ctx), 400
    return redirect(url_for("scores.report", doc_id=doc.id), code=303)


@bp.get("/documents/<int:doc_id>/report.csv")
@require_role(Role.TRANSLATOR)
def report_csv(doc_id: int):
    """Download the segment table as CSV, in document order."""
    doc = get_or_404(Document, doc_id)
    rep = load_report(doc)
    extra = {} if rep.ready else {"X-Scores-Status": "computing"}
    return download(to_csv(rep), f"{file_stem(doc)}.scores.csv",
                    "text/csv; charset=utf-8", **extra)


@bp.get("/documents/<int:doc_id>/report.json")
@require_role(Role.TRANSLATOR)
def report_download(doc_id: int):
    """Download the whole report as JSON."""
    doc = get_or_404(Document, doc_id)
    body = jsonify(to_json(load_report(doc))).get_data()
    return download(body, f"{file_stem(doc)}.report.json", "application/json")


@bp.get("/segments/<int:seg_id>/scores")
@require_role(Role.TRANSLATOR)
def segment_scores(seg_id: int):
    """Return a segment's compact score line (it polls a few times after a save)."""
    seg = get_or_404(Segment, seg_id)
    tries = int_arg("tries", 0)
    return render_template("scores/_segment_scores.html", seg=seg, doc=seg.document,
                           tries=tries, poll_scores=True)


# --- Hooks into the editor's templates -------------------------------------------------


def segment_score(seg: Segment) -> store.StoredScore | None:
    """Return a segment's stored scores if they match its texts now (never computed here)."""
    # Rows come a page at a time: one query for the run of segments from the first row asked
    # about, rather than one per row.
    cache = g.setdefault("segment_scores", {})
    # The runs already fetched: a segment inside one without a stored score has none, so
    # unscored rows must not each send a query of their own.
    runs = g.setdefault("segment_score_runs", [])
    fetched = any(doc == seg.document_id and lo <= seg.position < hi for doc, lo, hi in runs)
    if seg.id not in cache and not fetched:
        cache.update(store.stored_scores(get_db(), seg.document_id, seg.position,
                                         SCORE_WINDOW))
        runs.append((seg.document_id, seg.position, seg.position + SCORE_WINDOW))
    stored = cache.get(seg.id)
    # An MT draft (untouched, or restored to the machine's text) has no post-edit to measure.
    if seg.state == State.MT:
        return None
    return stored if store.is_fresh(stored, seg.mt, seg.target) else None


def revision_scores(seg: Segment, revisions) -> dict[int, metrics.RevisionScores]:
    """Return the scores of a segment's revisions, once per request."""
    cache = g.setdefault("revision_scores", {})
    if seg.id not in cache:
        cache[seg.id] = store.revision_scores(get_db(), seg, revisions)
    return cache[seg.id]


def figure(value: float | None) -> str:
    """Format a score as sacrebleu prints it by default, one decimal, with the reader's
    decimal sign (34.5, in German 34,5)."""
    return number_filter(value, 1)


def duration(seconds: float | None) -> str:
    """Format editing time for a person: 42 s, 3 min 05 s, 1 h 02 min."""
    if not seconds:
        return "—"
    seconds = round(seconds)
    if seconds < 60:
        return str(_l("%(seconds)s s", seconds=seconds))
    minutes, secs = divmod(seconds, 60)
    if minutes < 60:
        return str(_l("%(minutes)s min %(seconds)s s", minutes=minutes, seconds=str(secs).zfill(2)))
    hours, minutes = divmod(minutes, 60)
    return str(_l("%(hours)s h %(minutes)s min", hours=hours, minutes=str(minutes).zfill(2)))
