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


_CORPUS = openapi.ref("CorpusScores")

openapi.register({
    "/api/documents/{doc_id}/scores": {
        "get": {
            "summary": "Corpus BLEU, chrF and TER of the MT drafts against the post-edited "
                       "targets, with sacrebleu signatures, and the same per segment",
            "description": "Scores are cached and recomputed in the background after texts "
                           "change. While that runs the answer is 202 with status "
                           "`computing` and the last figures computed (or nulls); poll until 200.",
            "parameters": [openapi.id_param("doc_id")],
            "responses": {
                "200": openapi.json_response(openapi.ref("Scores"), "Fresh scores"),
                "202": openapi.json_response(openapi.ref("Scores"),
                                             "Being computed; figures may be stale or null"),
                "404": openapi.error_response("No such document"),
            },
        },
    },
}, {
    "CorpusScores": openapi.obj({
        "bleu": "number", "chrf": "number", "ter": "number", "segments": "integer",
        "signature": openapi.ref("Signature"),
    }),
    "Signature": openapi.obj({"bleu": "string", "chrf": "string", "ter": "string"},
                             description="sacrebleu signature per metric, to reproduce the figure"),
    "Scores": openapi.obj({
        "document_id": "integer",
        "status": {"type": "string", "enum": ["ready", "computing"]},
        "job_id": ["integer", "null"],
        "bleu": {"type": ["number", "null"],
                 "description": "Corpus BLEU of MT drafts against post-edited targets"},
        "chrf": ["number", "null"],
        "ter": {"type": ["number", "null"], "description": "Corpus TER, that is HTER"},
        "signature": {"oneOf": [openapi.ref("Signature"), {"type": "null"}]},
        "post_edited": "integer",
        "with_mt": "integer",
        "approved": {"oneOf": [_CORPUS, {"type": "null"}]},
        "reference": {"type": ["object", "null"], "properties": {
            "name": {"type": "string"}, "mt": _CORPUS, "post_edited": _CORPUS}},
        "segments": openapi.array_of(openapi.obj({
            "id": "integer", "number": "integer", "post_edited": "boolean",
            "bleu": ["number", "null"], "chrf": ["number", "null"], "ter": ["number", "null"],
        }, ["id", "bleu", "chrf", "ter"])),
    }, ["status", "bleu", "chrf", "ter", "signature", "segments"]),
})


def init_app(app: Flask) -> None:
    """Register the scores API."""
    app.register_blueprint(bp)
