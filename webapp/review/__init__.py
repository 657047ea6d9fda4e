"""Review: states by role, approve and reject, comments, presence, the review page and its API."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the review page and fragments and the review API."""
    from webapp.review import api, views

    views.init_app(app)
    api.init_app(app)
