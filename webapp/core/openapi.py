"""The OpenAPI 3.1 document that describes the JSON API."""

from __future__ import annotations

from copy import deepcopy

from webapp.core.states import State


def ref(name: str) -> dict:
    """Return a reference to the schema `name` of the components."""
    return {"$ref": f"#/components/schemas/{name}"}


ERROR = ref("Error")


def obj(properties: dict, required: list[str] | None = None, **extra) -> dict:
    """Return an object schema; a property given as a type ("integer", ["string", "null"])
    stands for {"type": …}."""
    schema: dict = {"type": "object"}
    if required is not None:
        schema["required"] = required
    schema["properties"] = {name: {"type": value} if isinstance(value, str | list) else value
                            for name, value in properties.items()}
    return {**schema, **extra}


def array_of(items: dict | str) -> dict:
    """Return an array schema of `items` (a schema, or a type name)."""
    return {"type": "array", "items": {"type": items} if isinstance(items, str) else items}


def json_response(schema: dict, description: str = "OK") -> dict:
    """Return a JSON response object."""
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def error_response(description: str) -> dict:
    """Return an error response object."""
    return json_response(ERROR, description)


def json_request(schema: dict) -> dict:
    """Return a required JSON request body."""
    return {"required": True, "content": {"application/json": {"schema": schema}}}


def form_request(properties: dict, required: list[str] | None = None) -> dict:
    """Return a required multipart form body (file uploads) with these fields."""
    return {"required": True,
            "content": {"multipart/form-data": {"schema": obj(properties, required)}}}


def id_param(name: str) -> dict:
    """Return an integer path parameter."""
    return {"name": name, "in": "path", "required": True,
            "schema": {"type": "integer", "minimum": 1}}


def query_param(name: str, schema: dict | str = "string", *, required: bool = False) -> dict:
    """Return a query parameter (its schema, or a type name)."""
    param = {"name": name, "in": "query"}
    if required:
        param["required"] = True
    param["schema"] = {"type": schema} if isinstance(schema, str) else schema
    return param


# The state names of the API, in order (core.states).
STATE_SLUGS = [state.slug for state in State]

SCHEMAS = {
    "Error": obj({"error": "string", "message": "string", "code": {
        "type": "string", "pattern": "^[a-z_]+$",
        "description": "Stable, for scripts: the message is prose and may change"}},
        ["message", "code"]),
    "Document": obj({
        "id": "integer", "name": "string", "source_lang": "string", "target_lang": "string",
        "mode": {"type": "string", "enum": ["translate", "review"]},
        "source_kind": {"type": "string", "enum": ["none", "original", "back_translation"]},
        "created_at": "string", "segments": "integer",
        "states": {"type": "object", "additionalProperties": {"type": "integer"}},
        "mt_available": "boolean", "mt_message": "string",
        "tm_prefilled": {"type": ["integer", "null"],
                         "description": "Targets filled from the memory, when asked"},
    }, ["id", "name", "source_lang", "target_lang", "mode"]),
    "Segment": obj({
        "id": "integer", "document_id": "integer",
        "index": {"type": "integer", "description": "0-based position in the document"},
        "paragraph": "integer", "source": "string", "target": "string",
        "mt": {"type": "string", "description": "The machine translation the target started from"},
        "state": {"type": "string", "enum": STATE_SLUGS},
        "version": "integer", "updated_at": "string", "updated_by": "string",
    }, ["id", "index", "source", "target", "mt", "state", "version"]),
    "Comment": obj({
        "id": "integer", "segment_id": "integer", "author": "string", "text": "string",
        "kind": {"type": "string", "enum": ["comment", "rejection"]}, "created_at": "string",
    }),
    "Job": obj({
        "id": "integer", "kind": "string", "document_id": ["integer", "null"],
        "status": {"type": "string", "enum": ["queued", "running", "done", "failed"]},
        "done": "integer", "total": "integer", "percent": "integer", "message": "string",
    }, ["id", "status", "done", "total", "percent"]),
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
