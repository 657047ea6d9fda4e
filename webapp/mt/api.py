"""The MT part of the JSON API: pre-translate a document, list the installed models."""

from __future__ import annotations

from flask import Blueprint, Flask, current_app, jsonify

from webapp.core import openapi
from webapp.core.access import require_role
from webapp.core.db import get_db
from webapp.core.http import ApiError, get_or_404
from webapp.core.models import Document
from webapp.core.openapi import error_response, id_param, json_response
from webapp.core.states import Role
from webapp.jobs import runner as jobs
from webapp.mt import engine as mt

bp = Blueprint("mt_api", __name__, url_prefix="/api")


@bp.post("/documents/<int:doc_id>/pretranslate")
@require_role(Role.TRANSLATOR)
def pretranslate(doc_id: int):
    """Start machine translation of a document in the background."""
    doc = get_or_404(Document, doc_id)
    try:
        job = jobs.start_pretranslation(current_app._get_current_object(), get_db(), doc)
    except mt.MissingModelError as exc:
        raise ApiError(409, str(exc), pair=[exc.from_code, exc.to_code]) from None
    except jobs.AlreadyRunning as exc:
        raise ApiError(409, str(exc), job=exc.job.to_dict()) from None
    return jsonify(job.to_dict()), 202


@bp.get("/models")
@require_role(Role.TRANSLATOR)
def list_models():
    """List the installed MT language pairs."""
    return jsonify([{"from": a, "to": b} for a, b in mt.installed_pairs()])


openapi.register({
    "/api/documents/{doc_id}/pretranslate": {
        "post": {
            "summary": "Machine-translate the document in the background",
            "parameters": [id_param("doc_id")],
            "responses": {"202": json_response({"$ref": "#/components/schemas/Job"}, "Started"),
                          "404": error_response("No such document"),
                          "409": error_response(
                              "No MT model installed for the pair, or the document is being "
                              "translated already (`job` is that job, with its progress)")},
        },
    },
    "/api/models": {
        "get": {
            "summary": "Installed MT language pairs",
            "responses": {"200": json_response({"type": "array", "items": {
                "type": "object", "properties": {
                    "from": {"type": "string"}, "to": {"type": "string"}}}})},
        },
    },
})


def init_app(app: Flask) -> None:
    """Register the MT API."""
    app.register_blueprint(bp)
