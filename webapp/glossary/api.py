"""The glossary's part of the JSON API: entries, term lookup, export and import, and their OpenAPI."""

from __future__ import annotations

from flask import Blueprint, jsonify, request

from webapp.core import openapi
from webapp.core.access import current_name, require_role
from webapp.core.db import get_db
from webapp.core.http import ApiError, json_body
from webapp.core.states import Role
from webapp.glossary import exchange, store
from webapp.glossary.entries import GlossaryError, normalize_lang
from webapp.glossary.matching import find_terms
from webapp.glossary.merge import preview_import
from webapp.glossary.views import export_response, read_upload, snapshot

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
    snap = snapshot()
    try:
        incoming, filename = read_upload()
    except GlossaryError as exc:
        raise ApiError(422, str(exc)) from None
    preview = preview_import(snap.glossary, incoming)
    result = {
        "base_version": preview.base_version,
        "added": [e.to_dict() for e in preview.added],
        "changed": [{"before": c.before.to_dict(), "after": c.after.to_dict(),
                     "fields": c.fields} for c in preview.changed],
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


_ENTRY = {"$ref": "#/components/schemas/GlossaryEntry"}
_FILE = {"description": "The file", "content": {
    "text/csv": {"schema": {"type": "string"}},
    "application/x-tbx+xml": {"schema": {"type": "string"}}}}

openapi.register({
    "/api/glossary/lookup": {"post": {
        "summary": "Find glossary terms in a text, inflected forms included",
        "requestBody": {"required": True, "content": {"application/json": {"schema": {
            "type": "object", "required": ["text", "lang"],
            "properties": {"text": {"type": "string"},
                           "lang": {"type": "string", "description": "e.g. de or en"}}}}}},
        "responses": {
            "200": openapi.json_response({"type": "object", "properties": {
                "version": {"type": "string"}, "lang": {"type": "string"},
                "matches": {"type": "array", "items": {
                    "$ref": "#/components/schemas/GlossaryMatch"}}}}),
            "400": openapi.error_response("Malformed body or language code"),
            "413": openapi.error_response("Text too long")}}},
    "/api/glossary": {"get": {
        "summary": "The glossary's entries",
        "parameters": [{"name": "q", "in": "query", "schema": {"type": "string"}}],
        "responses": {"200": openapi.json_response({"type": "object", "properties": {
            "version": {"type": "string"},
            "languages": {"type": "array", "items": {"type": "string"}},
            "entries": {"type": "array", "items": _ENTRY}}})}}},
    "/api/glossary/export": {"get": {
        "summary": "The glossary as CSV (formula-safe) or TBX",
        "parameters": [{"name": "format", "in": "query",
                        "schema": {"type": "string", "enum": ["csv", "tbx"]}}],
        "responses": {"200": _FILE, "400": openapi.error_response("Unknown format")}}},
    "/api/glossary/import": {"post": {
        "summary": "Preview a CSV or TBX glossary import (added, changed, skipped); "
                   "apply=true applies it. Admins only; an import never deletes entries",
        "requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
            "type": "object", "required": ["file"],
            "properties": {"file": {"type": "string", "format": "binary"},
                           "apply": {"type": "boolean"},
                           "base_version": {"type": "string",
                                            "description": "Refuse unless the glossary is "
                                                           "still at this version"}}}}}},
        "responses": {
            "200": openapi.json_response({"type": "object", "properties": {
                "base_version": {"type": "string"}, "applied": {"type": "boolean"},
                "added": {"type": "array", "items": _ENTRY},
                "changed": {"type": "array", "items": {"type": "object", "properties": {
                    "before": _ENTRY, "after": _ENTRY,
                    "fields": {"type": "array", "items": {"type": "string"}}}}},
                "skipped": {"type": "array", "items": _ENTRY}}}),
            "403": openapi.error_response("Not an admin"),
            "409": openapi.error_response("The glossary changed since the preview"),
            "422": openapi.error_response("Unreadable file: the message names the line and the problem")}}},
}, {
    "GlossaryEntry": {"type": "object", "required": ["key", "terms"], "properties": {
        "id": {"type": ["integer", "null"]}, "key": {"type": "string"},
        "terms": {"type": "object", "additionalProperties": {
            "type": "array", "items": {"type": "string"}},
            "description": "Accepted variants per language, the preferred one first"},
        "note": {"type": "string"}, "dnt": {"type": "boolean"},
        "forbidden": {"type": "object", "additionalProperties": {
            "type": "array", "items": {"type": "string"}},
            "description": "Forbidden renderings per target language; \"*\" for every one"},
        "case_sensitive": {"type": ["boolean", "null"]}}},
    "GlossaryMatch": {"type": "object", "required": ["start", "end", "text", "entry"],
                      "properties": {
        "start": {"type": "integer"}, "end": {"type": "integer"}, "text": {"type": "string"},
        "term": {"type": "string", "description": "The glossary variant that matched"},
        "lang": {"type": "string"}, "entry": _ENTRY,
        "others": {"type": "array", "items": _ENTRY,
                   "description": "Other senses matching exactly the same span"}}},
})
