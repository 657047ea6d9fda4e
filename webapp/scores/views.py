"""The scores report of a document: corpus figures, segment table, charts, downloads, API, CLI."""

from __future__ import annotations

import csv
import io
import json
from concurrent.futures import Future
from dataclasses import dataclass

import click
from flask import (
    Blueprint,
    Flask,
    Response,
    abort,
    current_app,
    g,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.cli import with_appcontext
from markupsafe import Markup

from webapp.core import openapi
from webapp.core.access import current_name, require_role
from webapp.core.db import get_db, get_sessionmaker
from webapp.core.http import ApiError, page_or_fragment
from webapp.core.models import Document, Job, Segment
from webapp.core.states import Role, State
from webapp.core.text import spreadsheet_safe
from webapp.documents import textio
from webapp.documents.views import get_document_or_404, get_segment_or_404
from webapp.interchange.formats import inline, xliff
from webapp.jobs import runner as jobs
from webapp.scores import cache as scorecache
from webapp.scores import metrics as scoring
from webapp.scores.cache import DocumentFacts, SegmentFacts

bp = Blueprint("reports", __name__)

PAGE_SIZE = 100
# How many segments' stored scores one query fetches for the editor's rows: a page and more.
SCORE_WINDOW = 250
# Each sort starts where an editor triaging would: most edited, worst MT, slowest first.
SORTS = {"hter": "desc", "bleu": "asc", "chrf": "asc", "time": "desc", "number": "asc"}
# A cell starting with one of these is a formula to a spreadsheet.
@dataclass
class Report:
    """A document's scores as the page, downloads and API show them."""

    doc: Document
    facts: DocumentFacts
    cached: scorecache.Cached | None
    job_id: int | None

    @property
    def ready(self) -> bool:
        """Return whether the figures match the texts as they are now."""
        return self.job_id is None

    @property
    def figures(self) -> dict | None:
        """Return the corpus figures, fresh or the last ones computed."""
        return self.cached.figures if self.cached is not None else None

    @property
    def rows(self) -> list[SegmentFacts]:
        """Return the segments that have an MT draft to score, in document order."""
        return [s for s in self.facts.segments if s.mt]


def scorer() -> scorecache.Scorer:
    """Return the app's background scorer."""
    return current_app.extensions["webapp.scorer"]


def load_report(doc: Document) -> Report:
    """Return the document's report, starting a background refresh when it is out of date."""
    db = get_db()
    facts = scorecache.gather(db, doc.id)
    cached = scorecache.cached_figures(db, doc.id, facts.fingerprint())
    stale = (cached is None or not cached.fresh
             or any(s.needs_score for s in facts.segments)
             or bool(facts.stale_revisions()))
    return Report(doc, facts, cached, scorer().refresh_document(doc.id) if stale else None)


def _sort(rows: list[SegmentFacts], key: str, order: str) -> list[SegmentFacts]:
    """Return rows sorted by a score or time; rows without that figure always come last."""
    def value(seg: SegmentFacts):
        if key == "number":
            return seg.number
        if key == "time":
            return seg.seconds if seg.post_edited else None
        if seg.score is None or not seg.post_edited:
            return None
        return {"hter": seg.score.ter, "bleu": seg.score.bleu, "chrf": seg.score.chrf}[key]

    keyed = [(value(s), s) for s in rows]
    sign = -1 if order == "desc" else 1
    # Ties read in document order whichever way the figures run.
    known = sorted(((v, s) for v, s in keyed if v is not None),
                   key=lambda pair: (sign * pair[0], pair[1].number))
    return [s for _, s in known] + [s for v, s in keyed if v is None]


def _table_args() -> tuple[str, str, int]:
    """Return the sort key, its direction and the offset named by the query string."""
    key = request.args.get("sort", "hter")
    if key not in SORTS:
        abort(400, f"Sort by one of {', '.join(SORTS)}, not {key!r}.")
    order = request.args.get("order", SORTS[key])
    if order not in ("asc", "desc"):
        abort(400, "order is asc or desc.")
    try:
        offset = max(0, int(request.args.get("offset", "0") or 0))
    except ValueError:
        abort(400, "offset must be a whole number.")
    return key, order, offset


def report_context(report: Report, error: str | None = None) -> dict:
    """Return what the report page and its fragments need."""
    key, order, offset = _table_args()
    rows = _sort(report.rows, key, order)
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
        "persons": scorecache.person_figures(report.facts),
        # The helpers escape every label; the charts hold no user text at all.
        "hter_chart": Markup(scoring.hter_histogram_svg(
            hters, title="HTER of the post-edited segments")),
        "progress_chart": Markup(scoring.progress_svg(
            scorecache.progress_points(report.facts), y_label="Segments translated")),
        "status_job": get_db().get(Job, report.job_id) if report.job_id else None,
        "error": error,
        "States": State,
    }


@bp.get("/documents/<int:doc_id>/report")
@require_role(Role.TRANSLATOR)
def report(doc_id: int):
    """Show a document's scores, or only its segment table or report body to htmx."""
    doc = get_document_or_404(doc_id)
    return page_or_fragment(
        "reports/report.html",
        {"report-segments": "reports/_segment_table.html", None: "reports/_report.html"},
        **report_context(load_report(doc)),
    )


@bp.get("/documents/<int:doc_id>/report/status")
@require_role(Role.TRANSLATOR)
def report_status(doc_id: int):
    """Return the refresh progress, or the whole fresh report once the job has finished."""
    doc = get_document_or_404(doc_id)
    job = get_db().get(Job, request.args.get("job", type=int) or 0)
    if job is not None and not job.finished:
        return render_template("reports/_status.html", doc=doc, job=job)
    resp = make_response(render_template("reports/_report.html", **report_context(
        load_report(doc))))
    resp.headers["HX-Retarget"] = "#report"
    resp.headers["HX-Reswap"] = "outerHTML"
    return resp


XLIFF_SUFFIXES = (".xlf", ".xliff", ".sdlxliff")


def _reference_lines(name: str, data: bytes, expected: int, limit: int) -> list[str]:
    """Return an uploaded reference's segments: XLIFF targets, or one line of text each."""
    if name.lower().endswith(XLIFF_SUFFIXES):
        if len(data) > limit:
            raise textio.TextImportError(f"The file is over the limit of {limit:,} bytes.")
        units = xliff.read_xliff(data).units
        lines = [inline.strip_codes(unit.target or "") for unit in units]
        if len(lines) != expected:
            raise scoring.ReferenceMismatchError(found=len(lines), expected=expected)
        return lines
    return scoring.parse_reference(textio.decode_text(data, limit).text, expected)


@bp.post("/documents/<int:doc_id>/reference")
@require_role(Role.EDITOR)
def upload_reference(doc_id: int):
    """Store an uploaded reference translation aligned with the document's segments."""
    doc = get_document_or_404(doc_id)
    upload = request.files.get("file")
    db = get_db()
    try:
        if upload is None or not upload.filename:
            raise textio.TextImportError("Choose the reference file to upload.")
        limit = current_app.config["MAX_UPLOAD_BYTES"]
        ids = scorecache.segment_ids(db, doc.id)
        lines = _reference_lines(upload.filename, upload.read(limit + 1), len(ids), limit)
        scorecache.store_reference_lines(db, doc.id, upload.filename, lines, current_name(), ids)
    except (textio.TextImportError, ValueError) as exc:
        # ReferenceMismatchError and the XLIFF reader's FormatError are ValueErrors too.
        db.rollback()
        message = str(exc)
        if isinstance(exc, scoring.ReferenceMismatchError):
            message += (" Put each segment's reference on a line of its own, or upload an "
                        "XLIFF file with one unit per segment.")
        ctx = report_context(load_report(doc), error=message)
        return render_template("reports/report.html", **ctx), 400
    return redirect(url_for("reports.report", doc_id=doc.id), code=303)


def _number(value: float | None, places: int = 2) -> str:
    """Return a figure for a CSV cell, or an empty cell."""
    return "" if value is None else f"{value:.{places}f}"


CSV_COLUMNS = [
    "number", "segment_id", "state", "post_edited", "mt", "target", "hter", "bleu", "chrf",
    "approved_hter", "approved_bleu", "approved_chrf", "seconds", "editors",
]


@bp.get("/documents/<int:doc_id>/report.csv")
@require_role(Role.TRANSLATOR)
def report_csv(doc_id: int):
    """Download the segment table as CSV, in document order."""
    doc = get_document_or_404(doc_id)
    rep = load_report(doc)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for seg in rep.rows:
        score = seg.score if seg.post_edited else None
        approved = seg.approved_score
        writer.writerow([spreadsheet_safe(str(v)) for v in (
            seg.number, seg.id, State(seg.state).slug, "yes" if seg.post_edited else "no",
            seg.mt, seg.target,
            _number(score and score.ter), _number(score and score.bleu),
            _number(score and score.chrf), _number(approved and approved.ter),
            _number(approved and approved.bleu), _number(approved and approved.chrf),
            _number(seg.seconds, 1), " ".join(seg.editors),
        )])
    # A BOM so that spreadsheet programs read the German text as UTF-8.
    resp = Response("\ufeff" + out.getvalue(), mimetype="text/csv; charset=utf-8")
    resp.headers["Content-Disposition"] = f'attachment; filename="{_stem(doc)}.scores.csv"'
    if not rep.ready:
        resp.headers["X-Scores-Status"] = "computing"
    return resp


def _stem(doc: Document) -> str:
    """Return a file-name stem for downloads of this document."""
    stem = doc.name.rsplit(".", 1)[0]
    return "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in stem) or "document"


def _scores(score: scoring.SegmentScores | None) -> dict | None:
    """Return segment scores for JSON."""
    return None if score is None else {"bleu": score.bleu, "chrf": score.chrf, "ter": score.ter}


def report_json(rep: Report) -> dict:
    """Return the whole report as one JSON object."""
    ref = rep.facts.reference
    return {
        "document": rep.doc.to_dict(),
        "status": "ready" if rep.ready else "computing",
        "computed_at": rep.cached.computed_at.isoformat() + "Z" if rep.cached else None,
        "figures": rep.figures,
        "reference": None if ref is None else {
            "name": ref.name, "uploaded_by": ref.uploaded_by,
            "uploaded_at": ref.uploaded_at.isoformat() + "Z", "aligned": ref.aligned,
        },
        "segments": [{
            "id": s.id, "number": s.number, "state": State(s.state).slug,
            "post_edited": s.post_edited, "mt": s.mt, "target": s.target,
            "approved": s.approved, "scores": _scores(s.score if s.post_edited else None),
            "approved_scores": _scores(s.approved_score), "seconds": s.seconds,
            "editors": s.editors,
        } for s in rep.rows],
        "persons": scorecache.person_figures(rep.facts),
        "progress": [{"at": moment.isoformat() + "Z", "translated": count}
                     for moment, count in scorecache.progress_points(rep.facts)],
    }


@bp.get("/documents/<int:doc_id>/report.json")
@require_role(Role.TRANSLATOR)
def report_download(doc_id: int):
    """Download the whole report as JSON."""
    doc = get_document_or_404(doc_id)
    resp = jsonify(report_json(load_report(doc)))
    resp.headers["Content-Disposition"] = f'attachment; filename="{_stem(doc)}.report.json"'
    return resp


@bp.get("/segments/<int:seg_id>/scores")
@require_role(Role.TRANSLATOR)
def segment_scores(seg_id: int):
    """Return a segment's compact score line (it polls a few times after a save)."""
    seg = get_segment_or_404(seg_id)
    tries = request.args.get("tries", 0, type=int)
    return render_template("reports/_segment_scores.html", seg=seg, doc=seg.document,
                           tries=tries, poll_scores=True)


@bp.get("/api/documents/<int:doc_id>/scores")
@require_role(Role.TRANSLATOR)
def api_scores(doc_id: int):
    """Return corpus and per-segment scores; 202 while they are being computed."""
    doc = get_db().get(Document, doc_id)
    if doc is None:
        raise ApiError(404, f"There is no document {doc_id}.")
    rep = load_report(doc)
    figures = rep.figures or {}
    # Headline: all MT drafts against the current targets, as sacrebleu would score them.
    main = figures.get("all_drafts") or {}
    body = {
        "document_id": doc.id,
        "status": "ready" if rep.ready else "computing",
        "job_id": rep.job_id,
        "bleu": main.get("bleu"),
        "chrf": main.get("chrf"),
        "ter": main.get("ter"),
        "signature": main.get("signature"),
        "post_edited": len([s for s in rep.rows if s.post_edited]),
        "post_edited_figures": figures.get("post_edited"),
        "with_mt": len(rep.rows),
        "approved": figures.get("approved"),
        "reference": figures.get("reference"),
        "segments": [{
            "id": s.id, "number": s.number, "post_edited": s.post_edited,
            **(_scores(s.score) or {"bleu": None, "chrf": None, "ter": None}),
        } for s in rep.rows],
    }
    return jsonify(body), 200 if rep.ready else 202


# --- Command line ----------------------------------------------------------------------


def _print_block(title: str, figures: dict) -> None:
    """Print one set of corpus figures with their signatures, as sacrebleu prints them."""
    n = figures["segments"]
    click.echo(f"{title} ({n} segment{'' if n == 1 else 's'})")
    for key, label in (("bleu", "BLEU"), ("chrf", "chrF2"), ("ter", "TER")):
        click.echo(f"  {label:<5} = {figures[key]:6.2f}   {figures['signature'][key]}")


@click.command("score")
@click.argument("doc_id", type=int)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="json prints the figures as one JSON object.")
@with_appcontext
def score_command(doc_id: int, fmt: str) -> None:
    """Print a document's corpus BLEU, chrF and TER (MT drafts against targets) and signatures."""
    with get_sessionmaker()() as db:
        doc = db.get(Document, doc_id)
        if doc is None:
            raise click.ClickException(f"There is no document {doc_id}.")
        facts = scorecache.gather(db, doc_id)
        cached = scorecache.cached_figures(db, doc_id, facts.fingerprint())
        if cached is not None and cached.fresh:
            figures = cached.figures
        else:
            if fmt == "text":
                click.echo(f"Scoring {facts.with_mt} segments…", err=True)
            figures = scorecache.refresh_document(db, doc_id)
        name = doc.name
    main = figures.get("all_drafts") or {}
    if fmt == "json":
        click.echo(json.dumps({
            "document_id": doc_id, "name": name,
            "bleu": main.get("bleu"), "chrf": main.get("chrf"), "ter": main.get("ter"),
            "signature": main.get("signature"), "figures": figures,
        }, ensure_ascii=False, indent=2))
        return
    click.echo(f"{name} (document {doc_id}): {figures['with_mt']} of {figures['segments']} "
               "segments have an MT draft.")
    if figures.get("all_drafts"):
        _print_block("All MT drafts against current targets", figures["all_drafts"])
    if figures.get("post_edited"):
        _print_block("MT drafts against post-edited targets", figures["post_edited"])
    else:
        click.echo("No segment has been post-edited yet.")
    if figures.get("approved"):
        _print_block("MT drafts against approved targets", figures["approved"])
    if figures.get("reference"):
        ref = figures["reference"]
        _print_block(f"MT drafts against the reference {ref['name']}", ref["mt"])
        _print_block(f"Post-edited targets against the reference {ref['name']}",
                     ref["post_edited"])


# --- Hooks into the editor's templates -------------------------------------------------


def _segment_score(seg: Segment) -> scorecache.StoredScore | None:
    """Return a segment's stored scores if they match its texts now (never computed here)."""
    # Rows come a page at a time: one query for the run of segments from the first row asked
    # about, rather than one per row.
    cache = g.setdefault("segment_scores", {})
    # The runs already fetched: a segment inside one without a stored score has none, so
    # unscored rows must not each send a query of their own.
    runs = g.setdefault("segment_score_runs", [])
    fetched = any(doc == seg.document_id and lo <= seg.position < hi for doc, lo, hi in runs)
    if seg.id not in cache and not fetched:
        cache.update(scorecache.stored_scores(get_db(), seg.document_id, seg.position,
                                              SCORE_WINDOW))
        runs.append((seg.document_id, seg.position, seg.position + SCORE_WINDOW))
    stored = cache.get(seg.id)
    return stored if scorecache.is_fresh(stored, seg.mt, seg.target) else None


def _revision_scores(seg: Segment, revisions) -> dict[int, scoring.RevisionScores]:
    """Return the scores of a segment's revisions, once per request."""
    cache = g.setdefault("revision_scores", {})
    if seg.id not in cache:
        cache[seg.id] = scorecache.revision_scores(get_db(), seg, revisions)
    return cache[seg.id]


def _figure(value: float | None) -> str:
    """Format a score as sacrebleu prints it by default: one decimal."""
    return "—" if value is None else f"{value:.1f}"


def _duration(seconds: float | None) -> str:
    """Format editing time for a person: 42 s, 3 min 05 s, 1 h 02 min."""
    if not seconds:
        return "—"
    seconds = round(seconds)
    if seconds < 60:
        return f"{seconds} s"
    minutes, secs = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {secs:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


openapi.register({
    "/api/documents/{doc_id}/scores": {
        "get": {
            "summary": "Corpus BLEU, chrF and TER of the MT drafts against the post-edited "
                       "targets, with sacrebleu signatures, and the same per segment",
            "description": "Scores are cached and recomputed in the background after texts "
                           "change. While that runs the answer is 202 with status "
                           "`computing` and the last figures computed (or nulls); poll until 200.",
            "parameters": [{"name": "doc_id", "in": "path", "required": True,
                            "schema": {"type": "integer", "minimum": 1}}],
            "responses": {
                "200": {"description": "Fresh scores", "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/Scores"}}}},
                "202": {"description": "Being computed; figures may be stale or null",
                        "content": {"application/json": {
                            "schema": {"$ref": "#/components/schemas/Scores"}}}},
                "404": {"description": "No such document", "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/Error"}}}},
            },
        },
    },
}, {
    "CorpusScores": {
        "type": "object",
        "properties": {
            "bleu": {"type": "number"}, "chrf": {"type": "number"}, "ter": {"type": "number"},
            "segments": {"type": "integer"},
            "signature": {"$ref": "#/components/schemas/Signature"},
        },
    },
    "Signature": {
        "type": "object",
        "description": "sacrebleu signature per metric, to reproduce the figure",
        "properties": {"bleu": {"type": "string"}, "chrf": {"type": "string"},
                       "ter": {"type": "string"}},
    },
    "Scores": {
        "type": "object",
        "required": ["status", "bleu", "chrf", "ter", "signature", "segments"],
        "properties": {
            "document_id": {"type": "integer"},
            "status": {"type": "string", "enum": ["ready", "computing"]},
            "job_id": {"type": ["integer", "null"]},
            "bleu": {"type": ["number", "null"],
                     "description": "Corpus BLEU of MT drafts against post-edited targets"},
            "chrf": {"type": ["number", "null"]},
            "ter": {"type": ["number", "null"], "description": "Corpus TER, that is HTER"},
            "signature": {"oneOf": [{"$ref": "#/components/schemas/Signature"},
                                    {"type": "null"}]},
            "post_edited": {"type": "integer"},
            "with_mt": {"type": "integer"},
            "approved": {"oneOf": [{"$ref": "#/components/schemas/CorpusScores"},
                                   {"type": "null"}]},
            "reference": {"type": ["object", "null"], "properties": {
                "name": {"type": "string"},
                "mt": {"$ref": "#/components/schemas/CorpusScores"},
                "post_edited": {"$ref": "#/components/schemas/CorpusScores"},
            }},
            "segments": {"type": "array", "items": {
                "type": "object", "required": ["id", "bleu", "chrf", "ter"],
                "properties": {
                    "id": {"type": "integer"}, "number": {"type": "integer"},
                    "post_edited": {"type": "boolean"},
                    "bleu": {"type": ["number", "null"]}, "chrf": {"type": ["number", "null"]},
                    "ter": {"type": ["number", "null"]},
                },
            }},
        },
    },
})


def init_app(app: Flask) -> None:
    """Register the report, its template hooks, the background scorer and `score`."""
    runner = app.extensions["webapp.jobs"]

    def submit(job_id: int | None, task) -> Future | None:
        # The job runner's single worker keeps scoring from competing with MT for the CPU.
        try:
            future = runner.executor.submit(task)
        except RuntimeError:  # the runner has shut down: the next view refreshes instead
            return None
        if job_id is not None:
            with runner.lock:
                runner.futures[job_id] = future
        return future

    # Without a queue, score jobs run in this process (see Scorer); with REDIS_URL a
    # document's rescoring is a job the queue's workers run, like MT, so a long document is
    # scored off the web server. Saved segments are rescored here either way: batched, paced,
    # a fraction of a millisecond each.
    jobs.HANDLERS.setdefault("score", scorecache.score_job)
    factory = get_sessionmaker(app)
    enqueue = runner.submit if app.config.get("REDIS_URL") else None
    app.extensions["webapp.scorer"] = scorer_ = scorecache.Scorer(factory, submit,
                                                                  enqueue=enqueue)
    scorecache.watch_saves(factory, scorer_)
    app.register_blueprint(bp)
    app.jinja_env.globals.update(segment_score=_segment_score, revision_scores=_revision_scores)
    app.jinja_env.filters.update(figure=_figure, duration=_duration)
    app.cli.add_command(score_command)
