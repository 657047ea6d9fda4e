"""The OpenAPI 3.1 document that describes the JSON API."""

from __future__ import annotations

from copy import deepcopy

ERROR = {"$ref": "#/components/schemas/Error"}


def _json(schema: dict, description: str = "OK") -> dict:
    """Return a JSON response object."""
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _err(description: str) -> dict:
    """Return an error response object."""
    return _json(ERROR, description)


def _id(name: str) -> dict:
    """Return an integer path parameter."""
    return {"name": name, "in": "path", "required": True,
            "schema": {"type": "integer", "minimum": 1}}


SCHEMAS = {
    "Error": {
        "type": "object",
        "required": ["message"],
        "properties": {"error": {"type": "string"}, "message": {"type": "string"}},
    },
    "Document": {
        "type": "object",
        "required": ["id", "name", "source_lang", "target_lang", "mode"],
        "properties": {
            "id": {"type": "integer"},
            "name": {"type": "string"},
            "source_lang": {"type": "string"},
            "target_lang": {"type": "string"},
            "mode": {"type": "string", "enum": ["translate", "review"]},
            "source_kind": {"type": "string", "enum": ["none", "original", "back_translation"]},
            "created_at": {"type": "string"},
            "segments": {"type": "integer"},
            "states": {"type": "object", "additionalProperties": {"type": "integer"}},
            "mt_available": {"type": "boolean"},
            "mt_message": {"type": "string"},
            "tm_prefilled": {"type": ["integer", "null"],
                             "description": "Targets filled from the memory, when asked"},
        },
    },
    "Segment": {
        "type": "object",
        "required": ["id", "index", "source", "target", "mt", "state", "version"],
        "properties": {
            "id": {"type": "integer"},
            "document_id": {"type": "integer"},
            "index": {"type": "integer", "description": "0-based position in the document"},
            "paragraph": {"type": "integer"},
            "source": {"type": "string"},
            "target": {"type": "string"},
            "mt": {"type": "string",
                   "description": "The machine translation the target started from"},
            "state": {"type": "string",
                      "enum": ["new", "mt", "rejected", "translated", "approved"]},
            "version": {"type": "integer"},
            "updated_at": {"type": "string"},
            "updated_by": {"type": "string"},
        },
    },
    "SegmentPage": {
        "type": "object",
        "required": ["total", "segments"],
        "properties": {
            "total": {"type": "integer"},
            "offset": {"type": "integer"},
            "limit": {"type": "integer"},
            "segments": {"type": "array", "items": {"$ref": "#/components/schemas/Segment"}},
        },
    },
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
    "Comment": {
        "type": "object",
        "properties": {
            "id": {"type": "integer"}, "segment_id": {"type": "integer"},
            "author": {"type": "string"}, "text": {"type": "string"},
            "kind": {"type": "string", "enum": ["comment", "rejection"]},
            "created_at": {"type": "string"},
        },
    },
    "Job": {
        "type": "object",
        "required": ["id", "status", "done", "total", "percent"],
        "properties": {
            "id": {"type": "integer"},
            "kind": {"type": "string"},
            "document_id": {"type": ["integer", "null"]},
            "status": {"type": "string", "enum": ["queued", "running", "done", "failed"]},
            "done": {"type": "integer"},
            "total": {"type": "integer"},
            "percent": {"type": "integer"},
            "message": {"type": "string"},
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
}

PATHS = {
    "/api/documents": {
        "get": {
            "summary": "List documents",
            "responses": {"200": _json({"type": "array",
                                        "items": {"$ref": "#/components/schemas/Document"}})},
        },
        "post": {
            "summary": "Import a plain-text document (UTF-8, UTF-16 with BOM or Latin-1) or an "
                       "XLIFF 1.2/2.0 file",
            "description": "XLIFF is recognised by its extension (.xlf, .xliff, .sdlxliff) or its "
                           "root element. It brings its own languages, targets, states and notes; "
                           "`target_lang` serves only a file that names no target language, "
                           "`source_lang` and `mode` are ignored. With `tm_prefill` set, empty "
                           "targets are filled from 100 % translation-memory matches.",
            "requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
                "type": "object",
                "required": ["file", "source_lang", "target_lang"],
                "properties": {
                    "file": {"type": "string", "format": "binary"},
                    "source_lang": {"type": "string", "example": "en"},
                    "target_lang": {"type": "string", "example": "de"},
                    "mode": {"type": "string", "enum": ["translate", "review"]},
                    "tm_prefill": {"type": "string", "description": "Any value: fill targets "
                                   "from 100 % memory matches"},
                },
            }}}},
            "responses": {
                "201": _json({"$ref": "#/components/schemas/Document"}, "Imported"),
                "400": _err("No file sent"),
                "413": _err("File over the size limit"),
                "422": _err("Refused: empty, binary, undecodable, bad languages, or an invalid "
                            "XLIFF file (the message says what and on which line)"),
            },
        },
    },
    "/api/documents/{doc_id}": {
        "get": {
            "summary": "One document with counts by state",
            "parameters": [_id("doc_id")],
            "responses": {"200": _json({"$ref": "#/components/schemas/Document"}),
                          "404": _err("No such document")},
        },
    },
    "/api/documents/{doc_id}/segments": {
        "get": {
            "summary": "A page of segments in document order",
            "parameters": [
                _id("doc_id"),
                {"name": "offset", "in": "query", "schema": {"type": "integer", "minimum": 0}},
                {"name": "limit", "in": "query",
                 "schema": {"type": "integer", "minimum": 1, "maximum": 1000}},
                {"name": "state", "in": "query", "schema": {"type": "string", "enum": [
                    "new", "mt", "rejected", "translated", "approved"]}},
                {"name": "q", "in": "query", "schema": {"type": "string"}},
            ],
            "responses": {"200": _json({"$ref": "#/components/schemas/SegmentPage"}),
                          "400": _err("Bad parameter"), "404": _err("No such document")},
        },
    },
    "/api/segments/{seg_id}": {
        "get": {
            "summary": "One segment",
            "parameters": [_id("seg_id")],
            "responses": {"200": _json({"$ref": "#/components/schemas/Segment"}),
                          "404": _err("No such segment")},
        },
        "put": {
            "summary": "Save the target; refused with 409 if `version` is stale",
            "parameters": [_id("seg_id")],
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
                "200": _json({"$ref": "#/components/schemas/Segment"}, "Saved"),
                "400": _err("Malformed body"),
                "404": _err("No such segment"),
                "409": _json({"$ref": "#/components/schemas/Conflict"},
                             "Changed meanwhile; nothing was overwritten"),
                "422": _err("Text refused (too long, NUL)"),
            },
        },
    },
    "/api/segments/{seg_id}/history": {
        "get": {
            "summary": "Revisions and change-log rows, newest first",
            "parameters": [_id("seg_id")],
            "responses": {"200": _json({"type": "object", "properties": {
                "revisions": {"type": "array", "items": {"$ref": "#/components/schemas/Revision"}},
                "changes": {"type": "array", "items": {"$ref": "#/components/schemas/Change"}},
                "comments": {"type": "array", "items": {"$ref": "#/components/schemas/Comment"}},
            }}), "404": _err("No such segment")},
        },
    },
    "/api/segments/{seg_id}/state": {
        "post": {
            "summary": "Mark translated (translator), approved or rejected (editor)",
            "parameters": [_id("seg_id")],
            "requestBody": {"required": True, "content": {"application/json": {"schema": {
                "type": "object", "required": ["state"],
                "properties": {
                    "state": {"type": "string", "enum": ["translated", "approved", "rejected"]},
                    "comment": {"type": "string", "description": "Required to reject"},
                },
            }}}},
            "responses": {
                "200": _json({"$ref": "#/components/schemas/Segment"}, "Done"),
                "400": _err("Malformed body"), "403": _err("The role may not"),
                "404": _err("No such segment"),
                "422": _err("Rejection without comment, or nothing to mark"),
            },
        },
    },
    "/api/segments/{seg_id}/comments": {
        "get": {
            "summary": "A segment's comments, oldest first",
            "parameters": [_id("seg_id")],
            "responses": {"200": _json({"type": "array",
                                        "items": {"$ref": "#/components/schemas/Comment"}}),
                          "404": _err("No such segment")},
        },
        "post": {
            "summary": "Comment on a segment",
            "parameters": [_id("seg_id")],
            "requestBody": {"required": True, "content": {"application/json": {"schema": {
                "type": "object", "required": ["text"],
                "properties": {"text": {"type": "string"}}}}}},
            "responses": {"201": _json({"$ref": "#/components/schemas/Comment"}, "Added"),
                          "400": _err("Malformed body"), "404": _err("No such segment"),
                          "422": _err("Empty or too long")},
        },
    },
    "/api/documents/{doc_id}/next": {
        "get": {
            "summary": "The next untranslated, rejected or translated segment after a position",
            "parameters": [
                _id("doc_id"),
                {"name": "after", "in": "query", "schema": {"type": "integer", "minimum": -1}},
                {"name": "kind", "in": "query", "schema": {
                    "type": "string", "enum": ["untranslated", "rejected", "translated"]}},
            ],
            "responses": {"200": _json({"$ref": "#/components/schemas/Segment"}),
                          "400": _err("Bad parameter"),
                          "404": _err("No such document, or none left")},
        },
    },
    "/api/documents/{doc_id}/pretranslate": {
        "post": {
            "summary": "Machine-translate the document in the background",
            "parameters": [_id("doc_id")],
            "responses": {"202": _json({"$ref": "#/components/schemas/Job"}, "Started"),
                          "404": _err("No such document"),
                          "409": _err("No MT model installed for the pair")},
        },
    },
    "/api/jobs/{job_id}": {
        "get": {
            "summary": "A background job's progress",
            "parameters": [_id("job_id")],
            "responses": {"200": _json({"$ref": "#/components/schemas/Job"}),
                          "404": _err("No such job")},
        },
    },
    "/api/jobs/{job_id}/retry": {
        "post": {
            "summary": "Queue a failed job, or one whose worker stopped, again; what it "
                       "already stored stays and is not done twice",
            "parameters": [_id("job_id")],
            "responses": {"202": _json({"$ref": "#/components/schemas/Job"}, "Queued again"),
                          "404": _err("No such job"),
                          "409": _err("The job is done, still moving, or cannot be retried")},
        },
    },
    "/api/documents/{doc_id}/export": {
        "get": {
            "summary": "Export the corrected document: text, XLIFF 1.2 or 2.0 (states mapped, "
                       "comments as notes, inline codes restored), or its approved segments "
                       "as TMX 1.4b",
            "parameters": [_id("doc_id"), {"name": "format", "in": "query", "schema": {
                "type": "string", "enum": ["txt", "xliff12", "xliff20", "tmx"]}}],
            "responses": {
                "200": {"description": "The file", "content": {
                    "text/plain": {"schema": {"type": "string"}},
                    "application/xliff+xml": {"schema": {"type": "string"}},
                    "application/x-tmx+xml": {"schema": {"type": "string"}}}},
                "400": _err("Unknown format"), "404": _err("No such document"),
            },
        },
    },
    "/api/models": {
        "get": {
            "summary": "Installed MT language pairs",
            "responses": {"200": _json({"type": "array", "items": {"type": "object", "properties": {
                "from": {"type": "string"}, "to": {"type": "string"}}}})},
        },
    },
    "/api/openapi.json": {
        "get": {"summary": "This document", "responses": {"200": _json({"type": "object"})}},
    },
}


def register(paths: dict, schemas: dict | None = None) -> None:
    """Add a feature's paths and schemas; each feature module declares them beside its routes."""
    for path, ops in paths.items():
        PATHS.setdefault(path, {}).update(ops)
    SCHEMAS.update(schemas or {})


def spec() -> dict:
    """Return the OpenAPI document."""
    return {
        "openapi": "3.1.0",
        "info": {"title": "Translation workbench API", "version": "0.1.0"},
        "paths": deepcopy(PATHS),
        "components": {
            "schemas": deepcopy(SCHEMAS),
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer",
                           "description": "A token from POST /api/login"},
                "session": {"type": "apiKey", "in": "cookie", "name": "session",
                            "description": "The browser session; unsafe methods also need "
                                           "the X-CSRF-Token header"},
            },
        },
        "security": [{"bearer": []}, {"session": []}],
    }
