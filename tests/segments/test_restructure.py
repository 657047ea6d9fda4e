"""Split and merge keep the list the person had (#14): its rows, the focus, the counts."""

from __future__ import annotations

import io
import json
import re

import pytest

HX = {"HX-Request": "true"}
# 39 one-sentence paragraphs, as in the report: "after splitting #35 only 31–39 were left".
SENTENCES = [f"Satz {i} steht hier. Und noch ein Teil {i}." for i in range(1, 40)]


def numbers(html: str) -> list[int]:
    """Return the segment numbers of the rows in a fragment, in order."""
    return [int(n) for n in re.findall(r'<tr id="seg-\d+"[^>]*?data-number="(\d+)"', html)]


def segments(client, doc: int) -> list[dict]:
    """Return the document's segments through the API."""
    return client.get(f"/api/documents/{doc}/segments?limit=1000").get_json()["segments"]


@pytest.fixture
def doc(client) -> int:
    """Import 39 review segments; return the document id."""
    resp = client.post("/api/documents", data={
        "file": (io.BytesIO("\n\n".join(s.split(". ")[0] + "." for s in SENTENCES).encode()),
                 "lang.de.txt"), "source_lang": "en", "target_lang": "de", "mode": "review",
    }, content_type="multipart/form-data")
    assert resp.status_code == 201
    return resp.get_json()["id"]


def test_a_split_returns_every_row_the_list_had_and_focuses_the_segment(client, doc):
    segs = segments(client, doc)
    assert len(segs) == 39
    seg = segs[34]
    resp = client.post(f"/segments/{seg['id']}/split", headers=HX,
                       data={"offset": "5", "list": "offset=0&rows=40"})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and resp.headers["HX-Retarget"] == "#segment-list"
    assert numbers(html) == list(range(1, 41))
    assert 'id="seg-less"' not in html
    assert json.loads(resp.headers["HX-Trigger-After-Settle"]) == {
        "focus-segment": {"id": seg["id"]}}
    # The progress bar (with its count of segments) listens to this.
    assert resp.headers["HX-Trigger"] == "segment-saved"
    assert "40 segments" in client.get(f"/documents/{doc}/progress").get_data(as_text=True)


def test_a_merge_keeps_the_rows_and_the_filter_of_the_list(client, doc):
    segs = segments(client, doc)
    resp = client.post(f"/segments/{segs[23]['id']}/merge", headers=HX,
                       data={"list": "offset=0&state=mt&rows=39"})
    html = resp.get_data(as_text=True)
    assert numbers(html) == list(range(1, 39))
    assert f'hx-get="/documents/{doc}?offset=0&amp;state=mt"' in html
    assert "38 segments" in client.get(f"/documents/{doc}/progress").get_data(as_text=True)


def test_without_the_lists_state_the_rows_before_can_be_loaded(client, doc):
    segs = segments(client, doc)
    resp = client.post(f"/segments/{segs[34]['id']}/split", headers=HX, data={"offset": "5"})
    html = resp.get_data(as_text=True)
    assert numbers(html)[0] == 31 and 35 in numbers(html)
    less = re.search(r'<tr id="seg-less".*?hx-get="([^"]+)".*?data-adds="(\d+)">([^<]+)<', html,
                     re.S)
    assert less and less.group(3) == "↑ Segments 1–30" and less.group(2) == "30"
    url = less.group(1).replace("&amp;", "&")
    before = client.get(f"{url}&rows={len(numbers(html)) + 30}",
                        headers={**HX, "HX-Target": "segment-list"}).get_data(as_text=True)
    assert numbers(before) == list(range(1, 41)) and 'id="seg-less"' not in before


def test_the_last_segment_splits_into_two_last_rows(client, doc):
    segs = segments(client, doc)
    resp = client.post(f"/segments/{segs[-1]['id']}/split", headers=HX,
                       data={"offset": "5", "list": "offset=0&rows=40"})
    assert numbers(resp.get_data(as_text=True))[-2:] == [39, 40]
    after = segments(client, doc)
    assert [s["mt"] for s in after[-2:]] == ["Satz", "39 steht hier."]


def test_a_refused_merge_keeps_the_row_open_with_the_reason(client, client_as, doc):
    segs = segments(client, doc)
    client.put(f"/api/segments/{segs[24]['id']}", json={"target": "Fertig.", "version": 1})
    client.post(f"/api/segments/{segs[24]['id']}/state", json={"state": "approved"})
    tina = client_as("translator", "tina")
    resp = tina.post(f"/segments/{segs[23]['id']}/merge", headers=HX,
                     data={"list": "offset=0&rows=39", "target": "Satz 24, getippt."})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422 and resp.headers["HX-Retarget"] == f"#seg-{segs[23]['id']}"
    assert "Segment 25 is approved; only an editor may change it." in html
    assert "editing" in html and "Satz 24, getippt." in html
    assert len(segments(client, doc)) == 39


def test_a_list_state_the_list_cannot_follow_still_answers_with_the_list(client, doc):
    segs = segments(client, doc)
    resp = client.post(f"/segments/{segs[9]['id']}/split", headers=HX,
                       data={"offset": "5", "list": "offset=x&state=bogus&rows=" + "9" * 5000})
    assert resp.status_code == 200 and 10 in numbers(resp.get_data(as_text=True))
    assert len(segments(client, doc)) == 40
