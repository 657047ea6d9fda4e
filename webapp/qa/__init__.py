"""Segment QA: glossary and text checks, the panel beside each segment, dismissals, the filter."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the QA panel, its API and the editor's QA filter (after the glossary)."""
    from webapp.qa import api, views

    # Other features append their checks here (segment -> [{"code", "message"[, "key"]}]).
    app.extensions.setdefault("webapp.qa_providers", [])
    app.extensions["webapp.qa_segment_ids"] = views.qa_segment_ids
    app.extensions["webapp.qa_open_warnings"] = views.open_warnings
    # Per process: document id -> (what it was computed from, ids with open warnings).
    app.extensions["webapp.qa_filter_cache"] = {}
    app.register_blueprint(views.bp)
    app.register_blueprint(api.bp)
    app.jinja_env.globals["segment_glossary"] = views.segment_panel
