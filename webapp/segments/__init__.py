"""Segments: the row and its editing (save with a version check, history, split, merge), its API."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the segment fragments and the segments API."""
    from webapp.segments import api, views

    views.init_app(app)
    api.init_app(app)
