"""Downloads named in any script, over a real HTTP connection (issue #12, item 12)."""

from __future__ import annotations

import http.client
import io
from urllib.parse import unquote, urlsplit

import pytest
from browser import LiveServer

from webapp.core.http import content_disposition

# Each name, and what of it the downloaded file's name must keep.
NAMES = {"Übersetzung – „Test“.txt": "Übersetzung", "日本語.txt": "日本語",
         'Zitat "Kim".txt': "Zitat", "a;b\\c.txt": "c"}


def fetch(server: LiveServer, path: str, token: str) -> http.client.HTTPResponse:
    """GET path over a socket, as a browser would, and return the whole answer."""
    conn = http.client.HTTPConnection(urlsplit(server.url).hostname, urlsplit(server.url).port,
                                      timeout=30)
    conn.request("GET", path, headers={"Authorization": f"Bearer {token}"})
    resp = conn.getresponse()
    resp.body = resp.read()
    conn.close()
    return resp


def saved_as(header: str) -> str:
    """Return the name a browser saves a download under: filename*, else filename."""
    if "filename*=" in header:
        return filename_star(header)
    return header.split('filename="', 1)[1].split('"', 1)[0]


def filename_star(header: str) -> str:
    """Return the UTF-8 file name of a Content-Disposition header."""
    assert "filename*=UTF-8''" in header, header
    return unquote(header.split("filename*=UTF-8''", 1)[1].split(";")[0])


@pytest.mark.parametrize("name", list(NAMES))
def test_every_download_of_a_document_named_in_any_script_keeps_its_name(app, client,
                                                                         api_headers, name):
    token = api_headers("admin")["Authorization"].split(" ", 1)[1]
    resp = client.post("/api/documents", data={
        "file": (io.BytesIO(b"Kim traf Putin. Er lobte die Beziehungen."), name),
        "source_lang": "en", "target_lang": "de", "mode": "review",
    }, content_type="multipart/form-data")
    doc = resp.get_json()["id"]
    paths = [f"/api/documents/{doc}/export?format={fmt}" for fmt in
             ("txt", "xliff12", "xliff20", "tmx")]
    paths += [f"/documents/{doc}/export.txt", f"/documents/{doc}/report.csv",
              f"/documents/{doc}/report.json"]
    with LiveServer(app) as server:
        for path in paths:
            resp = fetch(server, path, token)
            assert resp.status == 200, (path, resp.body[:200])
            header = resp.getheader("Content-Disposition")
            header.encode("ascii")  # what went over the wire is plain ASCII
            fallback = header.split('filename="', 1)[1].split('"', 1)[0]
            assert fallback and '"' not in fallback and "\\" not in fallback
            assert NAMES[name] in saved_as(header), header


def test_content_disposition_of_plain_names_stays_simple():
    assert content_disposition("kim-putin.de.txt") == 'attachment; filename="kim-putin.de.txt"'
    header = content_disposition("Übersetzung – „Test“.txt")
    assert header.startswith('attachment; filename="Ubersetzung')
    assert filename_star(header) == "Übersetzung – „Test“.txt"
    assert filename_star(content_disposition('Zitat "Kim".txt')) == 'Zitat "Kim".txt'
    assert 'filename="Zitat _Kim_.txt"' in content_disposition('Zitat "Kim".txt')
    assert content_disposition("日本語.txt").startswith('attachment; filename="download.txt"')
    assert content_disposition("../../etc/passwd").startswith('attachment; filename="passwd"')
