"""The scores part of the JSON API: a document's corpus and segment scores."""

from __future__ import annotations

from flask import Blueprint, Flask, jsonify

from webapp.core import openapi
from webapp.core.access import require_role
from webapp.core.http import get_or_404
from webapp.core.models import Document
from webapp.core.states import Role
from webapp.scores.report import to_api_json
from webapp.scores.views import load_report

bp = Blueprint("scores_api", __name__, url_prefix="/api")


@bp.get("/documents/<int:doc_id>/scores")
@require_role(Role.TRANSLATOR)
def document_scores(doc_id: int):
    """Return corpus and per-segment scores; 202 while they are being computed."""
    rep = load_report(get_or_404(Document, doc_id))
    return jsonify(to_api_json(rep)), 200 if rep.ready else 202


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
    """Register the scores API."""
    app.register_blueprint(bp)
