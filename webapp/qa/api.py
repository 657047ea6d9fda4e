"""QA in the JSON API: a segment's warnings, dismissing one with a reason, taking it back."""

from __future__ import annotations

from flask import Blueprint, jsonify

from webapp.core import openapi
from webapp.core.access import current_name, current_role, require_role
from webapp.core.db import get_db
from webapp.core.http import ApiError, get_or_404, json_body
from webapp.core.models import Document, Segment
from webapp.core.states import Role
from webapp.qa import checks, wordlists
from webapp.qa.views import glossary_snapshot, segment_review

bp = Blueprint("qa_api", __name__, url_prefix="/api")


@bp.get("/segments/<int:seg_id>/qa")
@require_role(Role.TRANSLATOR)
def segment_qa(seg_id: int):
    """Return a segment's QA warnings, each marked open or dismissed."""
    seg = get_or_404(Segment, seg_id)
    review = segment_review(seg, seg.document)
    warnings = [{**w.to_dict(), "dismissed": None} for w in review.open]
    warnings += [{**w.to_dict(), "dismissed": d.to_dict()} for w, d in review.dismissed]
    return jsonify({"segment_id": seg.id, "version": seg.version,
                    "glossary_version": glossary_snapshot().glossary.version,
                    "open": len(review.open), "warnings": warnings})


@bp.post("/segments/<int:seg_id>/qa/dismiss")
@require_role(Role.TRANSLATOR)
def dismiss(seg_id: int):
    """Dismiss one open QA warning of a segment with a reason."""
    seg = get_or_404(Segment, seg_id)
    body = json_body()
    ident = (body.get("code"), body.get("key", ""))
    warning = next((w for w in segment_review(seg, seg.document).open if w.ident == ident), None)
    if warning is None:
        raise ApiError(404, "The segment has no such open warning (code and key).")
    try:
        row = checks.dismiss(get_db(), seg, warning, body.get("reason") or "", current_name())
    except checks.QaError as exc:
        get_db().rollback()
        raise ApiError(422, str(exc)) from None
    return jsonify({**warning.to_dict(), "dismissed": row.to_dict()}), 201


@bp.post("/segments/<int:seg_id>/qa/reopen")
@require_role(Role.TRANSLATOR)
def reopen(seg_id: int):
    """Take back the dismissal of a QA warning, so it is open again."""
    seg = get_or_404(Segment, seg_id)
    dismissal = json_body().get("dismissal")
    if not isinstance(dismissal, int) or isinstance(dismissal, bool):
        raise ApiError(400, "'dismissal' must be the id of one of the segment's dismissals.")
    try:
        row = checks.reopen(get_db(), seg, dismissal, current_name())
    except checks.QaError as exc:
        get_db().rollback()
        raise ApiError(404, str(exc)) from None
    return jsonify({"reopened": row.to_dict()})


@bp.get("/documents/<int:doc_id>/words")
@require_role(Role.TRANSLATOR)
def list_words(doc_id: int):
    """Return the words the spelling check accepts in a document: its own and the team's."""
    doc = get_or_404(Document, doc_id)
    rows = wordlists.entries(get_db(), doc)
    return jsonify({"document_id": doc.id, "lang": wordlists.doc_lang(doc),
                    "document": [r.to_dict() for r in rows if r.scope == "document"],
                    "team": [r.to_dict() for r in rows if r.scope == "team"]})


@bp.post("/documents/<int:doc_id>/words")
@require_role(Role.TRANSLATOR)
def add_word(doc_id: int):
    """Add a word to the document's word list, or (editors) to the team's."""
    doc = get_or_404(Document, doc_id)
    body = json_body()
    try:
        row = wordlists.add(get_db(), doc, body.get("word"), body.get("list", "document"),
                            current_name(), current_role())
    except wordlists.WordListForbidden as exc:
        get_db().rollback()
        raise ApiError(403, str(exc)) from None
    except checks.QaError as exc:
        get_db().rollback()
        raise ApiError(422, str(exc)) from None
    return jsonify(row.to_dict()), 201


@bp.delete("/documents/<int:doc_id>/words/<int:entry_id>")
@require_role(Role.TRANSLATOR)
def remove_word(doc_id: int, entry_id: int):
    """Take a word off the document's word list, or (editors) off the team's."""
    doc = get_or_404(Document, doc_id)
    try:
        row = wordlists.remove(get_db(), doc, entry_id, current_name(), current_role())
    except wordlists.WordListForbidden as exc:
        get_db().rollback()
        raise ApiError(403, str(exc)) from None
    except LookupError as exc:
        get_db().rollback()
        raise ApiError(404, str(exc)) from None
    return jsonify({"removed": row.to_dict()})


_WARNING = openapi.ref("QaWarning")
_WORD = openapi.ref("WordListEntry")
_SPAN = {"type": ["array", "null"], "items": {"type": "integer"}}

openapi.register({
    "/api/segments/{seg_id}/qa": {"get": {
        "summary": "A segment's QA warnings: glossary, numbers, punctuation, spaces, "
                   "untranslated, the target alone (spelling, glued words, web leftovers, "
                   "truncation, quotes, brackets, repeats), and any registered checks",
        "parameters": [openapi.id_param("seg_id")],
        "responses": {"200": openapi.json_response(openapi.obj({
            "segment_id": "integer", "version": "integer", "glossary_version": "string",
            "open": "integer", "warnings": openapi.array_of(_WARNING)})),
            "404": openapi.error_response("No such segment")}}},
    "/api/segments/{seg_id}/qa/dismiss": {"post": {
        "summary": "Dismiss an open QA warning for the segment's current text, with a reason",
        "parameters": [openapi.id_param("seg_id")],
        "requestBody": openapi.json_request(openapi.obj(
            {"code": "string", "key": "string", "reason": "string"}, ["code", "reason"])),
        "responses": {"201": openapi.json_response(_WARNING, "Dismissed"),
                      "400": openapi.error_response("Malformed body"),
                      "404": openapi.error_response("No such segment or open warning"),
                      "422": openapi.error_response("No reason given")}}},
    "/api/segments/{seg_id}/qa/reopen": {"post": {
        "summary": "Take back the dismissal of a QA warning, so it shows as open again",
        "parameters": [openapi.id_param("seg_id")],
        "requestBody": openapi.json_request(openapi.obj({"dismissal": {
            "type": "integer", "description": "the id of one of its dismissals"}}, ["dismissal"])),
        "responses": {"200": openapi.json_response({"type": "object"}, "Reopened"),
                      "400": openapi.error_response("Malformed body"),
                      "404": openapi.error_response("No such segment or dismissal")}}},
    "/api/documents/{doc_id}/words": {
        "get": {
            "summary": "The words the spelling check accepts in a document: the document's "
                       "word list and the team's for its target language",
            "parameters": [openapi.id_param("doc_id")],
            "responses": {"200": openapi.json_response(openapi.obj({
                "document_id": "integer", "lang": "string",
                "document": openapi.array_of(_WORD), "team": openapi.array_of(_WORD)})),
                "404": openapi.error_response("No such document")}},
        "post": {
            "summary": "Add a word to the document's word list, or (editors and admins) to "
                       "the team's; logged in the change log",
            "parameters": [openapi.id_param("doc_id")],
            "requestBody": openapi.json_request(openapi.obj({
                "word": "string",
                "list": {"type": "string", "enum": list(wordlists.SCOPES),
                         "description": "document (the default) or team"}}, ["word"])),
            "responses": {"201": openapi.json_response(_WORD, "Added"),
                          "400": openapi.error_response("Malformed body"),
                          "403": openapi.error_response("The team's list needs an editor"),
                          "404": openapi.error_response("No such document"),
                          "422": openapi.error_response("Not one word, or on the list "
                                                        "already")}}},
    "/api/documents/{doc_id}/words/{entry_id}": {"delete": {
        "summary": "Take a word off the document's word list, or (editors and admins) off "
                   "the team's; logged in the change log",
        "parameters": [openapi.id_param("doc_id"), openapi.id_param("entry_id")],
        "responses": {"200": openapi.json_response({"type": "object"}, "Removed"),
                      "403": openapi.error_response("The team's list needs an editor"),
                      "404": openapi.error_response("No such document or word")}}},
}, {
    "WordListEntry": openapi.obj({
        "id": "integer", "word": "string", "lang": "string",
        "scope": {"type": "string", "enum": list(wordlists.SCOPES)},
        "document_id": {"type": ["integer", "null"]}, "added_by": "string",
        "created_at": "string"}, ["id", "word", "scope"]),
    "QaWarning": openapi.obj({
        "code": {"type": "string", "description": ", ".join(checks.CODES) + ", or a code of a "
                                                            "registered check"},
        "message": "string", "key": "string", "span": _SPAN, "source_span": _SPAN,
        "dismissed": {"type": ["object", "null"], "properties": {
            "id": {"type": "integer", "description": "what POST …/qa/reopen takes back"},
            "reason": {"type": "string"}, "author": {"type": "string"},
            "created_at": {"type": "string"}}}}, ["code", "message"]),
})
