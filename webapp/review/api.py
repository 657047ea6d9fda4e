"""The review part of the JSON API: a segment's state (translated, approved, rejected) and comments."""

from __future__ import annotations

from flask import Blueprint, Flask, jsonify

from webapp.core import openapi
from webapp.core.access import current_name, current_role, require_role
from webapp.core.db import get_db
from webapp.core.http import ApiError, get_or_404, json_body
from webapp.core.models import Segment
from webapp.core.states import Role, State
from webapp.review import workflow as review

bp = Blueprint("review_api", __name__, url_prefix="/api")


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


openapi.register({
    "/api/segments/{seg_id}/state": {
        "post": {
            "summary": "Mark translated (translator), approved or rejected (editor)",
            "parameters": [openapi.id_param("seg_id")],
            "requestBody": openapi.json_request(openapi.obj({
                "state": {"type": "string", "enum": ["translated", "approved", "rejected"]},
                "comment": {"type": "string", "description": "Required to reject"},
            }, ["state"])),
            "responses": {
                "200": openapi.json_response(openapi.ref("Segment"), "Done"),
                "400": openapi.error_response("Malformed body"),
                "403": openapi.error_response("The role may not"),
                "404": openapi.error_response("No such segment"),
                "422": openapi.error_response("Rejection without comment, or nothing to mark"),
            },
        },
    },
    "/api/segments/{seg_id}/comments": {
        "get": {
            "summary": "A segment's comments, oldest first",
            "parameters": [openapi.id_param("seg_id")],
            "responses": {"200": openapi.json_response(openapi.array_of(openapi.ref("Comment"))),
                          "404": openapi.error_response("No such segment")},
        },
        "post": {
            "summary": "Comment on a segment",
            "parameters": [openapi.id_param("seg_id")],
            "requestBody": openapi.json_request(openapi.obj({"text": "string"}, ["text"])),
            "responses": {"201": openapi.json_response(openapi.ref("Comment"), "Added"),
                          "400": openapi.error_response("Malformed body"),
                          "404": openapi.error_response("No such segment"),
                          "422": openapi.error_response("Empty or too long")},
        },
    },
})


def init_app(app: Flask) -> None:
    """Register the review API."""
    app.register_blueprint(bp)
