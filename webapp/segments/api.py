"""The segments part of the JSON API: one segment, its save with the version check, its history."""

from __future__ import annotations

from flask import Blueprint, Flask, current_app, jsonify

from webapp.core import openapi
from webapp.core.access import current_name, current_role, require_role
from webapp.core.db import get_db
from webapp.core.http import ApiError, get_or_404, json_body
from webapp.core.models import Segment
from webapp.core.states import Role
from webapp.documents.importing import DocumentError
from webapp.review import workflow as review
from webapp.segments import editing, rows
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
        return jsonify({
            "error": "Conflict",
            "message": str(exc),
            "segment": exc.segment.to_dict(),
            "yours": exc.attempted,
        }), 409
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


_SEGMENT = openapi.ref("Segment")

openapi.register({
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
        "created_at": "string", "seconds": ["number", "null"],
    }),
    "Change": openapi.obj({
        "id": "integer", "segment_id": ["integer", "null"], "action": "string",
        "author": "string", "created_at": "string", "details": "object",
    }),
})


def init_app(app: Flask) -> None:
    """Register the segments API."""
    app.register_blueprint(bp)
