"""The documents part of the JSON API: list, import, one document, a page of segments, next, export."""

from __future__ import annotations

from flask import Blueprint, Flask, current_app, jsonify, request

from webapp.core import openapi
from webapp.core.access import current_name, current_role, require_role
from webapp.core.db import get_db
from webapp.core.http import ApiError, download, get_or_404, int_arg, json_body, uploaded_file
from webapp.core.models import Document
from webapp.core.states import Role, State
from webapp.documents import dashboard, importing, originals, queries, textio
from webapp.documents.views import export_check, export_warnings_header
from webapp.interchange import exchange as interchange
from webapp.mt import engine as mt
from webapp.tm import feed as tm_feed
from webapp.tm import store as tm_store

bp = Blueprint("documents_api", __name__, url_prefix="/api")


@bp.get("/documents")
@require_role(Role.TRANSLATOR)
def list_documents():
    """List the documents as the dashboard does: progress, people, due date (archived on ?archived=1)."""
    archived = request.args.get("archived", "0")
    if archived not in ("0", "1"):
        raise ApiError(400, "'archived' is 1 (include archived documents) or 0.")
    found = dashboard.rows(get_db(), current_name(), archived=archived == "1")
    return jsonify([r.to_dict() for r in found])


PATCH_FIELDS = {"translator", "editor", "due_date", "archived"}


@bp.patch("/documents/<int:doc_id>")
@require_role(Role.TRANSLATOR)
def patch_document(doc_id: int):
    """Assign people, set the due date, archive or unarchive; answer the dashboard row."""
    doc = get_or_404(Document, doc_id)
    body = json_body()
    unknown = sorted(set(body) - PATCH_FIELDS)
    if unknown or not body:
        raise ApiError(400, f"Send any of {', '.join(sorted(PATCH_FIELDS))}"
                            + (f"; unknown: {', '.join(unknown)}." if unknown else "."))
    for key in ("translator", "editor", "due_date"):
        if key in body and not isinstance(body[key], str | None):
            raise ApiError(400, f"'{key}' must be a string or null.")
    if "archived" in body and not isinstance(body["archived"], bool):
        raise ApiError(400, "'archived' must be true or false.")
    db, me, role = get_db(), current_name(), current_role()
    try:
        if {"translator", "editor", "due_date"} & set(body):
            dashboard.plan(db, doc, me, role, translator=body.get("translator", ...),
                           editor=body.get("editor", ...), due=body.get("due_date", ...))
        if body.get("archived") is True:
            dashboard.archive(db, doc, me, role)
        elif body.get("archived") is False:
            dashboard.unarchive(db, doc, me, role)
    except dashboard.NotAllowed as exc:
        db.rollback()
        raise ApiError(403, str(exc)) from None
    except dashboard.DashboardError as exc:
        db.rollback()
        raise ApiError(422, str(exc)) from None
    return jsonify(dashboard.row(db, doc, me).to_dict())


@bp.delete("/documents/<int:doc_id>")
@require_role(Role.ADMIN)
def delete_document(doc_id: int):
    """Delete an archived document for good (admins only)."""
    doc = get_or_404(Document, doc_id)
    try:
        gone = dashboard.delete_archived(get_db(), doc, current_name(), current_role())
    except dashboard.DashboardError as exc:
        get_db().rollback()
        raise ApiError(409, str(exc)) from None
    return jsonify({"deleted": gone})


@bp.post("/documents")
@require_role(Role.TRANSLATOR)
def create_document():
    """Import a plain-text or XLIFF document from a multipart upload."""
    limit = current_app.config["MAX_UPLOAD_BYTES"]
    name, data = uploaded_file(
        limit, ApiError(400, "Send the document as the multipart field 'file'."))
    db = get_db()
    try:
        doc = interchange.import_document(
            db, data, name, request.form.get("source_lang", ""),
            request.form.get("target_lang", ""), request.form.get("mode", "translate"), limit,
            author=current_name(),
        )
    except (textio.TextImportError, importing.DocumentError) as exc:
        db.rollback()
        too_big = "limit" in str(exc) and not isinstance(exc, interchange.XliffRefused)
        raise ApiError(413 if too_big else 422, str(exc)) from None
    data = doc.to_dict()
    data["tm_prefilled"] = (tm_feed.prefill(db, tm_store.cache_of(current_app), doc)
                            if request.form.get("tm_prefill") else None)
    data["segments"] = queries.count_segments(db, doc.id)
    src, tgt = mt.mt_pair(doc)
    data["mt_available"] = mt.has_route(src, tgt)
    if not data["mt_available"]:
        data["mt_message"] = mt.missing_pair_message(src, tgt)
    return jsonify(data), 201


@bp.get("/documents/<int:doc_id>")
@require_role(Role.TRANSLATOR)
def get_document(doc_id: int):
    """Return one document with its progress by state."""
    doc = get_or_404(Document, doc_id)
    data = doc.to_dict()
    counts = queries.state_counts(get_db(), doc.id)
    data["segments"] = sum(counts.values())
    data["states"] = {s.slug: n for s, n in counts.items()}
    return jsonify(data)


@bp.get("/documents/<int:doc_id>/segments")
@require_role(Role.TRANSLATOR)
def list_segments(doc_id: int):
    """Return a page of a document's segments."""
    doc = get_or_404(Document, doc_id)
    offset = int_arg("offset", 0, 0, 10**9, strict=True)
    limit = int_arg("limit", 100, 1, 1000, strict=True)
    states = []
    for slug in request.args.getlist("state"):
        try:
            states.append(State.from_slug(slug))
        except ValueError as exc:
            raise ApiError(400, str(exc)) from None
    args = request.args
    # The editor's search syntax: `/…/` is a regex (RE2), with the same toggles.
    flt = queries.SegmentFilter(states=states, query=args.get("q", "")[:500],
                                field=args.get("in", "both"), regex=bool(args.get("regex")),
                                case=bool(args.get("case")), word=bool(args.get("word")))
    try:
        segs, total = queries.page_segments(get_db(), doc.id, offset, limit, flt)
    except importing.DocumentError as exc:
        raise ApiError(422 if isinstance(exc, queries.FilterRefused) else 400, str(exc)) from None
    return jsonify({"total": total, "offset": offset, "limit": limit,
                    "segments": [s.to_dict() for s in segs]})


@bp.get("/documents/<int:doc_id>/next")
@require_role(Role.TRANSLATOR)
def next_segment(doc_id: int):
    """Return the next untranslated (or rejected) segment after position `after`."""
    doc = get_or_404(Document, doc_id)
    after = int_arg("after", -1, -1, 10**9, strict=True)
    kind = request.args.get("kind", "untranslated")
    wanted = {"untranslated": (State.NEW, State.MT, State.REJECTED),
              "rejected": (State.REJECTED,), "translated": (State.TRANSLATED,)}
    if kind not in wanted:
        raise ApiError(400, "'kind' must be untranslated, rejected or translated.")
    seg = queries.next_matching(get_db(), doc.id, after, wanted[kind])
    if seg is None:
        raise ApiError(404, f"No {kind} segment is left.")
    return jsonify(seg.to_dict())


@bp.get("/documents/<int:doc_id>/export")
@require_role(Role.TRANSLATOR)
def export(doc_id: int):
    """Export the corrected document."""
    doc = get_or_404(Document, doc_id)
    fmt = request.args.get("format", "txt")
    try:
        exp = interchange.export_document(get_db(), doc, fmt)
    except ValueError as exc:
        raise ApiError(400, str(exc)) from None
    headers = {"X_Untranslated_Segments": str(exp.untranslated)}
    if fmt == "txt":
        headers["X_Export_Warnings"] = export_warnings_header(export_check(doc))
    return download(exp.data, exp.filename, exp.mimetype, **headers)


@bp.get("/documents/<int:doc_id>/export/check")
@require_role(Role.TRANSLATOR)
def export_check_json(doc_id: int):
    """Say which segments an export would carry unfinished or with open QA warnings."""
    return jsonify(export_check(get_or_404(Document, doc_id)).to_dict())


@bp.post("/documents/<int:doc_id>/original")
@require_role(Role.TRANSLATOR)
def upload_original(doc_id: int):
    """Align an uploaded original with a review document's segments, as a proposal to check."""
    doc = get_or_404(Document, doc_id)
    limit = current_app.config["MAX_UPLOAD_BYTES"]
    name, data = uploaded_file(
        limit, ApiError(400, "Send the original as the multipart field 'file'."))
    db = get_db()
    cache = current_app.extensions.get("webapp.glossary")
    try:
        proposal = originals.propose(
            db, doc, data, name, limit, current_name(),
            cache.current(db).glossary if cache is not None else None,
            current_app.config["MAX_SEGMENT_CHARS"])
    except (textio.TextImportError, importing.DocumentError) as exc:
        db.rollback()
        raise ApiError(413 if "the limit is" in str(exc) else 422, str(exc)) from None
    return jsonify(originals.proposal_data(db, proposal)), 201


def _proposal(doc: Document):
    proposal = originals.get_proposal(get_db(), doc)
    if proposal is None:
        raise ApiError(404, "No original has been uploaded for this document.")
    return proposal


def _body_int(body: dict, name: str, required: bool = True) -> int | None:
    value = body.get(name)
    if value is None and not required:
        return None
    if not isinstance(value, int) or isinstance(value, bool):
        raise ApiError(400, f"'{name}' must be a whole number.")
    return value


@bp.get("/documents/<int:doc_id>/alignment")
@require_role(Role.TRANSLATOR)
def get_alignment(doc_id: int):
    """Return the proposed (or accepted) alignment with its links."""
    doc = get_or_404(Document, doc_id)
    return jsonify(originals.proposal_data(get_db(), _proposal(doc)))


@bp.post("/documents/<int:doc_id>/alignment/join", defaults={"edit": "join"})
@bp.post("/documents/<int:doc_id>/alignment/split", defaults={"edit": "split"})
@bp.post("/documents/<int:doc_id>/alignment/accept", defaults={"edit": "accept"})
@require_role(Role.TRANSLATOR)
def edit_alignment(doc_id: int, edit: str):
    """Join a row's English with the next row's, split it, or accept the alignment."""
    doc = get_or_404(Document, doc_id)
    db = get_db()
    body = json_body()
    proposal = _proposal(doc)
    version = _body_int(body, "version")
    try:
        if edit == "join":
            originals.join(db, proposal, _body_int(body, "row") - 1, version, current_name(),
                           current_app.config["MAX_SEGMENT_CHARS"])
        elif edit == "split":
            originals.split(db, proposal, _body_int(body, "row") - 1,
                            _body_int(body, "at", required=False), version, current_name())
        else:
            done = originals.accept(db, doc, proposal, version, current_name())
            data = originals.proposal_data(db, proposal)
            data["accepted"] = {"segments": done.segments, "without_english": done.without_english,
                                "shared": done.shared, "english_unpaired": done.unpaired}
            return jsonify(data)
    except importing.DocumentError as exc:
        db.rollback()
        raise ApiError(409 if isinstance(exc, originals.AlignmentConflict) else 422,
                       str(exc)) from None
    return jsonify(originals.proposal_data(db, proposal))


_PERSON = {"type": ["string", "null"], "description": "A user name; null or \"\" clears"}

openapi.register({
    "/api/documents": {
        "get": {
            "summary": "List documents as the dashboard shows them: the person's own first, "
                       "then by due date",
            "parameters": [openapi.query_param("archived", {"type": "string", "enum": ["0", "1"]})],
            "responses": {
                "200": openapi.json_response(openapi.array_of(openapi.ref("DocumentSummary"))),
                "400": openapi.error_response("Bad parameter")},
        },
        "post": {
            "summary": "Import a plain-text document (UTF-8, UTF-16 with BOM or Latin-1) or an "
                       "XLIFF 1.2/2.0 file",
            "description": "XLIFF is recognised by its extension (.xlf, .xliff, .sdlxliff) or its "
                           "root element. It brings its own languages, targets, states and notes; "
                           "`target_lang` serves only a file that names no target language, "
                           "`source_lang` and `mode` are ignored. With `tm_prefill` set, empty "
                           "targets are filled from 100 % translation-memory matches.",
            "requestBody": openapi.form_request({
                "file": {"type": "string", "format": "binary"},
                "source_lang": {"type": "string", "example": "en"},
                "target_lang": {"type": "string", "example": "de"},
                "mode": {"type": "string", "enum": ["translate", "review"]},
                "tm_prefill": {"type": "string", "description": "Any value: fill targets "
                               "from 100 % memory matches"},
            }, ["file", "source_lang", "target_lang"]),
            "responses": {
                "201": openapi.json_response(openapi.ref("Document"), "Imported"),
                "400": openapi.error_response("No file sent"),
                "413": openapi.error_response("File over the size limit"),
                "422": openapi.error_response("Refused: empty, binary, undecodable, bad languages, or "
                                      "an invalid XLIFF file (the message says what and on "
                                      "which line)"),
            },
        },
    },
    "/api/documents/{doc_id}": {
        "get": {
            "summary": "One document with counts by state",
            "parameters": [openapi.id_param("doc_id")],
            "responses": {"200": openapi.json_response(openapi.ref("Document")),
                          "404": openapi.error_response("No such document")},
        },
        "patch": {
            "summary": "Assign the translator and editor, set the due date (editors), archive "
                       "or unarchive (editors and whoever imported it)",
            "parameters": [openapi.id_param("doc_id")],
            "requestBody": openapi.json_request(openapi.obj({
                "translator": _PERSON, "editor": _PERSON,
                "due_date": {"type": ["string", "null"], "format": "date",
                             "example": "2026-12-24"},
                "archived": "boolean",
            })),
            "responses": {
                "200": openapi.json_response(openapi.ref("DocumentSummary")),
                "400": openapi.error_response("Not a JSON object, an unknown field or a wrong type"),
                "403": openapi.error_response("The role does not allow this"),
                "404": openapi.error_response("No such document"),
                "422": openapi.error_response("A bad date, or an unknown or unsuitable user"),
            },
        },
        "delete": {
            "summary": "Delete an archived document with its history (admins only)",
            "parameters": [openapi.id_param("doc_id")],
            "responses": {
                "200": openapi.json_response(openapi.obj({"deleted": openapi.obj({
                    "id": "integer", "name": "string", "segments": "integer",
                    "words": "integer"})})),
                "403": openapi.error_response("Not an admin"),
                "404": openapi.error_response("No such document"),
                "409": openapi.error_response("Not archived, or a job is working on it"),
            },
        },
    },
    "/api/documents/{doc_id}/segments": {
        "get": {
            "summary": "A page of segments in document order",
            "parameters": [
                openapi.id_param("doc_id"),
                openapi.query_param("offset", {"type": "integer", "minimum": 0}),
                openapi.query_param("limit", {"type": "integer", "minimum": 1, "maximum": 1000}),
                openapi.query_param("state", {"type": "string", "enum": openapi.STATE_SLUGS}),
                openapi.query_param("q", {"type": "string", "description": "Words, or a "
                                          "regular expression between slashes (RE2)"}),
                openapi.query_param("in", {"type": "string",
                                           "enum": ["both", "source", "target"]}),
                openapi.query_param("regex"), openapi.query_param("case"),
                openapi.query_param("word"),
            ],
            "responses": {"200": openapi.json_response(openapi.ref("SegmentPage")),
                          "400": openapi.error_response("Bad parameter"),
                          "404": openapi.error_response("No such document"),
                          "422": openapi.error_response("Search pattern refused")},
        },
    },
    "/api/documents/{doc_id}/next": {
        "get": {
            "summary": "The next untranslated, rejected or translated segment after a position",
            "parameters": [
                openapi.id_param("doc_id"),
                openapi.query_param("after", {"type": "integer", "minimum": -1}),
                openapi.query_param("kind", {"type": "string",
                                     "enum": ["untranslated", "rejected", "translated"]}),
            ],
            "responses": {"200": openapi.json_response(openapi.ref("Segment")),
                          "400": openapi.error_response("Bad parameter"),
                          "404": openapi.error_response("No such document, or none left")},
        },
    },
    "/api/documents/{doc_id}/export": {
        "get": {
            "summary": "Export the corrected document: text, XLIFF 1.2 or 2.0 (states mapped, "
                       "comments as notes, inline codes restored), or its approved segments "
                       "as TMX 1.4b",
            "parameters": [openapi.id_param("doc_id"), openapi.query_param("format", {
                "type": "string", "enum": ["txt", "xliff12", "xliff20", "tmx"]})],
            "responses": {
                "200": {"description": "The file", "content": {
                    "text/plain": {"schema": {"type": "string"}},
                    "application/xliff+xml": {"schema": {"type": "string"}},
                    "application/x-tmx+xml": {"schema": {"type": "string"}}}},
                "400": openapi.error_response("Unknown format"),
                "404": openapi.error_response("No such document"),
            },
        },
    },
    "/api/documents/{doc_id}/export/check": {
        "get": {
            "summary": "What a text export would carry that nobody has vouched for: segments "
                       "not yet translated or reviewed, and segments with an open QA warning "
                       "(the text export sends the same warnings in X-Export-Warnings)",
            "parameters": [openapi.id_param("doc_id")],
            "responses": {
                "200": openapi.json_response(openapi.ref("ExportCheck")),
                "404": openapi.error_response("No such document"),
            },
        },
    },
}, {
    "DocumentSummary": openapi.obj({
        "id": "integer", "name": "string", "source_lang": "string", "target_lang": "string",
        "mode": "string", "source_kind": "string", "created_at": "string",
        "segments": "integer", "words": "integer",
        "states": {"type": "object", "additionalProperties": {"type": "integer"}},
        "progress": {"type": "object", "description": "Segments and words per state",
                     "additionalProperties": openapi.obj({"segments": "integer",
                                                          "words": "integer"})},
        "done_percent": {"type": "integer", "description": "Words translated or approved, %"},
        "translator": ["string", "null"], "editor": ["string", "null"], "mine": "boolean",
        "due_date": {"type": ["string", "null"], "format": "date"}, "overdue": "boolean",
        "archived": "boolean", "archived_at": ["string", "null"],
        "archived_by": ["string", "null"], "last_edit_at": ["string", "null"],
        "last_edit_by": ["string", "null"],
    }, ["id", "name", "segments", "words", "progress", "archived"]),
    "ExportCheck": openapi.obj({
        "segments": "integer", "unfinished": "integer", "qa_flagged": "integer",
        "unfinished_segments": openapi.array_of({"type": "integer"}),
        "qa_flagged_segments": openapi.array_of({"type": "integer"}),
        "warnings": openapi.array_of({"type": "string"}),
    }, ["segments", "unfinished", "qa_flagged", "warnings"]),
    "SegmentPage": openapi.obj({"total": "integer", "offset": "integer", "limit": "integer",
                        "segments": openapi.array_of(openapi.ref("Segment"))}, ["total", "segments"]),
})

EDIT_BODY = openapi.obj({
    "version": {"type": "integer", "description": "The proposal's version the asker saw"},
    "row": {"type": "integer", "minimum": 1, "description": "1-based row (link) number"},
    "at": {"type": "integer", "minimum": 0, "description": "Split: character of the row's "
           "English (its sentences joined by spaces) where the second part starts; default "
           "the second sentence"},
}, ["version"])

openapi.register({
    "/api/documents/{doc_id}/original": {
        "post": {
            "summary": "Upload the original of a review document and align it with the segments",
            "description": "Any sentence count: the English sentences are aligned with the "
                           "German segments (1:1, 1:2, 2:1, German with no English, English with "
                           "nothing) by their lengths and anchors (numbers, glossary terms, names, "
                           "quotes, and a back-translation when the document has one). The result "
                           "is a proposal; the segments are unchanged until it is accepted. A new "
                           "upload replaces the proposal.",
            "parameters": [openapi.id_param("doc_id")],
            "requestBody": openapi.form_request({"file": {"type": "string", "format": "binary"}},
                                                ["file"]),
            "responses": {
                "201": openapi.json_response(openapi.ref("Alignment"), "Proposed"),
                "400": openapi.error_response("No file sent"),
                "404": openapi.error_response("No such document"),
                "413": openapi.error_response("File over the size limit"),
                "422": openapi.error_response("Empty, binary or undecodable file, a sentence "
                                              "too long, or not a review document"),
            },
        },
    },
    "/api/documents/{doc_id}/alignment": {
        "get": {
            "summary": "The proposed or accepted alignment of the uploaded original",
            "parameters": [openapi.id_param("doc_id")],
            "responses": {"200": openapi.json_response(openapi.ref("Alignment")),
                          "404": openapi.error_response("No such document, or no original")},
        },
    },
    **{f"/api/documents/{{doc_id}}/alignment/{edit}": {
        "post": {
            "summary": summary,
            "parameters": [openapi.id_param("doc_id")],
            "requestBody": openapi.json_request(EDIT_BODY),
            "responses": {
                "200": openapi.json_response(openapi.ref("Alignment")),
                "400": openapi.error_response("Bad body"),
                "404": openapi.error_response("No such document, or no original"),
                "409": openapi.error_response("The proposal changed since `version`"),
                "422": openapi.error_response("Not possible: no such row, nothing to split, "
                                              "already accepted, segments changed"),
            },
        },
    } for edit, summary in (
        ("join", "Join a row's English with the next row's (the next German keeps no English, "
                 "or shares this English when it had none)"),
        ("split", "Split a row's English at a character: the second part goes to the row's "
                  "second German segment, else to a new row of English with nothing"),
        ("accept", "Accept the alignment: each row's English becomes its first German segment's "
                   "source; targets, states and approved text are not touched"),
    )},
}, {
    "Alignment": openapi.obj({
        "id": "integer", "document_id": "integer", "filename": "string",
        "status": {"type": "string", "enum": ["open", "accepted"]}, "version": "integer",
        "sentences": "integer", "created_at": "string", "created_by": "string",
        "accepted_at": ["string", "null"], "accepted_by": ["string", "null"],
        "low_confidence": "integer",
        "accepted": openapi.obj({"segments": "integer", "without_english": "integer",
                                 "shared": "integer", "english_unpaired": "integer"}),
        "links": openapi.array_of(openapi.obj({
            "index": "integer",
            "kind": {"type": "string", "example": "1:2",
                     "description": "German:English counts; 1:0 is German with no English, "
                                    "0:1 English with nothing (kept, never dropped)"},
            "confidence": "number", "low_confidence": "boolean", "edited": "boolean",
            "de": openapi.array_of(openapi.obj({"id": "integer", "index": "integer",
                                                "text": "string"})),
            "en": openapi.array_of("string"),
        })),
    }, ["id", "status", "version", "links"]),
})


def init_app(app: Flask) -> None:
    """Register the documents API."""
    app.register_blueprint(bp)
