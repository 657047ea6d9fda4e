"""The glossary's part of the JSON API: entries, term lookup, export and import, and their OpenAPI."""

from __future__ import annotations

import dataclasses

from flask import Blueprint, jsonify, request

from webapp.core import openapi
from webapp.core.access import current_name, require_role
from webapp.core.db import get_db
from webapp.core.http import ApiError, get_or_404, json_body
from webapp.core.models import MAX_ID, Document, GlossaryProposal
from webapp.core.states import Role
from webapp.glossary import exchange, proposals, store
from webapp.glossary.entries import Entry, GlossaryError, normalize_lang
from webapp.glossary.matching import find_terms
from webapp.glossary.merge import MERGE, preview_import
from webapp.glossary.views import export_response, lookup_context, read_upload, snapshot

bp = Blueprint("glossary_api", __name__, url_prefix="/api")

MAX_LOOKUP_CHARS = 100_000


@bp.post("/glossary/lookup")
@require_role(Role.TRANSLATOR)
def lookup():
    """Find the glossary terms in a text."""
    body = json_body()
    text, lang = body.get("text"), body.get("lang")
    if not isinstance(text, str) or not isinstance(lang, str):
        raise ApiError(400, "Send {\"text\": …, \"lang\": \"de\"}: both are strings.")
    if len(text) > MAX_LOOKUP_CHARS:
        raise ApiError(413, f"The text may have at most {MAX_LOOKUP_CHARS:,} characters.")
    glossary = snapshot().glossary
    try:
        matches = find_terms(glossary, text, lang)
    except GlossaryError as exc:
        raise ApiError(400, str(exc)) from None
    return jsonify({"version": glossary.version, "lang": normalize_lang(lang),
                    "matches": [m.to_dict() for m in matches]})


@bp.get("/glossary")
@require_role(Role.TRANSLATOR)
def entries():
    """Return the glossary's entries, optionally those matching `q`."""
    snap = snapshot()
    query = request.args.get("q", "").strip()[:200]
    found = snap.glossary.search(query) if query else snap.glossary.entries
    return jsonify({"version": snap.glossary.version, "languages": list(snap.languages),
                    "entries": [{"id": snap.entry_id(e.key), **e.to_dict()} for e in found]})


@bp.get("/dictionary")
@require_role(Role.TRANSLATOR)
def dictionary_lookup():
    """Look a German word up: the glossary's entries first, then FreeDict's headwords."""
    found = lookup_context(request.args.get("q", ""), None)
    if not found["word"]:
        raise ApiError(400, "Send the German word to look up as ?q=…")
    if found["error"]:
        raise ApiError(503, found["error"])
    return jsonify({
        "word": found["word"], "glossary": [e.to_dict() for e in found["glossary_hits"]],
        "dictionary_installed": found["missing"] is None, "message": found["missing"],
        "hits": [{"headword": h.headword, "how": h.how, "part_of": h.part_of,
                  "senses": [dataclasses.asdict(s) for s in h.senses]} for h in found["hits"]],
    })


@bp.get("/glossary/proposals")
@require_role(Role.TRANSLATOR)
def proposal_list():
    """Return the proposed entries that wait for an admin, and the latest decisions."""
    db = get_db()
    return jsonify({"open": [p.to_dict() for p in proposals.open_proposals(db)],
                    "decided": [p.to_dict() for p in proposals.recently_decided(db)]})


@bp.post("/glossary/proposals")
@require_role(Role.TRANSLATOR)
def proposal_create():
    """Propose a glossary entry for an admin to accept or decline."""
    body = json_body()
    db = get_db()
    try:
        entry = proposals.require_terms(Entry(
            terms=body.get("terms") or {}, note=str(body.get("note") or ""),
            dnt=bool(body.get("dnt"))), "de")
        doc_id = body.get("document_id")
        doc_id = doc_id if isinstance(doc_id, int) and 0 < doc_id <= MAX_ID and db.get(
            Document, doc_id) else None
        row = proposals.propose(db, snapshot(), entry, current_name(),
                                str(body.get("origin") or ""), doc_id)
    except (GlossaryError, TypeError, AttributeError) as exc:
        db.rollback()
        raise ApiError(422, f"Not proposed: {exc}.") from None
    return jsonify(row.to_dict()), 201


def _decide(proposal_id: int, decide) -> tuple:
    db = get_db()
    proposal = get_or_404(GlossaryProposal, proposal_id, "proposal")
    try:
        decide(db, proposal)
    except GlossaryError as exc:
        db.rollback()
        raise ApiError(409, str(exc)) from None
    return jsonify(proposal.to_dict())


@bp.post("/glossary/proposals/<int:proposal_id>/accept")
@require_role(Role.ADMIN)
def proposal_accept(proposal_id: int):
    """Add a proposed entry to the glossary."""
    return _decide(proposal_id, lambda db, p: proposals.accept(db, snapshot(), p, current_name()))


@bp.post("/glossary/proposals/<int:proposal_id>/decline")
@require_role(Role.ADMIN)
def proposal_decline(proposal_id: int):
    """Turn a proposed entry down, with an optional reason."""
    reason = str((request.get_json(silent=True) or {}).get("reason") or "")
    return _decide(proposal_id, lambda db, p: proposals.decline(db, p, current_name(), reason))


@bp.get("/glossary/export")
@require_role(Role.TRANSLATOR)
def export():
    """Download the glossary as CSV or TBX."""
    fmt = request.args.get("format", "csv")
    if fmt not in exchange.FORMATS:
        raise ApiError(400, f"Unknown format {fmt!r}; use csv or tbx.")
    return export_response(fmt)


@bp.post("/glossary/import")
@require_role(Role.ADMIN)
def import_file():
    """Preview an uploaded CSV or TBX glossary, or apply it with apply=true."""
    db = get_db()
    try:
        snap, incoming, filename = read_upload()
        preview = preview_import(snap.glossary, incoming, request.form.get("mode", MERGE))
    except GlossaryError as exc:
        raise ApiError(422, str(exc)) from None
    result = {
        "base_version": preview.base_version,
        "mode": preview.mode,
        "added": [e.to_dict() for e in preview.added],
        "changed": [{"before": c.before.to_dict(), "after": c.after.to_dict(),
                     "fields": c.fields, "details": [d.to_dict() for d in c.details]}
                    for c in preview.changed],
        "skipped": [e.to_dict() for e in preview.skipped],
        "applied": False,
    }
    if request.form.get("apply", "").lower() not in ("1", "true", "yes"):
        return jsonify(result)
    base = request.form.get("base_version")
    if base and base != preview.base_version:
        raise ApiError(409, "The glossary changed since that preview; preview it again.")
    try:
        store.apply_import(db, snap, preview, current_name(), filename)
    except GlossaryError as exc:
        db.rollback()
        raise ApiError(409, str(exc)) from None
    return jsonify({**result, "applied": True, "version": snapshot().glossary.version})


_ENTRY = openapi.ref("GlossaryEntry")
_FILE = {"description": "The file", "content": {
    "text/csv": {"schema": {"type": "string"}},
    "application/x-tbx+xml": {"schema": {"type": "string"}}}}
_TERMS = {"type": "object", "additionalProperties": openapi.array_of("string")}

_PROPOSAL = openapi.obj({
    "id": "integer", "entry": openapi.obj({"key": "string", "terms": _TERMS}),
    "origin": "string", "document_id": ["integer", "null"],
    "status": {"type": "string", "enum": ["open", "accepted", "declined"]},
    "proposed_by": "string", "created_at": "string", "decided_by": ["string", "null"],
    "decided_at": ["string", "null"], "reason": "string"}, ["id", "entry", "status"])

openapi.register({
    "/api/glossary/lookup": {"post": {
        "summary": "Find glossary terms in a text, inflected forms included",
        "requestBody": openapi.json_request(openapi.obj({
            "text": "string", "lang": {"type": "string", "description": "e.g. de or en"},
        }, ["text", "lang"])),
        "responses": {
            "200": openapi.json_response(openapi.obj({
                "version": "string", "lang": "string",
                "matches": openapi.array_of(openapi.ref("GlossaryMatch"))})),
            "400": openapi.error_response("Malformed body or language code"),
            "413": openapi.error_response("Text too long")}}},
    "/api/glossary": {"get": {
        "summary": "The glossary's entries",
        "parameters": [openapi.query_param("q")],
        "responses": {"200": openapi.json_response(openapi.obj({
            "version": "string", "languages": openapi.array_of("string"),
            "entries": openapi.array_of(_ENTRY)}))}}},
    "/api/dictionary": {"get": {
        "summary": "Look up a German word, inflected or compound: the glossary's entries, then "
                   "the FreeDict German–English headwords it stands for",
        "parameters": [openapi.query_param("q", {"type": "string", "maxLength": 200})],
        "responses": {
            "200": openapi.json_response(openapi.obj({
                "word": "string", "glossary": openapi.array_of(_ENTRY),
                "dictionary_installed": "boolean", "message": ["string", "null"],
                "hits": openapi.array_of(openapi.obj({
                    "headword": "string",
                    "how": {"type": "string", "enum": ["exact", "inflection", "compound"]},
                    "part_of": "string",
                    "senses": openapi.array_of(openapi.obj({
                        "headword": "string", "grammar": "string",
                        "domains": openapi.array_of("string"),
                        "translations": openapi.array_of("string"),
                        "notes": openapi.array_of("string"),
                        "examples": openapi.array_of(openapi.array_of("string")),
                        "synonyms": openapi.array_of("string")}))}))},
                ["word", "glossary", "hits", "dictionary_installed"])),
            "400": openapi.error_response("No word"),
            "503": openapi.error_response("The dictionary files cannot be read")}}},
    "/api/glossary/proposals": {
        "get": {"summary": "Proposed entries waiting for an admin, and the latest decisions",
                "responses": {"200": openapi.json_response(openapi.obj({
                    "open": openapi.array_of(_PROPOSAL),
                    "decided": openapi.array_of(_PROPOSAL)}))}},
        "post": {"summary": "Propose a glossary entry (a German term at least); an admin "
                            "accepts or declines it",
                 "requestBody": openapi.json_request(openapi.obj({
                     "terms": _TERMS, "note": "string", "dnt": "boolean", "origin": "string",
                     "document_id": ["integer", "null"]}, ["terms"])),
                 "responses": {"201": openapi.json_response(_PROPOSAL),
                               "400": openapi.error_response("Not a JSON object"),
                               "422": openapi.error_response("An entry the glossary refuses, "
                                                             "or proposed already")}}},
    "/api/glossary/proposals/{proposal_id}/accept": {"post": {
        "summary": "Accept a proposal: its entry joins the glossary (admins)",
        "parameters": [openapi.id_param("proposal_id")],
        "responses": {"200": openapi.json_response(_PROPOSAL),
                      "403": openapi.error_response("Not an admin"),
                      "404": openapi.error_response("No such proposal"),
                      "409": openapi.error_response("Decided already, or the glossary has the "
                                                    "concept")}}},
    "/api/glossary/proposals/{proposal_id}/decline": {"post": {
        "summary": "Decline a proposal, with an optional reason (admins)",
        "parameters": [openapi.id_param("proposal_id")],
        "requestBody": {"required": False, "content": {"application/json": {
            "schema": openapi.obj({"reason": "string"})}}},
        "responses": {"200": openapi.json_response(_PROPOSAL),
                      "403": openapi.error_response("Not an admin"),
                      "404": openapi.error_response("No such proposal"),
                      "409": openapi.error_response("Decided already")}}},
    "/api/glossary/export": {"get": {
        "summary": "The glossary as CSV (formula-safe) or TBX",
        "parameters": [openapi.query_param("format", {"type": "string", "enum": ["csv", "tbx"]})],
        "responses": {"200": _FILE, "400": openapi.error_response("Unknown format")}}},
    "/api/glossary/import": {"post": {
        "summary": "Preview a CSV or TBX glossary import (added, changed, skipped); "
                   "apply=true applies it. Admins only; an import never deletes entries. "
                   "mode=merge (default): a blank cell keeps the stored value and variants "
                   "and forbidden renderings are added to; mode=replace: the file's row is "
                   "the whole concept, and `details` names every removal",
        "requestBody": openapi.form_request({
            "file": {"type": "string", "format": "binary"}, "apply": "boolean",
            "mode": {"type": "string", "enum": ["merge", "replace"]},
            "base_version": {"type": "string",
                             "description": "Refuse unless the glossary is still at this version"},
        }, ["file"]),
        "responses": {
            "200": openapi.json_response(openapi.obj({
                "base_version": "string", "applied": "boolean", "mode": "string",
                "added": openapi.array_of(_ENTRY),
                "changed": openapi.array_of(openapi.obj({
                    "before": _ENTRY, "after": _ENTRY, "fields": openapi.array_of("string"),
                    "details": openapi.array_of(openapi.obj({
                        "field": "string", "label": "string",
                        "removed": openapi.array_of("string"),
                        "added": openapi.array_of("string"),
                        "before": "string", "after": "string"}))})),
                "skipped": openapi.array_of(_ENTRY)})),
            "403": openapi.error_response("Not an admin"),
            "409": openapi.error_response("The glossary changed since the preview"),
            "422": openapi.error_response("Unreadable file: the message names the line and the problem")}}},
}, {
    "GlossaryEntry": openapi.obj({
        "id": ["integer", "null"], "key": "string",
        "terms": {**_TERMS, "description": "Accepted variants per language, the preferred one first"},
        "note": "string", "dnt": "boolean",
        "forbidden": {**_TERMS, "description": "Forbidden renderings per target language; "
                                               "\"*\" for every one"},
        "case_sensitive": ["boolean", "null"]}, ["key", "terms"]),
    "GlossaryMatch": openapi.obj({
        "start": "integer", "end": "integer", "text": "string",
        "term": {"type": "string", "description": "The glossary variant that matched"},
        "lang": "string", "entry": _ENTRY,
        "others": {**openapi.array_of(_ENTRY),
                   "description": "Other senses matching exactly the same span"}},
        ["start", "end", "text", "entry"]),
})
