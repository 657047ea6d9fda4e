"""Translation workbench: post-edit machine translation segment by segment."""

from __future__ import annotations

import os

from flask import Flask

from webapp.core.config import ROOT, defaults, from_environment, secret_key


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
    app.config.setdefault("MAX_CONTENT_LENGTH", app.config["MAX_UPLOAD_BYTES"] * 2 + 65536)

    from webapp import jobs, mt
    from webapp.core import db, http

    db.init_app(app)
    http.init_app(app)
    mt.init_app(app)

    from webapp.auth import views as auth
    from webapp.documents import api, cli
    from webapp.documents import views as editor
    from webapp.glossary import views as terms
    from webapp.scores import views as reports
    from webapp.tm import views as memory

    jobs.init_app(app)
    auth.init_app(app)
    editor.init_app(app)
    api.init_app(app)
    reports.init_app(app)
    terms.init_app(app)
    memory.init_app(app)
    cli.init_app(app)
    return app
