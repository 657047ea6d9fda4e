"""Background jobs: a runner in this process or workers on a Redis queue, with progress."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Give the app its job runner (in process, or RQ with REDIS_URL), its fragments, API and CLI."""
    from webapp.jobs import api, cli, queue, runner, views

    if app.config.get("REDIS_URL"):
        app.extensions["webapp.jobs"] = queue.QueueRunner(app)
    else:
        app.extensions["webapp.jobs"] = runner.JobRunner(app)
    views.init_app(app)
    api.init_app(app)
    cli.init_app(app)
