"""Documents: import, the document list and editor page, progress, export, and their API and commands."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the document pages, the documents API and the import, export and seed commands."""
    from webapp.documents import api, cli, views

    views.init_app(app)
    api.init_app(app)
    cli.init_app(app)
