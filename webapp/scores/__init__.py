"""Scores: BLEU, chrF and TER of MT drafts against post-edits, kept fresh in the background."""

from __future__ import annotations

from concurrent.futures import Future

from flask import Flask


def init_app(app: Flask) -> None:
    """Start the background scorer and register the report, its API, template hooks and `score`."""
    from webapp.core.db import get_sessionmaker
    from webapp.core.messages import _l
    from webapp.jobs import progress
    from webapp.jobs import runner as jobs
    from webapp.scores import api, cli, scorer, views

    runner = app.extensions["webapp.jobs"]

    def submit(job_id: int | None, task) -> Future | None:
        # The job runner's single worker keeps scoring from competing with MT for the CPU.
        try:
            future = runner.executor.submit(task)
        except RuntimeError:  # the runner has shut down: the next view refreshes instead
            return None
        if job_id is not None:
            with runner.lock:
                runner.futures[job_id] = future
        return future

    # Without a queue, score jobs run in this process (see Scorer); with REDIS_URL a
    # document's rescoring is a job the queue's workers run, like MT, so a long document is
    # scored off the web server. Saved segments are rescored here either way: batched, paced,
    # a fraction of a millisecond each.
    jobs.HANDLERS.setdefault("score", scorer.score_job)
    # The report reloads itself on the "job-finished" its refresh raises.
    progress.describe("score", progress.Kind(_l("Scoring"), _l("Scoring failed"),
                                             running=_l("Updating the scores")))
    factory = get_sessionmaker(app)
    enqueue = runner.submit if app.config.get("REDIS_URL") else None
    app.extensions["webapp.scorer"] = background = scorer.Scorer(factory, submit,
                                                                 enqueue=enqueue)
    scorer.watch_saves(factory, background)
    app.register_blueprint(views.bp)
    api.init_app(app)
    app.jinja_env.globals.update(segment_score=views.segment_score,
                                 revision_scores=views.revision_scores)
    app.jinja_env.filters.update(figure=views.figure, duration=views.duration)
    cli.init_app(app)
