"""The JSON API: documents, segments, jobs and export, described by an OpenAPI document."""

from __future__ import annotations

from flask import Blueprint, Flask, current_app, jsonify, request

from webapp.core.access import current_name, current_role, require_role
from webapp.core.db import get_db
from webapp.core.http import ApiError, get_or_404, int_arg, json_body
from webapp.core.models import Document, Segment
from webapp.core.openapi import spec
from webapp.core.states import Role, State
from webapp.documents import domain as documents
from webapp.documents import textio
from webapp.documents.views import download, save_state
from webapp.interchange import exchange as interchange
from webapp.mt import engine as mt
from webapp.review import workflow as review
from webapp.tm import views as memory

bp = Blueprint("api", __name__, url_prefix="/api")


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
    src, tgt = mt.mt_pair(doc)
    data["mt_available"] = mt.has_route(src, tgt)
    if not data["mt_available"]:
        data["mt_message"] = mt.missing_pair_message(src, tgt)
    return jsonify(data), 201


@bp.get("/documents/<int:doc_id>")
@require_role(Role.TRANSLATOR)
def get_document(doc_id: int):
    """Return one document with its progress by state."""
    doc = get_or_404(Document, doc_id)
    data = doc.to_dict()
    counts = documents.state_counts(get_db(), doc.id)
    data["segments"] = sum(counts.values())
    data["states"] = {s.slug: n for s, n in counts.items()}
    return jsonify(data)


@bp.get("/documents/<int:doc_id>/segments")
@require_role(Role.TRANSLATOR)
def list_segments(doc_id: int):
    """Return a page of a document's segments."""
    doc = get_or_404(Document, doc_id)
    offset = int_arg("offset", 0, 0, 10**9, strict=True)
    limit = int_arg("limit", 100, 1, 1000, strict=True)
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
    body = json_body()
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
    return jsonify(get_or_404(Segment, seg_id).to_dict())


@bp.get("/segments/<int:seg_id>/history")
@require_role(Role.TRANSLATOR)
def segment_history(seg_id: int):
    """Return a segment's revisions, change-log rows and comments, newest first."""
    seg = get_or_404(Segment, seg_id)
    revisions, changes = documents.history(get_db(), seg)
    notes = review.comments(get_db(), [seg.id])[seg.id]
    return jsonify({"revisions": [r.to_dict() for r in revisions],
                    "changes": [c.to_dict() for c in changes],
                    "comments": [c.to_dict() for c in reversed(notes)]})


@bp.post("/segments/<int:seg_id>/state")
@require_role(Role.TRANSLATOR)
def set_state(seg_id: int):
    """Mark a segment translated, approved or rejected; a rejection needs a comment."""
    seg = get_or_404(Segment, seg_id)
    body = json_body()
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
    seg = get_or_404(Segment, seg_id)
    return jsonify([c.to_dict() for c in review.comments(get_db(), [seg.id])[seg.id]])


@bp.post("/segments/<int:seg_id>/comments")
@require_role(Role.TRANSLATOR)
def add_comment(seg_id: int):
    """Add a comment to a segment."""
    seg = get_or_404(Segment, seg_id)
    text = json_body().get("text")
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
    doc = get_or_404(Document, doc_id)
    after = int_arg("after", -1, -1, 10**9, strict=True)
    kind = request.args.get("kind", "untranslated")
    wanted = {"untranslated": (State.NEW, State.MT, State.REJECTED),
              "rejected": (State.REJECTED,), "translated": (State.TRANSLATED,)}
    if kind not in wanted:
        raise ApiError(400, "'kind' must be untranslated, rejected or translated.")
    seg = documents.next_matching(get_db(), doc.id, after, wanted[kind])
    if seg is None:
        raise ApiError(404, f"No {kind} segment is left.")
    return jsonify(seg.to_dict())


@bp.get("/documents/<int:doc_id>/export")
@require_role(Role.TRANSLATOR)
def export(doc_id: int):
    """Export the corrected document."""
    doc = get_or_404(Document, doc_id)
    fmt = request.args.get("format", "txt")
    try:
        exp = interchange.export_document(get_db(), doc, fmt)
    except ValueError as exc:
        raise ApiError(400, str(exc)) from None
    return download(exp)


@bp.get("/openapi.json")
def openapi():
    """Return the OpenAPI document of this API."""
    return jsonify(spec())


def init_app(app: Flask) -> None:
    """Register the API and make every error under /api/ JSON."""
    app.register_blueprint(bp)
