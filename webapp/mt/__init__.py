"""Machine translation: Argos models, pre-translation of documents, the models page."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Point Argos at its packages folder and register the MT pages, API and commands."""
    from webapp.mt import api, cli, engine, packages, views

    engine.configure(app.config.get("ARGOS_PACKAGES_DIR"))
    # What an uploaded or downloaded model may unpack to (bytes); set in the environment too.
    app.config.setdefault("MAX_MODEL_BYTES", packages.MAX_MODEL_BYTES)
    views.init_app(app)
    api.init_app(app)
    cli.init_app(app)
