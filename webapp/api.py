"""The JSON API: documents, segments, jobs and export, described by an OpenAPI document."""

from __future__ import annotations

from flask import Blueprint, Flask, Response, current_app, jsonify, request
from werkzeug.exceptions import HTTPException

from . import documents, interchange, jobs, memory, mt, review, textio
from .auth import current_name, current_role, require_role
from .db import get_db
from .editor import download, mt_pair, save_state
from .models import Document, Job, Segment
from .openapi import spec
from .states import State
from .users import Role

bp = Blueprint("api", __name__, url_prefix="/api")


class ApiError(Exception):
    """An error answered as JSON with a status code and a message."""

    def __init__(self, status: int, message: str, **extra):
        super().__init__(message)
        self.status, self.message, self.extra = status, message, extra


def json_error(err: HTTPException) -> tuple[Response, int]:
    """Answer an HTTP error as JSON."""
    message = err.description or err.name
    if err.code == 413:
        message = (f"The upload is larger than this server accepts "
                   f"({current_app.config['MAX_UPLOAD_BYTES']:,} bytes).")
    return jsonify({"error": err.name, "message": message}), err.code


def _document(doc_id: int) -> Document:
    """Return the document or raise a 404 ApiError."""
    doc = get_db().get(Document, doc_id)
    if doc is None:
        raise ApiError(404, f"There is no document {doc_id}.")
    return doc


def _segment(seg_id: int) -> Segment:
    """Return the segment or raise a 404 ApiError."""
    seg = get_db().get(Segment, seg_id)
    if seg is None:
        raise ApiError(404, f"There is no segment {seg_id}.")
    return seg


def _json_body() -> dict:
    """Return the request's JSON object or raise a 400 ApiError."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ApiError(400, "The request body must be a JSON object.")
    return body


def _int_param(name: str, default: int, lo: int, hi: int) -> int:
    """Return an integer query parameter within [lo, hi] or raise a 400 ApiError."""
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ApiError(400, f"{name} must be a whole number.") from None
    if not lo <= value <= hi:
        raise ApiError(400, f"{name} must be between {lo} and {hi}.")
    return value


@bp.get("/documents")
@require_role(Role.TRANSLATOR)
def list_documents():
    """List every document."""
    return jsonify([d.to_dict() for d in documents.list_documents(get_db())])


@bp.post("/documents")
@require_role(Role.TRANSLATOR)
def create_document():
    """Import a plain-text or XLIFF document from a multipart upload."""
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise ApiError(400, "Send the document as the multipart field 'file'.")
    limit = current_app.config["MAX_UPLOAD_BYTES"]
    db = get_db()
    try:
        doc = interchange.import_document(
            db, upload.read(limit + 1), upload.filename, request.form.get("source_lang", ""),
            request.form.get("target_lang", ""), request.form.get("mode", "translate"), limit,
            author=current_name(),
        )
    except (textio.TextImportError, documents.DocumentError) as exc:
        db.rollback()
        too_big = "limit" in str(exc) and not isinstance(exc, interchange.XliffRefused)
        raise ApiError(413 if too_big else 422, str(exc)) from None
    data = doc.to_dict()
    data["tm_prefilled"] = memory.prefill_if_asked(db, doc)
    data["segments"] = documents.count_segments(db, doc.id)
    src, tgt = mt_pair(doc)
    data["mt_available"] = mt.has_route(src, tgt)
    if not data["mt_available"]:
        data["mt_message"] = mt.missing_pair_message(src, tgt)
    return jsonify(data), 201


@bp.get("/documents/<int:doc_id>")
@require_role(Role.TRANSLATOR)
def get_document(doc_id: int):
    """Return one document with its progress by state."""
    doc = _document(doc_id)
    data = doc.to_dict()
    counts = documents.state_counts(get_db(), doc.id)
    data["segments"] = sum(counts.values())
    data["states"] = {s.slug: n for s, n in counts.items()}
    return jsonify(data)


@bp.get("/documents/<int:doc_id>/segments")
@require_role(Role.TRANSLATOR)
def list_segments(doc_id: int):
    """Return a page of a document's segments."""
    doc = _document(doc_id)
    offset = _int_param("offset", 0, 0, 10**9)
    limit = _int_param("limit", 100, 1, 1000)
    states = []
    for slug in request.args.getlist("state"):
        try:
            states.append(State.from_slug(slug))
        except ValueError as exc:
            raise ApiError(400, str(exc)) from None
    flt = documents.SegmentFilter(states=states, query=request.args.get("q", "")[:500])
    segs, total = documents.page_segments(get_db(), doc.id, offset, limit, flt)
    return jsonify({"total": total, "offset": offset, "limit": limit,
                    "segments": [s.to_dict() for s in segs]})


@bp.put("/segments/<int:seg_id>")
@require_role(Role.TRANSLATOR)
def put_segment(seg_id: int):
    """Save a segment's target if `version` is current; 409 with the current one if not."""
    db = get_db()
    seg, locked = interchange.segment_and_lock(db, seg_id)
    if seg is None:
        raise ApiError(404, f"There is no segment {seg_id}.")
    body = _json_body()
    version = body.get("version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise ApiError(400, "'version' must be the integer version the edit is based on.")
    if not isinstance(body.get("target"), str):
        raise ApiError(400, "'target' must be a string.")
    seconds = body.get("seconds")
    if seconds is not None and not (isinstance(seconds, int | float) and 0 <= seconds < 86400):
        raise ApiError(400, "'seconds' must be a number of seconds under a day.")
    role = current_role()
    try:
        review.check_may_edit(seg, role, locked)
    except review.ForbiddenError as exc:
        raise ApiError(403, str(exc)) from None
    try:
        seg = documents.save_target(
            db, seg, body["target"], version, current_name(), save_state(seg, role),
            seconds=seconds, max_chars=current_app.config["MAX_SEGMENT_CHARS"], role=int(role),
        )
    except documents.ConflictError as exc:
        return jsonify({
            "error": "Conflict",
            "message": str(exc),
            "segment": exc.segment.to_dict(),
            "yours": exc.attempted,
        }), 409
    except documents.DocumentError as exc:
        db.rollback()
        raise ApiError(422, str(exc)) from None
    return jsonify(seg.to_dict())


@bp.get("/segments/<int:seg_id>")
@require_role(Role.TRANSLATOR)
def get_segment(seg_id: int):
    """Return one segment."""
    return jsonify(_segment(seg_id).to_dict())


@bp.get("/segments/<int:seg_id>/history")
@require_role(Role.TRANSLATOR)
def segment_history(seg_id: int):
    """Return a segment's revisions, change-log rows and comments, newest first."""
    seg = _segment(seg_id)
    revisions, changes = documents.history(get_db(), seg)
    notes = review.comments(get_db(), [seg.id])[seg.id]
    return jsonify({"revisions": [r.to_dict() for r in revisions],
                    "changes": [c.to_dict() for c in changes],
                    "comments": [c.to_dict() for c in reversed(notes)]})


@bp.post("/segments/<int:seg_id>/state")
@require_role(Role.TRANSLATOR)
def set_state(seg_id: int):
    """Mark a segment translated, approved or rejected; a rejection needs a comment."""
    seg = _segment(seg_id)
    body = _json_body()
    slug = body.get("state")
    if slug not in ("translated", "approved", "rejected"):
        raise ApiError(400, "'state' must be translated, approved or rejected.")
    comment = body.get("comment")
    if comment is not None and not isinstance(comment, str):
        raise ApiError(400, "'comment' must be a string.")
    db = get_db()
    try:
        review.set_state(db, seg, State.from_slug(slug), current_name(), current_role(), comment)
    except review.ForbiddenError as exc:
        db.rollback()
        raise ApiError(403, str(exc)) from None
    except review.ReviewError as exc:
        db.rollback()
        raise ApiError(422, str(exc)) from None
    return jsonify(seg.to_dict())


@bp.get("/segments/<int:seg_id>/comments")
@require_role(Role.TRANSLATOR)
def list_comments(seg_id: int):
    """Return a segment's comments, oldest first."""
    seg = _segment(seg_id)
    return jsonify([c.to_dict() for c in review.comments(get_db(), [seg.id])[seg.id]])


@bp.post("/segments/<int:seg_id>/comments")
@require_role(Role.TRANSLATOR)
def add_comment(seg_id: int):
    """Add a comment to a segment."""
    seg = _segment(seg_id)
    text = _json_body().get("text")
    if not isinstance(text, str):
        raise ApiError(400, "'text' must be a string.")
    try:
        row = review.add_comment(get_db(), seg, current_name(), text)
    except review.ReviewError as exc:
        get_db().rollback()
        raise ApiError(422, str(exc)) from None
    return jsonify(row.to_dict()), 201


@bp.get("/documents/<int:doc_id>/next")
@require_role(Role.TRANSLATOR)
def next_segment(doc_id: int):
    """Return the next untranslated (or rejected) segment after position `after`."""
    doc = _document(doc_id)
    after = _int_param("after", -1, -1, 10**9)
    kind = request.args.get("kind", "untranslated")
    wanted = {"untranslated": (State.NEW, State.MT, State.REJECTED),
              "rejected": (State.REJECTED,), "translated": (State.TRANSLATED,)}
    if kind not in wanted:
        raise ApiError(400, "'kind' must be untranslated, rejected or translated.")
    seg = documents.next_matching(get_db(), doc.id, after, wanted[kind])
    if seg is None:
        raise ApiError(404, f"No {kind} segment is left.")
    return jsonify(seg.to_dict())


@bp.post("/documents/<int:doc_id>/pretranslate")
@require_role(Role.TRANSLATOR)
def pretranslate(doc_id: int):
    """Start machine translation of a document in the background."""
    doc = _document(doc_id)
    src, tgt = mt_pair(doc)
    if not mt.has_route(src, tgt):
        raise ApiError(409, mt.missing_pair_message(src, tgt), pair=[src, tgt])
    job = jobs.start_pretranslation(current_app._get_current_object(), get_db(), doc)
    return jsonify(job.to_dict()), 202


@bp.get("/jobs/<int:job_id>")
@require_role(Role.TRANSLATOR)
def get_job(job_id: int):
    """Return a background job's status and progress."""
    job = get_db().get(Job, job_id)
    if job is None:
        raise ApiError(404, f"There is no job {job_id}.")
    return jsonify(job.to_dict())


@bp.post("/jobs/<int:job_id>/retry")
@require_role(Role.TRANSLATOR)
def retry_job(job_id: int):
    """Queue a failed or stalled job again."""
    try:
        job = jobs.retry_job(current_app._get_current_object(), get_db(), job_id)
    except jobs.JobError as exc:
        status = 404 if get_db().get(Job, job_id) is None else 409
        raise ApiError(status, str(exc)) from None
    return jsonify(job.to_dict()), 202


@bp.get("/documents/<int:doc_id>/export")
@require_role(Role.TRANSLATOR)
def export(doc_id: int):
    """Export the corrected document."""
    doc = _document(doc_id)
    fmt = request.args.get("format", "txt")
    try:
        exp = interchange.export_document(get_db(), doc, fmt)
    except ValueError as exc:
        raise ApiError(400, str(exc)) from None
    return download(exp)


@bp.get("/models")
@require_role(Role.TRANSLATOR)
def list_models():
    """List the installed MT language pairs."""
    return jsonify([{"from": a, "to": b} for a, b in mt.installed_pairs()])


@bp.get("/openapi.json")
def openapi():
    """Return the OpenAPI document of this API."""
    return jsonify(spec())


def init_app(app: Flask) -> None:
    """Register the API and make every error under /api/ JSON."""
    app.register_blueprint(bp)

    @app.errorhandler(ApiError)
    def api_error(err: ApiError):
        return jsonify({"error": err.message, "message": err.message, **err.extra}), err.status

    @app.errorhandler(500)
    def server_error(err):
        if request.path.startswith("/api/"):
            return jsonify({"error": "Internal Server Error",
                            "message": "The server failed; nothing was changed."}), 500
        return "<h1>Server error</h1><p>Nothing was changed. Try again.</p>", 500
