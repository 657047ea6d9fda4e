"""The curated glossary: entries, matching, term QA, MT protection, exchange files, pages, API."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the glossary's cache, pages, API, term highlights and commands (after the editor)."""
    from webapp.glossary import api, cli, dictionary, store, views

    app.extensions["webapp.glossary"] = store.GlossaryCache(app.config.get("GLOSSARY_PATH"))
    app.extensions["webapp.dictionary"] = dictionary.shared(
        app.config.get("DICTIONARY_PATH") or dictionary.DEFAULT_PATH)
    app.register_blueprint(views.bp)
    app.register_blueprint(api.bp)
    # Replaces the editor's plain-text default.
    app.jinja_env.globals["highlight_terms"] = views.highlight_terms
    app.jinja_env.globals["source_terms"] = views.source_terms
    app.cli.add_command(cli.glossary_import_command)
    app.cli.add_command(cli.glossary_export_command)
