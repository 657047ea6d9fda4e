"""Translation workbench: post-edit machine translation segment by segment."""

from __future__ import annotations

import importlib
import os

from flask import Flask

from webapp.core.config import ROOT, defaults, from_environment, secret_key

# The features, in the order they are set up.
FEATURES = ("mt", "jobs", "auth", "documents", "segments", "review", "scores", "glossary", "qa",
            "interchange", "tm")


def create_app(test_config: dict | None = None) -> Flask:
    """Create and configure the app."""
    app = Flask(
        __name__,
        instance_path=os.environ.get("WEBAPP_INSTANCE", str(ROOT / "instance")),
        template_folder=str(ROOT / "templates"),
    )
    app.config.from_mapping(defaults(app.instance_path))
    app.config.update(from_environment())
    if test_config:
        app.config.update(test_config)
    os.makedirs(app.instance_path, exist_ok=True)
    app.config["SECRET_KEY"] = secret_key(app.config, app.instance_path)
    # Werkzeug refuses bodies past this before a view runs; the views give the clear message.
    # (Flask's own default is None, so this is set, not defaulted.) Other requests get
    # MAX_BODY_BYTES (core.http).
    if app.config.get("MAX_CONTENT_LENGTH") is None:
        app.config["MAX_CONTENT_LENGTH"] = max(app.config["MAX_UPLOAD_BYTES"] * 2,
                                               app.config["TM_MAX_UPLOAD_BYTES"]) + 65536

    from webapp.core import db, http, i18n

    db.init_app(app)
    http.init_app(app)
    i18n.init_app(app)
    # Each feature registers its pages, API, commands and hooks; the order matters where one
    # feature's hooks build on another's (the scorer needs the job runner, QA the glossary).
    for feature in FEATURES:
        importlib.import_module(f"webapp.{feature}").init_app(app)
    return app
