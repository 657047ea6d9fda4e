"""Small JSON-API steps many tests take: a document's segments, a save, a segment's QA codes."""

from __future__ import annotations


def segments(client, doc: int) -> list[dict]:
    """Return the document's segments through the API."""
    return client.get(f"/api/documents/{doc}/segments?limit=1000").get_json()["segments"]


def save(client, seg: dict, target: str) -> dict:
    """Save a target through the API, based on the segment's current version."""
    current = client.get(f"/api/segments/{seg['id']}").get_json()
    resp = client.put(f"/api/segments/{seg['id']}",
                      json={"target": target, "version": current["version"]})
    assert resp.status_code == 200, resp.get_json()
    return resp.get_json()


def codes(client, seg: dict, open_only: bool = True) -> list[str]:
    """Return the codes of a segment's QA warnings."""
    data = client.get(f"/api/segments/{seg['id']}/qa").get_json()
    return [w["code"] for w in data["warnings"] if not (open_only and w["dismissed"])]


def align_original(client, doc: int, english: str) -> dict:
    """Upload an English original for a review document and accept the proposed alignment."""
    import io

    resp = client.post(f"/api/documents/{doc}/original", data={
        "file": (io.BytesIO(english.encode()), "original.en.txt")},
        content_type="multipart/form-data")
    assert resp.status_code == 201, resp.get_json()
    resp = client.post(f"/api/documents/{doc}/alignment/accept",
                       json={"version": resp.get_json()["version"]})
    assert resp.status_code == 200, resp.get_json()
    return resp.get_json()
