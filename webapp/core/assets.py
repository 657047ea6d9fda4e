"""Our CSS, JS and icons sent small and cached: gzip, and versioned URLs cached for a year."""

from __future__ import annotations

import gzip
import os
from pathlib import Path

from flask import Flask, Response, current_app, request

from webapp.core import routes

# Answered from files that hold no secret and echo nothing a request sent, so compressing
# them cannot leak a token the way compressed pages can (BREACH); pages go as they are.
ASSET_ENDPOINTS = ("static", "vendor")
COMPRESSIBLE = ("text/css", "text/javascript", "application/javascript", "image/svg+xml")
YEAR = 365 * 24 * 3600


def asset_path(endpoint: str, values: dict) -> Path | None:
    """Return the file an asset URL serves, or None."""
    if endpoint == "static" and "filename" in values:
        return Path(current_app.static_folder or "") / values["filename"]
    if endpoint == "vendor" and values.get("name") in routes.VENDORED:
        return Path(current_app.config["VENDOR_DIR"]) / routes.VENDORED[values["name"]]
    return None


def add_version(endpoint: str, values: dict) -> None:
    """Put the file's modification time in its URL (?v=…), so a changed file has a new URL
    and an unchanged one can be cached without asking again."""
    if endpoint not in ASSET_ENDPOINTS or "v" in values:
        return
    path = asset_path(endpoint, values)
    try:
        stat = os.stat(path) if path else None
    except OSError:
        return
    if stat is not None:
        values["v"] = f"{stat.st_mtime_ns // 1_000_000:x}{stat.st_size:x}"


# Gzipped assets by path and ETag (which changes with the file): each version once.
_GZIPPED: dict[tuple[str, str | None], bytes] = {}
_KEEP = 64


def compress_and_cache(resp: Response) -> Response:
    """Gzip an asset for a browser that accepts it, and cache a versioned one for a year."""
    if request.endpoint not in ASSET_ENDPOINTS:
        return resp
    if request.args.get("v") and resp.status_code in (200, 304):
        resp.headers["Cache-Control"] = f"public, max-age={YEAR}, immutable"
    if (resp.status_code != 200 or resp.mimetype not in COMPRESSIBLE
            or "Content-Encoding" in resp.headers
            or "gzip" not in request.headers.get("Accept-Encoding", "")):
        return resp
    resp.vary.add("Accept-Encoding")
    etag, weak = resp.get_etag()
    resp.direct_passthrough = False  # send_file's file is read here, once per version
    key = (request.path, etag)
    data = _GZIPPED.get(key)
    if data is None:
        data = gzip.compress(resp.get_data(), compresslevel=9, mtime=0)
        if len(_GZIPPED) >= _KEEP:
            _GZIPPED.clear()
        _GZIPPED[key] = data
    resp.close()  # the file send_file opened; its bytes are in `data` now
    resp.set_data(data)
    resp.headers["Content-Encoding"] = "gzip"
    if etag:
        # The gzipped bytes are another representation of the same file.
        resp.set_etag(etag, weak=True)
    return resp


def init_app(app: Flask) -> None:
    """Version asset URLs and compress and cache the assets."""
    app.url_defaults(add_version)
    app.after_request(compress_and_cache)
