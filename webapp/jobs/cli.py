"""Job commands: list jobs, retry one, run a queue worker."""

from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext
from redis import Redis
from rq import Queue, SimpleWorker
from sqlalchemy import select

from webapp.core.db import get_sessionmaker
from webapp.core.models import Job
from webapp.jobs.runner import JobError, is_stale, requeue_stale, retry_job


@click.group("jobs", cls=AppGroup)
def jobs_group() -> None:
    """List background jobs and retry the ones that failed or whose worker died."""


@jobs_group.command("list")
@with_appcontext
@click.option("--all", "show_all", is_flag=True, help="Include finished jobs.")
def jobs_list(show_all: bool) -> None:
    """List unfinished jobs (or all), newest first."""
    stale_after = current_app.config["JOB_STALE_SECONDS"]
    with get_sessionmaker()() as db:
        stmt = select(Job).order_by(Job.id.desc())
        if not show_all:
            stmt = stmt.where(Job.status.in_(("queued", "running", "failed")))
        for job in db.scalars(stmt):
            note = " (no progress: worker stopped?)" if is_stale(job, stale_after) else ""
            click.echo(f"{job.id}\t{job.kind}\tdocument {job.document_id}\t{job.status}\t"
                       f"{job.done}/{job.total}{note}\t{job.message}")


@jobs_group.command("retry")
@with_appcontext
@click.argument("job_id", type=int)
@click.option("--force", is_flag=True, help="Retry even though the job moved recently.")
def jobs_retry(job_id: int, force: bool) -> None:
    """Queue a failed job, or one whose worker died, again; drafts already stored stay."""
    app = current_app._get_current_object()
    with get_sessionmaker()() as db:
        try:
            retry_job(app, db, job_id, force=force)
        except JobError as exc:
            raise click.ClickException(str(exc)) from None
    if app.config.get("REDIS_URL"):
        click.echo(f"Job {job_id} queued again for the workers.")
        return
    # Without a queue the job runs here, in this command's process.
    click.echo(f"Running job {job_id} again…")
    app.extensions["webapp.jobs"].wait(job_id)
    with get_sessionmaker()() as db:
        job = db.get(Job, job_id)
    click.echo(f"Job {job_id} {job.status}: {job.message}")
    if job.status != "done":
        raise click.ClickException(job.message)


@click.command("worker")
@with_appcontext
@click.option("--burst", is_flag=True, help="Stop once the queue is empty.")
def worker_command(burst: bool) -> None:
    """Run background jobs from the Redis queue (REDIS_URL) until stopped."""
    url = current_app.config.get("REDIS_URL")
    if not url:
        raise click.ClickException("Set REDIS_URL (e.g. redis://127.0.0.1:6379/0): without it "
                                   "jobs run inside the web server and need no worker.")
    requeued = requeue_stale(current_app._get_current_object())
    if requeued:
        click.echo(f"Queued again jobs whose worker stopped: {', '.join(map(str, requeued))}.")
    redis = Redis.from_url(url)
    queue = Queue(current_app.config["RQ_QUEUE"], connection=redis)
    # One job at a time in this process, so the MT model loaded by the first job stays
    # loaded for the next; run more workers for more parallel jobs.
    worker = SimpleWorker([queue], connection=redis)
    click.echo(f"Worker {worker.name} on {queue.name} at {url}")
    worker.work(burst=burst, logging_level="INFO")


def init_app(app: Flask) -> None:
    """Register the commands."""
    app.cli.add_command(jobs_group)
    app.cli.add_command(worker_command)
