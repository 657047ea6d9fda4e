"""Assets sent small and cached (#14, bench/bench_editor.py): gzip, versioned URLs, pages as they are."""

from __future__ import annotations

import gzip
import os
import re
from pathlib import Path

GZIP = {"Accept-Encoding": "gzip, deflate, br"}


def asset_urls(html: str) -> list[str]:
    """Return the CSS and JS URLs a page loads."""
    return re.findall(r'(?:href|src)="(/(?:static|vendor)/[^"]+\.(?:css|js)\?v=[^"]+)"', html)


def test_a_page_loads_versioned_assets_gzipped_and_cached_for_a_year(client, app):
    html = client.get("/documents").get_data(as_text=True)
    urls = asset_urls(html)
    assert any("/static/app.css?v=" in u for u in urls)
    assert any("/vendor/htmx.min.js?v=" in u for u in urls)
    for url in urls:
        resp = client.get(url, headers=GZIP)
        assert resp.status_code == 200 and resp.headers["Content-Encoding"] == "gzip", url
        assert "immutable" in resp.headers["Cache-Control"] and "Accept-Encoding" in resp.vary
        path = url.split("?")[0]
        # No Accept-Encoding, no version: the file as it is, cached as Flask does.
        with client.get(path) as plain:
            assert "Content-Encoding" not in plain.headers
            assert "immutable" not in plain.headers.get("Cache-Control", "")
            assert gzip.decompress(resp.get_data()) == plain.get_data()
        # Revalidating the gzipped copy answers 304, not the whole file again.
        with client.get(url, headers={**GZIP, "If-None-Match": resp.headers["ETag"]}) as again:
            assert again.status_code == 304
        resp.close()
    css = client.get(next(u for u in urls if "app.css" in u), headers=GZIP)
    assert len(css.get_data()) < 0.35 * len(gzip.decompress(css.get_data()))


def test_a_changed_file_gets_a_new_url(client, app):
    path = Path(app.static_folder) / "app.css"
    before = asset_urls(client.get("/documents").get_data(as_text=True))
    stat = path.stat()
    try:
        os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 5_000_000_000))
        after = asset_urls(client.get("/documents").get_data(as_text=True))
    finally:
        os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    changed = [(a, b) for a, b in zip(before, after, strict=True) if a != b]
    assert len(changed) == 1 and "app.css" in changed[0][0]


def test_pages_and_the_api_are_not_compressed(client):
    # A page holds the CSRF token and echoes the search: compressed, it could leak (BREACH).
    page = client.get("/glossary?q=secret", headers=GZIP)
    assert page.status_code == 200 and "Content-Encoding" not in page.headers
    api = client.get("/api/openapi.json", headers=GZIP)
    assert "Content-Encoding" not in api.headers


def test_a_missing_asset_is_404_and_an_unknown_vendor_name_has_no_version(client, app):
    assert client.get("/static/nothing.css?v=1", headers=GZIP).status_code == 404
    with app.test_request_context():
        from flask import url_for
        assert "?v=" not in url_for("static", filename="nothing.css")
        assert "?v=" not in url_for("vendor", name="evil.js")


def test_every_stylesheet_block_is_closed():
    """A lost `}` (a merge, an edit) silently moves every later rule into a media query."""
    static = Path(__file__).resolve().parents[2] / "webapp" / "static"
    for sheet in static.glob("*.css"):
        text = re.sub(r"/\*.*?\*/", "", sheet.read_text(encoding="utf-8"), flags=re.S)
        depth = 0
        for number, line in enumerate(text.splitlines(), 1):
            # A rule at the start of a line inside a block is one the block never closed.
            assert not (depth and re.match(r"^[.#a-zA-Z@:\[*]", line)), \
                f"{sheet.name}:{number} sits inside an unclosed block: {line[:60]}"
            depth += line.count("{") - line.count("}")
        assert depth == 0, f"{sheet.name} ends {depth} block(s) deep"
