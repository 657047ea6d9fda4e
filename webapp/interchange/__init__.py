"""Interchange: XLIFF and TMX in and out, inline codes shown as tag chips and checked by QA."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the tag-chip filters, the lock flag templates ask for and the tag QA check."""
    from webapp.interchange import codes, views

    app.jinja_env.filters.update(tags=codes.tags_filter, code_tokens=codes.tokens_filter)
    app.jinja_env.globals.update(
        render_codes_html=codes.render_codes_html, code_warnings=codes.code_warnings,
        codes_of=codes.of, segment_locked=views.segment_locked,
    )
    # The QA feature collects other features' checks here (see webapp.qa.checks.Provider).
    app.extensions.setdefault("webapp.qa_providers", []).append(codes.code_warnings)
