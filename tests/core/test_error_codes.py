"""Every JSON error carries a stable `code`, so scripts branch on it rather than on the prose."""

from __future__ import annotations

import io
import re

import pytest
from api_steps import segments

CODE = re.compile(r"^[a-z_]+$")


@pytest.fixture
def doc(client) -> int:
    """A three-segment review document; return its id."""
    resp = client.post("/api/documents", data={
        "file": (io.BytesIO(b"Kim traf Putin.\nEs regnete.\nDer Kreml schwieg.\n"),
                 "kurz.de.txt"),
        "source_lang": "en", "target_lang": "de", "mode": "review"},
        content_type="multipart/form-data")
    assert resp.status_code == 201, resp.get_json()
    return resp.get_json()["id"]


def error(resp, status: int) -> dict:
    """Check an error answer's status and shape; return its JSON."""
    assert resp.status_code == status, resp.get_data(as_text=True)
    data = resp.get_json()
    assert CODE.match(data["code"]) and data["message"], data
    return data


def test_domain_refusals_name_their_own_code(client, client_as, doc):
    seg = segments(client, doc)[0]
    # Two saves on one version: the second is a conflict, with both texts.
    first = client.put(f"/api/segments/{seg['id']}", json={"target": "A.", "version": seg["version"]})
    assert first.status_code == 200
    data = error(client.put(f"/api/segments/{seg['id']}",
                            json={"target": "B.", "version": seg["version"]}), 409)
    assert data["code"] == "version_conflict" and data["yours"] == "B."
    # A pattern that is not a regular expression, and one RE2 will not run.
    assert error(client.get(f"/api/documents/{doc}/search?q=/(/"), 400)["code"] in {
        "bad_pattern", "replace_refused"}
    assert error(client.get(f"/api/documents/{doc}/search?q=/(?=K)/"), 422)["code"] in {
        "pattern_refused", "replace_refused"}
    # A translator may not approve.
    translator = client_as("translator")
    data = error(translator.post(f"/api/segments/{seg['id']}/state", json={"state": "approved"}),
                 403)
    assert data["code"] == "role_forbids"
    # No model for the pair: pre-translation is refused in words, with a code to branch on.
    data = error(client.post(f"/api/documents/{doc}/pretranslate"), 409)
    assert data["code"] == "no_model"


def test_http_errors_carry_the_status_code_word(client, anon_client, doc):
    assert error(client.get("/api/documents/999999"), 404)["code"] == "not_found"
    assert error(client.delete("/api/openapi.json"), 405)["code"] == "method_not_allowed"
    assert error(anon_client.get("/api/documents"), 401)["code"] == "login_required"
    assert error(client.put(f"/api/segments/{segments(client, doc)[0]['id']}",
                            data="not json", content_type="application/json"), 400)["code"] \
        == "bad_request"
    assert error(client.post("/api/glossary/lookup", data="x" * (2 * 1024 * 1024),
                             content_type="application/json"), 413)["code"] == "too_large"


def test_a_wrong_password_is_login_failed(anon_client, client):
    data = error(anon_client.post("/api/login", json={"username": "ada", "password": "nope"}), 401)
    assert data["code"] == "login_failed"


def test_the_openapi_description_promises_the_code(client):
    schema = client.get("/api/openapi.json").get_json()["components"]["schemas"]["Error"]
    assert "code" in schema["required"]
