"""The translation memory's part of the JSON API: TMX import and export, lookup, concordance, pairs."""

from __future__ import annotations

from flask import Blueprint, Flask, current_app, jsonify, request

from webapp.core import openapi
from webapp.core.access import require_role
from webapp.core.db import get_db
from webapp.core.http import ApiError, download, json_body
from webapp.core.patterns import PatternError, PatternRefused, parse_query
from webapp.core.states import Role
from webapp.core.text import primary_language
from webapp.interchange import exchange as interchange
from webapp.tm import store, tmxio
from webapp.tm.importing import ImportRefused
from webapp.tm.views import cache, glossary_terms, start_import, threshold

bp = Blueprint("tm_api", __name__, url_prefix="/api")


@bp.post("/tm/import")
@require_role(Role.EDITOR)
def import_tmx():
    """Start importing a TMX file into the memory as a background job."""
    try:
        return jsonify(start_import().to_dict()), 202
    except ImportRefused as exc:
        raise ApiError(exc.status, str(exc)) from None


@bp.get("/tm/export")
@require_role(Role.TRANSLATOR)
def export_tmx():
    """Download the memory, or one language pair of it, as TMX 1.4b."""
    source_lang = request.args.get("source_lang") or None
    target_lang = request.args.get("target_lang") or None
    try:
        data = tmxio.export_tmx(get_db(), source_lang, target_lang)
    except (tmxio.ExportError, ValueError) as exc:
        raise ApiError(400, str(exc)) from None
    name = "memory" + (f".{primary_language(source_lang)}" if source_lang else "") + (
        f"-{primary_language(target_lang)}" if target_lang else "")
    return download(data, f"{name}.tmx", interchange.MIMETYPES["tmx"])


def match_dict(match: store.MemoryMatch) -> dict:
    """Return a fuzzy match as the API answers it."""
    return {"score": match.score, "source": match.unit.source, "target": match.unit.target,
            "origin": match.unit.origin, "author": match.unit.author,
            "changed_at": match.unit.changed_at.isoformat() + "Z", "id": match.unit.id,
            "source_lang": match.unit.source_lang, "target_lang": match.unit.target_lang,
            "diff": [{"op": op, "text": text} for op, text in match.diff]}


def _lang_field(body: dict, name: str) -> str:
    value = body.get(name)
    if not isinstance(value, str) or not primary_language(value).isalpha():
        raise ApiError(400, f"'{name}' must be a language code such as 'de' or 'en-US'.")
    return value.strip()


@bp.post("/tm/lookup")
@require_role(Role.TRANSLATOR)
def lookup():
    """Return the memory's fuzzy matches for a text, best first."""
    body = json_body()
    text = body.get("text")
    if not isinstance(text, str) or not text.strip():
        raise ApiError(400, "'text' must be the source text to look up.")
    if len(text) > current_app.config["MAX_SEGMENT_CHARS"]:
        raise ApiError(422, "The text is longer than a segment may be.")
    source_lang, target_lang = _lang_field(body, "source_lang"), _lang_field(body, "target_lang")
    least = body.get("threshold", threshold())
    limit = body.get("limit", 3)
    if not isinstance(least, int | float) or isinstance(least, bool) or not 0 < least <= 1:
        raise ApiError(400, "'threshold' must be a number above 0 and at most 1.")
    if not isinstance(limit, int) or isinstance(limit, bool) or not 1 <= limit <= 50:
        raise ApiError(400, "'limit' must be a whole number from 1 to 50.")
    found = store.lookup(get_db(), cache(), text, source_lang, target_lang, least, limit)
    ready = cache().ready(primary_language(source_lang), primary_language(target_lang))
    return jsonify({"matches": [match_dict(m) for m in found], "indexing": not ready})


@bp.get("/tm/concordance")
@require_role(Role.TRANSLATOR)
def concordance():
    """Search the memory (and the glossary) for a word or phrase on one side."""
    db = get_db()
    query = request.args.get("q", "").strip()
    if not query:
        raise ApiError(400, "Say what to search for with q=.")
    body = {"source_lang": request.args.get("source_lang"),
            "target_lang": request.args.get("target_lang")}
    source_lang, target_lang = _lang_field(body, "source_lang"), _lang_field(body, "target_lang")
    side = request.args.get("side", "source")
    if side not in ("source", "target"):
        raise ApiError(400, "'side' must be source or target.")
    try:
        hits = store.concordance(db, cache(), query[:500], source_lang, target_lang, side,
                                 regex=bool(request.args.get("regex")),
                                 case=bool(request.args.get("case")),
                                 word=bool(request.args.get("word")))
    except PatternError as exc:
        raise ApiError(422 if isinstance(exc, PatternRefused) else 400, str(exc)) from None
    words = parse_query(query)
    terms = [] if words.regex else glossary_terms(
        db, words.body, target_lang if side == "target" else source_lang)
    return jsonify({
        "query": query, "side": side,
        "units": [{**h.unit.to_dict(), "start": h.start, "end": h.end} for h in hits],
        "glossary": [entry.to_dict() for entry, _lang in terms],
    })


@bp.get("/tm/pairs")
@require_role(Role.TRANSLATOR)
def pairs():
    """List the memory's language pairs with their unit counts."""
    return jsonify([{"source_lang": p.source_key, "target_lang": p.target_key, "units": p.units,
                     "source_tags": p.source_tags, "target_tags": p.target_tags}
                    for p in store.pairs(get_db())])


_LANG_PAIR = [openapi.query_param("source_lang"), openapi.query_param("target_lang")]

openapi.register({
    "/api/tm/import": {"post": {
        "summary": "Import a TMX 1.1–1.4b file into the translation memory (editor or admin)",
        "description": "The file is stored and imported by a background job; poll "
                       "GET /api/jobs/{job_id} until `status` is done (percent reaches 100). "
                       "Units already in the memory are skipped. A file that turns out "
                       "malformed fails the job and adds nothing.",
        "requestBody": openapi.form_request({
            "file": {"type": "string", "format": "binary"},
            "source_lang": {"type": "string", "description": "Which tuv is the source "
                            "(default: the header's srclang)"},
            "target_lang": {"type": "string", "description": "Keep only targets in this "
                            "language (DE-DE matches de)"},
        }, ["file"]),
        "responses": {
            "202": openapi.json_response(openapi.ref("Job"), "Import started"),
            "400": openapi.error_response("No file"),
            "403": openapi.error_response("Translators may not import"),
            "413": openapi.error_response("Over TM_MAX_UPLOAD_BYTES"),
            "422": openapi.error_response("Not XML, not TMX, or entity declarations"),
        },
    }},
    "/api/tm/export": {"get": {
        "summary": "The translation memory as TMX 1.4b",
        "parameters": _LANG_PAIR,
        "responses": {
            "200": {"description": "The TMX file", "content": {
                "application/x-tmx+xml": {"schema": {"type": "string"}}}},
            "400": openapi.error_response("Several source languages and none chosen"),
        },
    }},
    "/api/tm/lookup": {"post": {
        "summary": "Fuzzy matches for a source text, best first",
        "requestBody": openapi.json_request(openapi.obj({
            "text": "string",
            "source_lang": {"type": "string", "example": "en"},
            "target_lang": {"type": "string", "example": "de"},
            "threshold": {"type": "number", "exclusiveMinimum": 0, "maximum": 1,
                          "description": "Least score as a share (default TM_THRESHOLD)"},
            "limit": {"type": "integer", "minimum": 1, "maximum": 50, "default": 3},
        }, ["text", "source_lang", "target_lang"])),
        "responses": {
            "200": openapi.json_response(openapi.obj({
                "matches": openapi.array_of(openapi.ref("TmMatch")),
                "indexing": {"type": "boolean", "description": "True while a big "
                             "memory is still being indexed: ask again shortly"},
            }), "Matches"),
            "400": openapi.error_response("Malformed body"),
        },
    }},
    "/api/tm/concordance": {"get": {
        "summary": "Memory units (and glossary entries) containing a word or phrase",
        "parameters": [
            openapi.query_param(name, required=True) for name in ("q", "source_lang", "target_lang")
        ] + [openapi.query_param("side", {"type": "string", "enum": ["source", "target"]})]
        + [openapi.query_param(name) for name in ("regex", "case", "word")],
        "description": "`q` is read as the editor's search reads it: `/…/` is a regular "
                       "expression (RE2); plain text ignores case unless `case` is set.",
        "responses": {
            "200": openapi.json_response(openapi.obj({
                "query": "string", "side": "string",
                "units": openapi.array_of(openapi.ref("TmUnit")),
                "glossary": openapi.array_of("object"),
            }), "Hits"),
            "400": openapi.error_response("Missing query or languages, or a bad pattern"),
            "422": openapi.error_response("Pattern refused"),
        },
    }},
    "/api/tm/pairs": {"get": {
        "summary": "The memory's language pairs with unit counts",
        "responses": {"200": openapi.json_response(openapi.array_of(openapi.obj({
            "source_lang": "string", "target_lang": "string", "units": "integer",
            "source_tags": openapi.array_of("string"), "target_tags": openapi.array_of("string"),
        })), "Pairs")},
    }},
}, {
    "TmUnit": openapi.obj({
        "id": "integer", "source": "string", "target": "string", "source_lang": "string",
        "target_lang": "string",
        "origin": {"type": "string", "description": "Document or TMX file it came from"},
        "author": "string", "created_at": "string", "changed_at": "string",
        "document_id": ["integer", "null"], "start": "integer", "end": "integer",
    }),
    "TmMatch": openapi.obj({
        "score": {"type": "integer", "minimum": 0, "maximum": 100},
        "source": "string", "target": "string", "origin": "string", "author": "string",
        "changed_at": "string", "id": "integer", "source_lang": "string",
        "target_lang": "string",
        "diff": {**openapi.array_of(openapi.obj({
            "op": {"type": "string", "enum": ["equal", "delete", "insert"]}, "text": "string"})),
            "description": "Word diff of the match's source against the query: delete = only "
                           "in the match, insert = only in the query"},
    }, ["score", "source", "target", "origin"]),
})


def init_app(app: Flask) -> None:
    """Register the memory's JSON API."""
    app.register_blueprint(bp)
