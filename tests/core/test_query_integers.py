"""Integers in query strings beyond what the database holds: an answer, never a 500."""

from __future__ import annotations

import io

import pytest

HUGE = "99999999999999999999"  # past SQLite's 64-bit and PostgreSQL's 32-bit INTEGER


@pytest.fixture
def doc_id(client) -> int:
    """Import a two-sentence document and return its id."""
    resp = client.post("/documents", data={
        "file": (io.BytesIO(b"Der Rat tagte am Montag.\n\nMoskau schwieg.\n"), "rat.de.txt"),
        "source_lang": "de", "target_lang": "en", "mode": "translate",
    }, content_type="multipart/form-data")
    assert resp.status_code == 303, resp.get_data(as_text=True)
    return int(resp.headers["Location"].rsplit("/", 1)[1])


@pytest.mark.parametrize("value", [HUGE, "-" + HUGE, "2147483648"])
def test_huge_job_and_document_numbers_in_a_query_are_no_server_error(client, doc_id, value):
    seg_id = client.get(f"/api/documents/{doc_id}/segments").get_json()["segments"][0]["id"]
    for url in (f"/tm?job={value}",
                f"/tm/concordance?doc={value}&q=x",
                f"/tm/concordance?doc={value}&q=x&source_lang=de&target_lang=en",
                f"/documents/{doc_id}/report/status?job={value}",
                f"/segments/{seg_id}/scores?tries={value}"):
        resp = client.get(url)
        assert resp.status_code < 500, (url, resp.status_code, resp.get_data(as_text=True)[:300])


def test_a_huge_job_number_shows_the_memory_page_without_a_job(client):
    resp = client.get(f"/tm?job={HUGE}")
    assert resp.status_code == 200
    assert "Import" in resp.get_data(as_text=True)
