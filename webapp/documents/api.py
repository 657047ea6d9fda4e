"""The documents part of the JSON API: list, import, one document, a page of segments, next, export."""

from __future__ import annotations

from flask import Blueprint, Flask, current_app, jsonify, request

from webapp.core import openapi
from webapp.core.access import current_name, require_role
from webapp.core.db import get_db
from webapp.core.http import ApiError, download, get_or_404, int_arg, uploaded_file
from webapp.core.models import Document
from webapp.core.states import Role, State
from webapp.documents import importing, queries, textio
from webapp.documents.views import export_check, export_warnings_header
from webapp.interchange import exchange as interchange
from webapp.mt import engine as mt
from webapp.tm import feed as tm_feed
from webapp.tm import store as tm_store

bp = Blueprint("documents_api", __name__, url_prefix="/api")


@bp.get("/documents")
@require_role(Role.TRANSLATOR)
def list_documents():
    """List every document."""
    return jsonify([d.to_dict() for d in queries.list_documents(get_db())])


@bp.post("/documents")
@require_role(Role.TRANSLATOR)
def create_document():
    """Import a plain-text or XLIFF document from a multipart upload."""
    limit = current_app.config["MAX_UPLOAD_BYTES"]
    name, data = uploaded_file(
        limit, ApiError(400, "Send the document as the multipart field 'file'."))
    db = get_db()
    try:
        doc = interchange.import_document(
            db, data, name, request.form.get("source_lang", ""),
            request.form.get("target_lang", ""), request.form.get("mode", "translate"), limit,
            author=current_name(),
        )
    except (textio.TextImportError, importing.DocumentError) as exc:
        db.rollback()
        too_big = "limit" in str(exc) and not isinstance(exc, interchange.XliffRefused)
        raise ApiError(413 if too_big else 422, str(exc)) from None
    data = doc.to_dict()
    data["tm_prefilled"] = (tm_feed.prefill(db, tm_store.cache_of(current_app), doc)
                            if request.form.get("tm_prefill") else None)
    data["segments"] = queries.count_segments(db, doc.id)
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
    counts = queries.state_counts(get_db(), doc.id)
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
    flt = queries.SegmentFilter(states=states, query=request.args.get("q", "")[:500])
    segs, total = queries.page_segments(get_db(), doc.id, offset, limit, flt)
    return jsonify({"total": total, "offset": offset, "limit": limit,
                    "segments": [s.to_dict() for s in segs]})


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
    seg = queries.next_matching(get_db(), doc.id, after, wanted[kind])
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
    headers = {"X_Untranslated_Segments": str(exp.untranslated)}
    if fmt == "txt":
        headers["X_Export_Warnings"] = export_warnings_header(export_check(doc))
    return download(exp.data, exp.filename, exp.mimetype, **headers)


@bp.get("/documents/<int:doc_id>/export/check")
@require_role(Role.TRANSLATOR)
def export_check_json(doc_id: int):
    """Say which segments an export would carry unfinished or with open QA warnings."""
    return jsonify(export_check(get_or_404(Document, doc_id)).to_dict())


openapi.register({
    "/api/documents": {
        "get": {
            "summary": "List documents",
            "responses": {"200": openapi.json_response(openapi.array_of(openapi.ref("Document")))},
        },
        "post": {
            "summary": "Import a plain-text document (UTF-8, UTF-16 with BOM or Latin-1) or an "
                       "XLIFF 1.2/2.0 file",
            "description": "XLIFF is recognised by its extension (.xlf, .xliff, .sdlxliff) or its "
                           "root element. It brings its own languages, targets, states and notes; "
                           "`target_lang` serves only a file that names no target language, "
                           "`source_lang` and `mode` are ignored. With `tm_prefill` set, empty "
                           "targets are filled from 100 % translation-memory matches.",
            "requestBody": openapi.form_request({
                "file": {"type": "string", "format": "binary"},
                "source_lang": {"type": "string", "example": "en"},
                "target_lang": {"type": "string", "example": "de"},
                "mode": {"type": "string", "enum": ["translate", "review"]},
                "tm_prefill": {"type": "string", "description": "Any value: fill targets "
                               "from 100 % memory matches"},
            }, ["file", "source_lang", "target_lang"]),
            "responses": {
                "201": openapi.json_response(openapi.ref("Document"), "Imported"),
                "400": openapi.error_response("No file sent"),
                "413": openapi.error_response("File over the size limit"),
                "422": openapi.error_response("Refused: empty, binary, undecodable, bad languages, or "
                                      "an invalid XLIFF file (the message says what and on "
                                      "which line)"),
            },
        },
    },
    "/api/documents/{doc_id}": {
        "get": {
            "summary": "One document with counts by state",
            "parameters": [openapi.id_param("doc_id")],
            "responses": {"200": openapi.json_response(openapi.ref("Document")),
                          "404": openapi.error_response("No such document")},
        },
    },
    "/api/documents/{doc_id}/segments": {
        "get": {
            "summary": "A page of segments in document order",
            "parameters": [
                openapi.id_param("doc_id"),
                openapi.query_param("offset", {"type": "integer", "minimum": 0}),
                openapi.query_param("limit", {"type": "integer", "minimum": 1, "maximum": 1000}),
                openapi.query_param("state", {"type": "string", "enum": openapi.STATE_SLUGS}),
                openapi.query_param("q"),
            ],
            "responses": {"200": openapi.json_response(openapi.ref("SegmentPage")),
                          "400": openapi.error_response("Bad parameter"),
                          "404": openapi.error_response("No such document")},
        },
    },
    "/api/documents/{doc_id}/next": {
        "get": {
            "summary": "The next untranslated, rejected or translated segment after a position",
            "parameters": [
                openapi.id_param("doc_id"),
                openapi.query_param("after", {"type": "integer", "minimum": -1}),
                openapi.query_param("kind", {"type": "string",
                                     "enum": ["untranslated", "rejected", "translated"]}),
            ],
            "responses": {"200": openapi.json_response(openapi.ref("Segment")),
                          "400": openapi.error_response("Bad parameter"),
                          "404": openapi.error_response("No such document, or none left")},
        },
    },
    "/api/documents/{doc_id}/export": {
        "get": {
            "summary": "Export the corrected document: text, XLIFF 1.2 or 2.0 (states mapped, "
                       "comments as notes, inline codes restored), or its approved segments "
                       "as TMX 1.4b",
            "parameters": [openapi.id_param("doc_id"), openapi.query_param("format", {
                "type": "string", "enum": ["txt", "xliff12", "xliff20", "tmx"]})],
            "responses": {
                "200": {"description": "The file", "content": {
                    "text/plain": {"schema": {"type": "string"}},
                    "application/xliff+xml": {"schema": {"type": "string"}},
                    "application/x-tmx+xml": {"schema": {"type": "string"}}}},
                "400": openapi.error_response("Unknown format"),
                "404": openapi.error_response("No such document"),
            },
        },
    },
    "/api/documents/{doc_id}/export/check": {
        "get": {
            "summary": "What a text export would carry that nobody has vouched for: segments "
                       "not yet translated or reviewed, and segments with an open QA warning "
                       "(the text export sends the same warnings in X-Export-Warnings)",
            "parameters": [openapi.id_param("doc_id")],
            "responses": {
                "200": openapi.json_response(openapi.ref("ExportCheck")),
                "404": openapi.error_response("No such document"),
            },
        },
    },
}, {
    "ExportCheck": openapi.obj({
        "segments": "integer", "unfinished": "integer", "qa_flagged": "integer",
        "unfinished_segments": openapi.array_of({"type": "integer"}),
        "qa_flagged_segments": openapi.array_of({"type": "integer"}),
        "warnings": openapi.array_of({"type": "string"}),
    }, ["segments", "unfinished", "qa_flagged", "warnings"]),
    "SegmentPage": openapi.obj({"total": "integer", "offset": "integer", "limit": "integer",
                        "segments": openapi.array_of(openapi.ref("Segment"))}, ["total", "segments"]),
})


def init_app(app: Flask) -> None:
    """Register the documents API."""
    app.register_blueprint(bp)
