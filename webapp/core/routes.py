"""The app-wide routes no feature owns: vendored front-end files and the OpenAPI document."""

from __future__ import annotations

from pathlib import Path

from flask import Flask, abort, current_app, jsonify, redirect, send_from_directory, url_for

from webapp.core.openapi import spec

# The front-end packages installed from the npm registry at set-up time, by the name pages use.
VENDORED = {"htmx.min.js": "htmx.org/dist/htmx.min.js"}


def vendor(name: str):
    """Serve a front-end package installed from the npm registry at set-up time."""
    if name not in VENDORED:
        abort(404)
    path = Path(current_app.config["VENDOR_DIR"]) / VENDORED[name]
    return send_from_directory(path.parent, path.name, max_age=3600)


def openapi():
    """Return the OpenAPI document of this API."""
    return jsonify(spec())


def favicon():
    """Send browsers asking for /favicon.ico to the SVG icon the pages link to."""
    return redirect(url_for("static", filename="favicon.svg"), code=301)


def init_app(app: Flask) -> None:
    """Register the routes every page and client needs; all are public (auth.PUBLIC)."""
    app.add_url_rule("/vendor/<path:name>", "vendor", vendor)
    app.add_url_rule("/api/openapi.json", "openapi", openapi)
    app.add_url_rule("/favicon.ico", "favicon", favicon)
