"""The editor's pages and htmx fragments, as a browser without JavaScript would see them."""

from __future__ import annotations

import io
import re

import pytest
from markupsafe import escape

HX = {"HX-Request": "true"}


@pytest.fixture
def seeded(client, seed_bytes):
    """Import the seed article in review mode through the upload form."""
    resp = client.post("/documents", data={
        "file": (io.BytesIO(seed_bytes), "kim-putin.de.txt"),
        "source_lang": "en", "target_lang": "de", "mode": "review",
    }, content_type="multipart/form-data")
    assert resp.status_code == 303
    return resp.headers["Location"]


def test_first_page_is_the_dashboard_linking_the_newest_document(client, seeded):
    resp = client.get("/")
    assert resp.status_code == 200 and f'href="{seeded}"' in resp.get_data(as_text=True)


def row_numbers(html: str) -> list[int]:
    """Return the segment numbers of the rows in a page or fragment, in order."""
    return [int(n) for n in re.findall(r'<tr id="seg-\d+"[^>]*?data-number="(\d+)"', html)]


def more_url(html: str) -> str | None:
    """Return the address the "more rows" row loads, or None when the page is complete."""
    found = re.search(r'<tr id="seg-more"[^>]*?hx-get="([^"]+)"', html)
    return found.group(1).replace("&amp;", "&") if found else None


def test_editor_shows_the_article_side_by_side_with_states(client, seeded, app):
    html = client.get(seeded).get_data(as_text=True)
    assert "Für Nord KoreaAndererseits waren die Beziehungen" in html
    assert 'class="seg st-mt' in html
    assert "MT draft" in html
    n = client.get("/api/documents/" + seeded.rsplit("/", 1)[1]).get_json()["segments"]
    # A screenful comes with the page; the "more" row brings the rest, chunk by chunk.
    first = app.config["FIRST_ROWS"]
    assert n > 30 and row_numbers(html) == list(range(1, first + 1))
    numbers, url = row_numbers(html), more_url(html)
    while url:
        chunk = client.get(url, headers={**HX, "HX-Target": "seg-more"}).get_data(as_text=True)
        assert "<html" not in chunk and "<table" not in chunk
        assert len(row_numbers(chunk)) <= app.config["MORE_ROWS"]
        numbers += row_numbers(chunk)
        url = more_url(chunk)
    assert numbers == list(range(1, n + 1))


def test_a_page_of_a_long_list_ends_at_the_page_size_and_links_the_next(client, seeded, app):
    app.config.update(PAGE_SIZE=20, FIRST_ROWS=5, MORE_ROWS=6)
    html = client.get(seeded + "?state=").get_data(as_text=True)
    numbers, url = row_numbers(html), more_url(html)
    while url:
        chunk = client.get(url, headers={**HX, "HX-Target": "seg-more"}).get_data(as_text=True)
        numbers += row_numbers(chunk)
        url = more_url(chunk)
    assert numbers == list(range(1, 21))
    assert 'rel="next" href="/documents/' in html and "offset=20" in html
    assert "1–20 of 38" in html
    # Going to a segment starts the page just before it, with the segment in the first rows.
    html = client.get(seeded + "?goto=27").get_data(as_text=True)
    assert row_numbers(html) == list(range(26, 31)) and "26–38 of 38" in html
    # A list refreshed in place (after a job, a split) asks for the rows it had loaded.
    html = client.get(seeded + "?offset=0&rows=13",
                      headers={**HX, "HX-Target": "segment-list"}).get_data(as_text=True)
    assert row_numbers(html) == list(range(1, 14)) and "offset=13&amp;until=20" in html
    # Coming back from the next page opens the last row, so the whole page comes at once.
    html = client.get(seeded + "?offset=0&open=last").get_data(as_text=True)
    assert row_numbers(html) == list(range(1, 21)) and more_url(html) is None


def test_editor_says_in_one_line_which_model_is_missing_and_admins_get_the_way_to_install(
        client, client_as, seeded):
    line = re.search(r'<p class="quiet-note" id="mt-missing".*?</p>',
                     client.get(seeded).get_data(as_text=True), re.S).group(0)
    assert "No back-translation: no de→en model is installed." in line
    assert 'href="/models"' in line  # the admin's way to the commands
    html = client_as("translator").get(seeded).get_data(as_text=True)
    assert "No back-translation: no de→en model is installed." in html
    # Words for translators: no shell command, no link to a page they cannot act on.
    for command in ("argospm", "flask --app", "install-file", ".argosmodel"):
        assert command not in html
    assert 'href="/models">MT models</a></p>' not in html
    # The commands live on the MT models page, for admins; a translator reads words there.
    models = client.get("/models").get_data(as_text=True)
    assert "argospm install translate-de_en" in models and "models install-file" in models
    models = client_as("translator").get("/models").get_data(as_text=True)
    assert "argospm" not in models and "An admin installs models." in models


def test_the_segment_list_alone_is_served_to_htmx_with_vary(client, seeded):
    resp = client.get(seeded + "?q=Interfax", headers={**HX, "HX-Target": "segment-list"})
    html = resp.get_data(as_text=True)
    assert html.startswith('<div id="segment-list"') or 'id="segment-list"' in html[:200]
    assert "<html" not in html
    assert html.count('<tr id="seg-') == 1 and "Interfax" in html
    assert "HX-Request" in resp.headers["Vary"]


def first_segment_id(html: str) -> int:
    """Return the id of the first segment row on a page."""
    return int(re.search(r'<tr id="seg-(\d+)"', html).group(1))


def test_saving_from_the_edit_row_returns_the_display_row_and_opens_the_next(client, seeded):
    seg = first_segment_id(client.get(seeded).get_data(as_text=True))
    edit = client.get(f"/segments/{seg}/edit", headers=HX).get_data(as_text=True)
    assert "<textarea" in edit and 'name="version" value="1"' in edit
    resp = client.post(f"/segments/{seg}", headers=HX, data={
        "target": "Kim Jong Un: Warum Nordkoreas Kim Jong Un Wladimir Putin in Russland treffen könnte",
        "version": "1", "seconds": "12.5", "go": "next",
    })
    assert resp.status_code == 200
    row = resp.get_data(as_text=True)
    # Glossary terms are wrapped in <mark>s: compare the text a person reads.
    assert "Wladimir Putin in Russland treffen könnte" in re.sub(r"<[^>]+>", "", row)
    assert "Translated" in row
    assert "<textarea" not in row and "v2" in row
    assert resp.headers["HX-Trigger-After-Swap"] == f'{{"open-segment": {{"id": {seg + 1}}}}}'
    hist = client.get(f"/segments/{seg}/history", headers=HX).get_data(as_text=True)
    assert "v2 · edit" in hist and "12.5 s" in hist and "v1 · import" in hist


def test_a_stale_save_shows_both_texts_and_keeps_what_was_typed(client, seeded):
    seg = first_segment_id(client.get(seeded).get_data(as_text=True))
    client.post(f"/segments/{seg}", headers=HX, data={"target": "Fassung A", "version": "1"})
    resp = client.post(f"/segments/{seg}", headers=HX, data={"target": "Fassung B", "version": "1"})
    assert resp.status_code == 409
    html = resp.get_data(as_text=True)
    assert "Fassung A" in html and "Fassung B" in html
    assert 'name="version" value="2"' in html


def test_a_save_without_a_target_is_refused_alike_by_the_page_and_the_api(client, seeded):
    seg = first_segment_id(client.get(seeded).get_data(as_text=True))
    page = client.post(f"/segments/{seg}", headers=HX, data={"version": "1"})
    api = client.put(f"/api/segments/{seg}", json={"version": 1})
    message = "The save sent no target text ('target' is missing); an empty one empties the segment."
    # The page shows it in the still-open edit row; the API calls the body malformed.
    assert page.status_code == 422 and "<textarea" in page.get_data(as_text=True)
    assert str(escape(message)) in page.get_data(as_text=True)
    assert api.status_code == 400 and api.get_json()["message"] == message
    assert client.get(f"/api/segments/{seg}").get_json()["version"] == 1


def test_hostile_markup_in_a_segment_is_shown_as_text(client, seeded):
    seg = first_segment_id(client.get(seeded).get_data(as_text=True))
    evil = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    row = client.post(f"/segments/{seg}", headers=HX,
                      data={"target": evil, "version": "1"}).get_data(as_text=True)
    assert "<script>" not in row and "&lt;script&gt;" in row
    assert "<img" not in row


def test_a_refused_upload_explains_why_and_keeps_the_form(client):
    resp = client.post("/documents", data={
        "file": (io.BytesIO(b"\x00\x01\x02binary"), "x.bin"),
        "source_lang": "en", "target_lang": "de", "mode": "translate",
    }, content_type="multipart/form-data")
    assert resp.status_code == 400
    assert "binary" in resp.get_data(as_text=True)
    assert "No documents yet" in resp.get_data(as_text=True)


def test_split_and_merge_swap_the_segment_list(client):
    resp = client.post("/documents", data={
        "file": (io.BytesIO(b"Eins zwei. Drei vier."), "x.txt"),
        "source_lang": "en", "target_lang": "de", "mode": "review",
    }, content_type="multipart/form-data")
    url = resp.headers["Location"]
    seg = first_segment_id(client.get(url).get_data(as_text=True))
    resp = client.post(f"/segments/{seg}/merge", headers=HX)
    assert resp.headers["HX-Retarget"] == "#segment-list"
    assert "Eins zwei. Drei vier." in resp.get_data(as_text=True)
    resp = client.post(f"/segments/{seg}/split", headers=HX, data={"offset": "10"})
    html = resp.get_data(as_text=True)
    assert html.count('<tr id="seg-') == 2
    bad = client.post(f"/segments/{seg}/split", headers=HX, data={"offset": "x"})
    assert bad.status_code == 422


def test_export_downloads_the_corrected_text(client, seeded, seed_bytes):
    doc = seeded.rsplit("/", 1)[1]
    resp = client.get(f"/documents/{doc}/export.txt")
    assert resp.data == seed_bytes
    assert 'filename="kim-putin.de.txt"' in resp.headers["Content-Disposition"]


def test_pretranslate_without_a_model_says_so(client_as, seeded):
    doc = seeded.rsplit("/", 1)[1]
    resp = client_as("translator").post(f"/documents/{doc}/pretranslate", headers=HX)
    assert resp.status_code == 409
    html = resp.get_data(as_text=True)
    assert "No back-translation: no de→en model is installed." in html
    assert "argospm" not in html and "/models" not in html


def test_unknown_pages_get_a_readable_404(client):
    resp = client.get("/documents/999")
    assert resp.status_code == 404 and "no document 999" in resp.get_data(as_text=True)


def test_models_page_refuses_a_file_that_is_not_a_model(client):
    resp = client.post("/models", data={"file": (io.BytesIO(b"not a zip"), "x.argosmodel")},
                       content_type="multipart/form-data")
    assert resp.status_code == 400
    assert 'class="message error"' in resp.get_data(as_text=True)


def test_models_page_says_so_when_the_index_cannot_be_reached(client, monkeypatch):
    from webapp.mt import packages

    def offline(_a, _b, **_options):
        raise packages.OfflineError("Could not reach the Argos package index (no network).")

    monkeypatch.setattr(packages, "install_from_index", offline)
    resp = client.post("/models/index", data={"from_code": "de", "to_code": "en"})
    assert resp.status_code == 400
    assert "Could not reach the Argos package index" in resp.get_data(as_text=True)


def test_translators_may_not_install_models(client_as):
    c = client_as("translator")
    assert c.post("/models/index", data={"from_code": "de", "to_code": "en"}).status_code == 403
    assert "An admin installs models" in c.get("/models").get_data(as_text=True)


def test_a_split_deep_in_a_document_shows_the_list_around_that_segment(client, seeded):
    doc = seeded.rsplit("/", 1)[1]
    segs = client.get(f"/api/documents/{doc}/segments?limit=100").get_json()["segments"]
    seg = segs[30]
    cut = seg["target"].index(" ", 10)
    resp = client.post(f"/segments/{seg['id']}/split", headers=HX, data={"offset": str(cut)})
    assert resp.status_code == 200
    numbers = row_numbers(resp.get_data(as_text=True))
    # Not the document's first rows: the page where the translator was working.
    assert 31 in numbers and 32 in numbers and 1 not in numbers
