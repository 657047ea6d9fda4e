"""Translation memory: units fed by approvals and TMX, fuzzy matches, concordance, TMX in and out."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Give the app its memory cache and feed, the TMX import job, the memory's pages and API."""
    from webapp.core.access import may
    from webapp.core.db import get_sessionmaker
    from webapp.core.messages import N_
    from webapp.core.states import Role
    from webapp.jobs import progress
    from webapp.jobs import runner as jobs
    from webapp.segments.editing import SAVED
    from webapp.tm import api, feed, importing, store, views

    factory = get_sessionmaker(app)
    cache = app.extensions[store.CACHE_KEY] = store.MemoryCache(factory)
    folder = importing.upload_dir(app.instance_path)

    def run_import(_factory, db, job) -> str:
        try:
            return importing.run_import(db, job, folder, cache)
        except importing.ImportFailed as exc:
            raise jobs.JobFailed(str(exc)) from None

    jobs.HANDLERS[importing.JOB_KIND] = run_import
    # Its progress counts bytes of the file; once done, the page's table of pairs reloads.
    progress.describe(importing.JOB_KIND, progress.Kind(
        N_("Memory import"), N_("Import failed"), running=N_("Importing into the memory"),
        counts=False, event="tm-changed"))
    feed.watch_approvals(factory, SAVED)
    views.init_app(app)
    api.init_app(app)
    app.jinja_env.globals.update(may_manage_tm=lambda: may(Role.EDITOR))
