"""The JSON login (a user name and password for an expiring bearer token) and token upkeep."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, current_app, g, jsonify, request

from webapp.auth import users
from webapp.auth.views import attempt
from webapp.core import openapi
from webapp.core.access import require_role
from webapp.core.db import get_db
from webapp.core.http import ApiError, error_json
from webapp.core.states import Role

bp = Blueprint("auth_api", __name__)


@bp.post("/api/login")
def login():
    """Exchange a user name and password for an API token."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or not all(
        isinstance(body.get(k), str) for k in ("username", "password")
    ) or not isinstance(body.get("label", ""), str):
        return error_json(400, "Send {\"username\": …, \"password\": …} as JSON.",
                          error="Bad Request")
    user, error, status = attempt(body["username"], body["password"])
    if user is None:
        resp, status = error_json(status, error, "login_failed" if status == 401 else None,
                                  error="Unauthorized" if status == 401 else "Too Many Requests")
        if g.get("retry_after"):
            resp.headers["Retry-After"] = str(g.retry_after)
        return resp, status
    days = current_app.config["API_TOKEN_DAYS"]
    label = " ".join(body.get("label", "").split())[:80]
    token, row = users.issue_token(get_db(), user, timedelta(days=days), label)
    return jsonify({"token": token, "expires_at": row.to_dict()["expires_at"],
                    "user": user.to_dict()})


@bp.get("/api/tokens")
@require_role(Role.TRANSLATOR)
def token_list():
    """List my live API tokens (never the tokens themselves)."""
    current = g.api_token.id if g.get("api_token") is not None else None
    return jsonify([t.to_dict(current=t.id == current) for t in users.tokens_of(get_db(), g.user)])


@bp.delete("/api/tokens/<int:token_id>")
@require_role(Role.TRANSLATOR)
def token_revoke(token_id: int):
    """Revoke one of my API tokens (the one in use too: a script's logout)."""
    if not users.revoke_token(get_db(), g.user, token_id):
        raise ApiError(404, f"You have no API token {token_id}.")
    return "", 204


TOKEN = openapi.obj({
    "id": "integer", "label": "string", "created_at": "string", "expires_at": "string",
    "last_used_at": ["string", "null"],
    "current": {"type": "boolean", "description": "The token of this request"},
}, ["id", "label", "created_at", "expires_at", "current"])

openapi.register({
    "/api/login": {
        "post": {
            "summary": "Exchange a user name and password for a bearer token",
            "security": [],
            "requestBody": openapi.json_request(openapi.obj({
                "username": "string", "password": "string",
                "label": {"type": "string", "description": "A name for the token in lists"},
            }, ["username", "password"])),
            "responses": {
                "200": openapi.json_response(
                    openapi.obj({"token": "string", "expires_at": "string", "user": "object"},
                                ["token", "expires_at"]),
                    "A token for `Authorization: Bearer …`, valid until expires_at"),
                "400": openapi.error_response("Malformed body"),
                "401": openapi.error_response("Wrong user name or password"),
                "429": openapi.error_response(
                    "Too many failed logins for this name (and address); see Retry-After"),
            },
        },
    },
    "/api/tokens": {
        "get": {
            "summary": "List my API tokens",
            "responses": {"200": openapi.json_response(openapi.array_of(openapi.ref("ApiToken")))},
        },
    },
    "/api/tokens/{token_id}": {
        "delete": {
            "summary": "Revoke one of my API tokens",
            "parameters": [openapi.id_param("token_id")],
            "responses": {
                "204": {"description": "Revoked"},
                "404": openapi.error_response("No such token of mine"),
            },
        },
    },
}, {"ApiToken": TOKEN})
