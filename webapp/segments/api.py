"""The segments part of the JSON API: one segment, its save with the version check, its history."""

from __future__ import annotations

from flask import Blueprint, Flask, current_app, jsonify

from webapp.core import openapi
from webapp.core.access import current_name, current_role, require_role
from webapp.core.db import get_db
from webapp.core.http import ApiError, get_or_404, json_body
from webapp.core.models import Segment
from webapp.core.openapi import error_response, id_param, json_response
from webapp.core.states import Role
from webapp.documents.importing import DocumentError
from webapp.interchange import exchange as interchange
from webapp.review import workflow as review
from webapp.segments import editing

bp = Blueprint("segments_api", __name__, url_prefix="/api")


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
    revisions, changes = editing.history(get_db(), seg)
    notes = review.comments(get_db(), [seg.id])[seg.id]
    return jsonify({"revisions": [r.to_dict() for r in revisions],
                    "changes": [c.to_dict() for c in changes],
                    "comments": [c.to_dict() for c in reversed(notes)]})


openapi.register({
    "/api/segments/{seg_id}": {
        "get": {
            "summary": "One segment",
            "parameters": [id_param("seg_id")],
            "responses": {"200": json_response({"$ref": "#/components/schemas/Segment"}),
                          "404": error_response("No such segment")},
        },
        "put": {
            "summary": "Save the target; refused with 409 if `version` is stale",
            "parameters": [id_param("seg_id")],
            "requestBody": {"required": True, "content": {"application/json": {"schema": {
                "type": "object",
                "required": ["target", "version"],
                "properties": {
                    "target": {"type": "string"},
                    "version": {"type": "integer"},
                    "seconds": {"type": "number", "minimum": 0},
                },
            }}}},
            "responses": {
                "200": json_response({"$ref": "#/components/schemas/Segment"}, "Saved"),
                "400": error_response("Malformed body"),
                "404": error_response("No such segment"),
                "409": json_response({"$ref": "#/components/schemas/Conflict"},
                                     "Changed meanwhile; nothing was overwritten"),
                "422": error_response("Text refused (too long, NUL)"),
            },
        },
    },
    "/api/segments/{seg_id}/history": {
        "get": {
            "summary": "Revisions and change-log rows, newest first",
            "parameters": [id_param("seg_id")],
            "responses": {"200": json_response({"type": "object", "properties": {
                "revisions": {"type": "array", "items": {"$ref": "#/components/schemas/Revision"}},
                "changes": {"type": "array", "items": {"$ref": "#/components/schemas/Change"}},
                "comments": {"type": "array", "items": {"$ref": "#/components/schemas/Comment"}},
            }}), "404": error_response("No such segment")},
        },
    },
}, {
    "Conflict": {
        "type": "object",
        "required": ["message", "segment", "yours"],
        "properties": {
            "error": {"type": "string"},
            "message": {"type": "string"},
            "segment": {"$ref": "#/components/schemas/Segment"},
            "yours": {"type": "string", "description": "The text that was not saved"},
        },
    },
    "Revision": {
        "type": "object",
        "properties": {
            "id": {"type": "integer"}, "version": {"type": "integer"},
            "replaced_version": {"type": ["integer", "null"]}, "text": {"type": "string"},
            "state": {"type": "string"}, "kind": {"type": "string"},
            "author": {"type": "string"}, "created_at": {"type": "string"},
            "seconds": {"type": ["number", "null"]},
        },
    },
    "Change": {
        "type": "object",
        "properties": {
            "id": {"type": "integer"}, "segment_id": {"type": ["integer", "null"]},
            "action": {"type": "string"}, "author": {"type": "string"},
            "created_at": {"type": "string"}, "details": {"type": "object"},
        },
    },
})


def init_app(app: Flask) -> None:
    """Register the segments API."""
    app.register_blueprint(bp)
