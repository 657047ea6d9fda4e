"""The segments part of the JSON API: one segment, its save with the version check, its history."""

from __future__ import annotations

from flask import Blueprint, Flask, current_app, jsonify, request

from webapp.core import openapi
from webapp.core.access import current_name, current_role, require_role
from webapp.core.db import get_db
from webapp.core.http import ApiError, error_json, found_or_404, get_or_404, json_body
from webapp.core.models import Document, Segment
from webapp.core.states import Role
from webapp.documents import queries
from webapp.documents.importing import DocumentError
from webapp.review import workflow as review
from webapp.segments import editing, replace, rows
from webapp.segments.views import locked_segment

bp = Blueprint("segments_api", __name__, url_prefix="/api")


@bp.put("/segments/<int:seg_id>")
@require_role(Role.TRANSLATOR)
def put_segment(seg_id: int):
    """Save a segment's target if `version` is current; 409 with the current one if not."""
    seg, locked = locked_segment(seg_id)
    db = get_db()
    body = json_body()
    version = body.get("version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise ApiError(400, "'version' must be the integer version the edit is based on.")
    seconds = body.get("seconds")
    if seconds is not None and not (isinstance(seconds, int | float) and 0 <= seconds < 86400):
        raise ApiError(400, "'seconds' must be a number of seconds under a day.")
    try:
        seg = editing.save_edit(
            db, seg, body.get("target"), version, current_name(), current_role(),
            seconds=seconds, max_chars=current_app.config["MAX_SEGMENT_CHARS"], locked=locked,
        )
    except editing.ConflictError as exc:
        return error_json(409, str(exc), "version_conflict", error="Conflict",
                          segment=exc.segment.to_dict(), yours=exc.attempted)
    except review.ForbiddenError as exc:
        raise ApiError(403, str(exc)) from None
    except DocumentError as exc:
        db.rollback()
        # A body without text is malformed (400); text the segment cannot hold is refused (422).
        raise ApiError(400 if isinstance(exc, editing.MalformedSave) else 422, str(exc)) from None
    # Saved, and said at once if the text has a QA problem (a forbidden term): not silently.
    find = current_app.extensions.get(rows.QA_WARNINGS)
    return jsonify({**seg.to_dict(), "warnings": find(seg) if find else []})


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
    revisions, changes = editing.history(get_db(), seg)
    notes = review.comments(get_db(), [seg.id])[seg.id]
    return jsonify({"revisions": [r.to_dict() for r in revisions],
                    "changes": [c.to_dict() for c in changes],
                    "comments": [c.to_dict() for c in reversed(notes)]})


def _flag(body: dict, name: str) -> bool:
    """Return a boolean field of the body (absent: false), or answer 400."""
    value = body.get(name, False)
    if not isinstance(value, bool):
        raise ApiError(400, f"'{name}' must be true or false.")
    return value


def _replace_request(doc_id: int) -> tuple[Document, replace.Matcher, str, dict]:
    """Return the document, the compiled search, the replacement and the body of a replace."""
    doc = get_or_404(Document, doc_id)
    body = json_body()
    find = body.get("find")
    if not isinstance(find, str):
        raise ApiError(400, "'find' must be the text (or /regex/) to search for.")
    try:
        matcher = replace.matcher_for(find, _flag(body, "regex"), _flag(body, "case"),
                                      _flag(body, "word"))
        replace.template_for(matcher, body.get("replace"))
    except replace.ReplaceError as exc:
        raise ApiError(exc.status, str(exc)) from None
    return doc, matcher, body["replace"], body


@bp.get("/documents/<int:doc_id>/search")
@require_role(Role.TRANSLATOR)
def search_document(doc_id: int):
    """Count a search's hits across the whole document, with the segments it finds."""
    doc = get_or_404(Document, doc_id)
    args = request.args
    flt = queries.SegmentFilter(query=args.get("q", ""), field=args.get("in", "both"),
                                regex=bool(args.get("regex")), case=bool(args.get("case")),
                                word=bool(args.get("word")))
    try:
        matcher = replace.matcher_for(flt.query, flt.regex, flt.case, flt.word)
        flt.check()
    except replace.ReplaceError as exc:
        raise ApiError(exc.status, str(exc)) from None
    except DocumentError as exc:
        raise ApiError(422 if isinstance(exc, queries.FilterRefused) else 400, str(exc)) from None
    ids, count = queries.search_document(get_db(), doc.id, flt, matcher)
    return jsonify({"query": matcher.query.typed, "regex": matcher.query.regex,
                    "case": flt.case, "word": flt.word, "in": flt.field,
                    "hits": count.hits, "segments": count.segments, "segment_ids": ids})


@bp.post("/documents/<int:doc_id>/replace/preview")
@require_role(Role.TRANSLATOR)
def replace_preview(doc_id: int):
    """Show what a replace in the targets would change, segment by segment; write nothing."""
    doc, matcher, replacement, _body = _replace_request(doc_id)
    planned = replace.plan(get_db(), doc, matcher, replacement, current_role(),
                           current_app.config["MAX_SEGMENT_CHARS"])
    return jsonify({"query": matcher.query.typed, "replace": replacement,
                    "changes": [p.to_dict() for p in planned],
                    "segments": len(planned),
                    "replaceable": sum(p.refused is None for p in planned)})


@bp.post("/documents/<int:doc_id>/replace")
@require_role(Role.TRANSLATOR)
def replace_apply(doc_id: int):
    """Replace in the chosen segments as one batch; stale versions are reported, not written."""
    doc, matcher, replacement, body = _replace_request(doc_id)
    chosen = body.get("segments")
    if not isinstance(chosen, list) or not all(
            isinstance(c, dict) and type(c.get("id")) is int and type(c.get("version")) is int
            for c in chosen):
        raise ApiError(400, "'segments' must list the {id, version} pairs of the preview "
                            "to replace in.")
    try:
        outcome = replace.apply(get_db(), doc, matcher, replacement,
                                {c["id"]: c["version"] for c in chosen}, current_name(),
                                current_role(), current_app.config["MAX_SEGMENT_CHARS"])
    except replace.ReplaceError as exc:
        get_db().rollback()
        raise ApiError(exc.status, str(exc)) from None
    return jsonify(outcome.to_dict()), 201 if outcome.batch is not None else 200


@bp.post("/documents/<int:doc_id>/replace/<int:batch_id>/undo")
@require_role(Role.TRANSLATOR)
def replace_undo(doc_id: int, batch_id: int):
    """Undo a replace: each of its segments gets its earlier text back as a new revision."""
    db = get_db()
    doc = get_or_404(Document, doc_id)
    batch = found_or_404(replace.batch_of(db, doc, batch_id), "replace", batch_id)
    try:
        outcome = replace.undo(db, batch, current_name(), current_role())
    except review.ForbiddenError as exc:
        raise ApiError(403, str(exc)) from None
    except replace.ReplaceError as exc:
        raise ApiError(exc.status, str(exc)) from None
    return jsonify(outcome.to_dict())


_SEGMENT = openapi.ref("Segment")
_REPLACE_BODY = {
    "find": {"type": "string", "description": "Text, or a regular expression between "
             "slashes (RE2 syntax), as in the editor's search"},
    "replace": {"type": "string", "description": "With regex, \\1 or \\g<name> insert "
                "a group, \\0 the hit, \\\\ a backslash"},
    "regex": "boolean", "case": "boolean", "word": "boolean",
}
_LEFT = openapi.array_of(openapi.obj({
    "segment_id": ["integer", "null"], "number": ["integer", "null"],
    "version": ["integer", "null"], "reason": "string"}))
_OUTCOME = openapi.obj({
    "batch": {"oneOf": [openapi.ref("ReplaceBatch"), {"type": "null"}]},
    "replaced": openapi.array_of(_SEGMENT), "conflicts": _LEFT, "skipped": _LEFT,
})
_SEARCH_PARAMS = [openapi.query_param("q", required=True),
                  openapi.query_param("in", {"type": "string",
                                             "enum": ["both", "source", "target"]}),
                  openapi.query_param("regex"), openapi.query_param("case"),
                  openapi.query_param("word")]

openapi.register({
    "/api/documents/{doc_id}/search": {
        "get": {
            "summary": "Count a search's hits across the document (`/…/` is a regex)",
            "parameters": [openapi.id_param("doc_id"), *_SEARCH_PARAMS],
            "responses": {
                "200": openapi.json_response(openapi.obj({
                    "query": "string", "regex": "boolean", "case": "boolean",
                    "word": "boolean", "in": "string", "hits": "integer",
                    "segments": "integer", "segment_ids": openapi.array_of("integer")})),
                "400": openapi.error_response("Empty or invalid search"),
                "404": openapi.error_response("No such document"),
                "422": openapi.error_response("Pattern refused (too long, back-references)"),
            },
        },
    },
    "/api/documents/{doc_id}/replace/preview": {
        "post": {
            "summary": "Preview a replace in the targets: every change, nothing written",
            "parameters": [openapi.id_param("doc_id")],
            "requestBody": openapi.json_request(openapi.obj(_REPLACE_BODY, ["find", "replace"])),
            "responses": {
                "200": openapi.json_response(openapi.obj({
                    "query": "string", "replace": "string", "segments": "integer",
                    "replaceable": "integer",
                    "changes": openapi.array_of(openapi.obj({
                        "segment_id": "integer", "number": "integer", "version": "integer",
                        "state": "string", "before": "string", "after": "string",
                        "hits": "integer", "replaceable": "boolean",
                        "refused": ["string", "null"]}))})),
                "400": openapi.error_response("Empty or invalid search or replacement"),
                "404": openapi.error_response("No such document"),
                "422": openapi.error_response("Pattern or replacement refused"),
            },
        },
    },
    "/api/documents/{doc_id}/replace": {
        "post": {
            "summary": "Replace in the chosen segments as one batch (new revisions)",
            "description": "Each segment is written only if its version is still the one "
                           "given; others are listed in `conflicts`. A selection with a "
                           "segment the replace would empty, lock or break is refused whole.",
            "parameters": [openapi.id_param("doc_id")],
            "requestBody": openapi.json_request(openapi.obj({
                **_REPLACE_BODY,
                "segments": openapi.array_of(openapi.obj({"id": "integer",
                                                          "version": "integer"},
                                                         ["id", "version"])),
            }, ["find", "replace", "segments"])),
            "responses": {
                "200": openapi.json_response(_OUTCOME, "Nothing was written (all stale)"),
                "201": openapi.json_response(_OUTCOME, "Replaced"),
                "400": openapi.error_response("Malformed body or search"),
                "404": openapi.error_response("No such document"),
                "422": openapi.error_response("Refused (would empty a segment, locked, …)"),
            },
        },
    },
    "/api/documents/{doc_id}/replace/{batch_id}/undo": {
        "post": {
            "summary": "Undo a replace as one action; segments edited since are listed",
            "parameters": [openapi.id_param("doc_id"), openapi.id_param("batch_id")],
            "responses": {
                "200": openapi.json_response(_OUTCOME),
                "403": openapi.error_response("Neither its author nor an editor"),
                "404": openapi.error_response("No such document or replace"),
                "409": openapi.error_response("Undone already"),
            },
        },
    },
    "/api/segments/{seg_id}": {
        "get": {
            "summary": "One segment",
            "parameters": [openapi.id_param("seg_id")],
            "responses": {"200": openapi.json_response(_SEGMENT),
                          "404": openapi.error_response("No such segment")},
        },
        "put": {
            "summary": "Save the target; refused with 409 if `version` is stale",
            "parameters": [openapi.id_param("seg_id")],
            "requestBody": openapi.json_request(openapi.obj({
                "target": "string", "version": "integer",
                "seconds": {"type": "number", "minimum": 0},
            }, ["target", "version"])),
            "responses": {
                "200": openapi.json_response({"allOf": [_SEGMENT, openapi.obj({
                    "warnings": openapi.array_of(openapi.obj({
                        "code": "string", "message": "string", "key": "string"})),
                })]}, "Saved; `warnings` lists the open QA warnings of the saved text "
                      "(a forbidden term, a missing one), which the save does not refuse"),
                "400": openapi.error_response("Malformed body"),
                "404": openapi.error_response("No such segment"),
                "409": openapi.json_response(openapi.ref("Conflict"),
                                             "Changed meanwhile; nothing was overwritten"),
                "422": openapi.error_response("Text refused (too long, NUL)"),
            },
        },
    },
    "/api/segments/{seg_id}/history": {
        "get": {
            "summary": "Revisions and change-log rows, newest first",
            "parameters": [openapi.id_param("seg_id")],
            "responses": {"200": openapi.json_response(openapi.obj({
                "revisions": openapi.array_of(openapi.ref("Revision")),
                "changes": openapi.array_of(openapi.ref("Change")),
                "comments": openapi.array_of(openapi.ref("Comment")),
            })), "404": openapi.error_response("No such segment")},
        },
    },
}, {
    "Conflict": openapi.obj({
        "error": "string", "message": "string", "segment": _SEGMENT,
        "yours": {"type": "string", "description": "The text that was not saved"},
    }, ["message", "segment", "yours"]),
    "Revision": openapi.obj({
        "id": "integer", "version": "integer", "replaced_version": ["integer", "null"],
        "text": "string", "state": "string", "kind": "string", "author": "string",
        "created_at": "string", "seconds": ["number", "null"], "role": ["integer", "null"],
        "batch_id": ["integer", "null"],
    }),
    "ReplaceBatch": openapi.obj({
        "id": "integer", "document_id": "integer", "author": "string",
        "created_at": "string", "find": "string", "options": "string",
        "replacement": "string", "segments": "integer", "undone_at": ["string", "null"],
        "undone_by": ["string", "null"],
    }),
    "Change": openapi.obj({
        "id": "integer", "segment_id": ["integer", "null"], "action": "string",
        "author": "string", "created_at": "string", "details": "object",
    }),
})


def init_app(app: Flask) -> None:
    """Register the segments API."""
    app.register_blueprint(bp)
