"""The OpenAPI 3.1 document that describes the JSON API."""

from __future__ import annotations

from copy import deepcopy

ERROR = {"$ref": "#/components/schemas/Error"}


def json_response(schema: dict, description: str = "OK") -> dict:
    """Return a JSON response object."""
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def error_response(description: str) -> dict:
    """Return an error response object."""
    return json_response(ERROR, description)


def id_param(name: str) -> dict:
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
}

# The feature modules add theirs with register(); this one is the app's own (core.routes).
PATHS = {
    "/api/openapi.json": {
        "get": {"summary": "This document", "responses": {"200": json_response({"type": "object"})}},
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
