"""Translation workbench: post-edit machine translation segment by segment."""

from __future__ import annotations

import os

from flask import Flask
from werkzeug.routing import IntegerConverter

from .config import ROOT, defaults, from_environment, secret_key


class DatabaseIdConverter(IntegerConverter):
    """Match `<int:…>` only up to the largest INTEGER (PostgreSQL's is 32-bit), so huge ids
    answer 404."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(map, *args, **kwargs)


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

    # An id past what an INTEGER id column holds is no route (404), not a driver error.
    app.url_map.converters["int"] = DatabaseIdConverter

    from . import api, auth, cli, db, editor, jobs, memory, mt, reports, terms

    mt.configure(app.config.get("ARGOS_PACKAGES_DIR"))
    db.init_app(app)
    jobs.init_app(app)
    auth.init_app(app)
    editor.init_app(app)
    api.init_app(app)
    reports.init_app(app)
    terms.init_app(app)
    memory.init_app(app)
    cli.init_app(app)
    return app
