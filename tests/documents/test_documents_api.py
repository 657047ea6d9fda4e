"""The JSON API: documents, segments with the version check, export, errors as JSON."""

from __future__ import annotations

import io

import pytest


def upload(client, data: bytes, name="seed.de.txt", mode="review", **form):
    """POST a document and return the response."""
    fields = {"file": (io.BytesIO(data), name), "source_lang": "en", "target_lang": "de",
              "mode": mode, **form}
    return client.post("/api/documents", data=fields, content_type="multipart/form-data")


@pytest.fixture
def doc(client, seed_bytes):
    """Import the seed article through the API and return its JSON."""
    resp = upload(client, seed_bytes)
    assert resp.status_code == 201
    return resp.get_json()


def test_created_document_reports_segments_and_missing_model(doc):
    assert doc["mode"] == "review" and doc["segments"] > 30
    assert doc["mt_available"] is False
    assert "argospm install translate-de_en" in doc["mt_message"]


def test_documents_are_listed_and_fetched_with_state_counts(client, doc):
    assert [d["id"] for d in client.get("/api/documents").get_json()] == [doc["id"]]
    one = client.get(f"/api/documents/{doc['id']}").get_json()
    assert one["states"]["mt"] == doc["segments"] and one["states"]["approved"] == 0


def test_segments_page_with_offset_and_limit(client, doc):
    page = client.get(f"/api/documents/{doc['id']}/segments?offset=2&limit=3").get_json()
    assert page["total"] == doc["segments"]
    assert [s["index"] for s in page["segments"]] == [2, 3, 4]
    seg = page["segments"][0]
    assert set(seg) >= {"id", "index", "source", "target", "mt", "state", "version"}
    assert seg["target"] == seg["mt"] and seg["state"] == "mt"


def test_put_with_current_version_saves_and_stale_version_gets_409_with_current(client, doc):
    seg = client.get(f"/api/documents/{doc['id']}/segments?limit=1").get_json()["segments"][0]
    ok = client.put(f"/api/segments/{seg['id']}", json={"target": "Neu.", "version": 1})
    assert ok.status_code == 200
    assert ok.get_json()["version"] == 2 and ok.get_json()["state"] == "translated"
    stale = client.put(f"/api/segments/{seg['id']}", json={"target": "Alt.", "version": 1})
    assert stale.status_code == 409
    body = stale.get_json()
    assert body["segment"]["target"] == "Neu." and body["segment"]["version"] == 2
    assert body["yours"] == "Alt."
    assert client.get(f"/api/segments/{seg['id']}").get_json()["target"] == "Neu."
    hist = client.get(f"/api/segments/{seg['id']}/history").get_json()
    assert [r["version"] for r in hist["revisions"]] == [2, 1]
    assert hist["changes"][0]["action"] == "edit"


@pytest.mark.parametrize("body, status", [
    ({"target": "x"}, 400),
    ({"target": 5, "version": 1}, 400),
    ({"target": "x", "version": "1"}, 400),
    ({"target": "x", "version": True}, 400),
    ({"target": "x" * 20001, "version": 1}, 422),
    ({"target": "x", "version": 1, "seconds": -3}, 400),
])
def test_bad_segment_bodies_get_json_errors_and_change_nothing(client, doc, body, status):
    seg = client.get(f"/api/documents/{doc['id']}/segments?limit=1").get_json()["segments"][0]
    resp = client.put(f"/api/segments/{seg['id']}", json=body)
    assert resp.status_code == status
    assert resp.is_json and resp.get_json()["message"]
    assert client.get(f"/api/segments/{seg['id']}").get_json()["version"] == 1


def test_non_json_body_is_a_json_400(client, doc):
    seg = client.get(f"/api/documents/{doc['id']}/segments?limit=1").get_json()["segments"][0]
    resp = client.put(f"/api/segments/{seg['id']}", data="not json",
                      content_type="text/plain")
    assert resp.status_code == 400 and resp.get_json()["message"]


@pytest.mark.parametrize("data, status, words", [
    (b"", 422, "empty"),
    (b"\xff\xfe\x00\x00\x00garbage\x00\x00", 422, ""),
    (b"\x89PNG\r\n\x1a\n\x00\x00", 422, "binary"),
])
def test_refused_uploads_answer_json_and_store_nothing(client, data, status, words):
    resp = upload(client, data)
    assert resp.status_code == status
    assert words in resp.get_json()["message"]
    assert client.get("/api/documents").get_json() == []


def test_an_upload_over_the_limit_is_refused_with_the_limit(app, client):
    app.config["MAX_UPLOAD_BYTES"] = 1000
    resp = upload(client, b"Satz. " * 400)
    assert resp.status_code == 413
    assert "limit" in resp.get_json()["message"]
    assert client.get("/api/documents").get_json() == []


def test_upload_without_file_or_with_bad_languages(client):
    assert client.post("/api/documents", data={}).status_code == 400
    resp = upload(client, b"Hallo.", source_lang="de")
    assert resp.status_code == 422 and "same" in resp.get_json()["message"]


def test_export_txt_returns_the_imported_text_when_nobody_edited(client, doc, seed_bytes):
    resp = client.get(f"/api/documents/{doc['id']}/export?format=txt")
    assert resp.status_code == 200 and resp.data == seed_bytes
    assert resp.headers["X-Untranslated-Segments"] == "0"
    bad = client.get(f"/api/documents/{doc['id']}/export?format=docx")
    assert bad.status_code == 400 and "docx" in bad.get_json()["message"]


@pytest.mark.parametrize("url", [
    "/api/documents/999", "/api/segments/999", "/api/jobs/999", "/api/nothing-here",
    "/api/documents/999/segments",
])
def test_missing_things_are_json_404s(client, url):
    resp = client.get(url)
    assert resp.status_code == 404 and resp.is_json and resp.get_json()["message"]


def test_bad_paging_parameters_are_400(client, doc):
    for qs in ("offset=-1", "limit=0", "limit=abc", "limit=5000", "state=done"):
        resp = client.get(f"/api/documents/{doc['id']}/segments?{qs}")
        assert resp.status_code == 400, qs
        assert resp.get_json()["message"]


def test_openapi_describes_every_api_route(app, client):
    spec = client.get("/api/openapi.json").get_json()
    assert spec["openapi"].startswith("3.")
    documented = {(path, method.upper()) for path, ops in spec["paths"].items() for method in ops}
    routes = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/"):
            path = rule.rule.replace("<int:", "{").replace(">", "}")
            for method in rule.methods - {"HEAD", "OPTIONS"}:
                routes.add((path, method))
    assert routes == documented
