"""MT commands: pre-translate a document, list and install Argos models."""

from __future__ import annotations

import time
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext

from webapp.core.db import get_sessionmaker
from webapp.core.models import Document, Job
from webapp.jobs import runner as jobs
from webapp.mt import engine as mt
from webapp.mt import packages


def _session():
    """Return a new database session for a command."""
    return get_sessionmaker()()


def _wait_with_bar(job_id: int, label: str) -> Job:
    """Show a progress bar until the job ends, and return it."""
    factory = get_sessionmaker()
    with click.progressbar(length=100, label=label, show_percent=True) as bar:
        shown = 0
        while True:
            with factory() as db:
                job = db.get(Job, job_id)
                pct = job.percent
                if pct > shown:
                    bar.update(pct - shown)
                    shown = pct
                if job.finished:
                    return job
            time.sleep(0.2)


def pretranslate_document(doc: Document) -> None:
    """Run pre-translation for a document with a progress bar, or say why it can't."""
    src, tgt = mt.mt_pair(doc)
    if not mt.has_route(src, tgt):
        click.echo(mt.missing_pair_message(src, tgt), err=True)
        return
    with _session() as db:
        doc = db.get(Document, doc.id)
        try:
            job = jobs.start_pretranslation(current_app._get_current_object(), db, doc)
        except jobs.AlreadyRunning as exc:
            if jobs.is_stale(exc.job, current_app.config["JOB_STALE_SECONDS"]):
                raise click.ClickException(
                    f"{exc} It has not moved for a while; if its worker stopped, retry it "
                    f"with `flask --app wsgi jobs retry {exc.job.id}`.") from None
            click.echo(f"{exc} Showing its progress.", err=True)
            job = exc.job
    what = "Back-translating" if doc.mode == "review" else "Pre-translating"
    job = _wait_with_bar(job.id, f"{what} {src}→{tgt}")
    click.echo(job.message)
    if job.status != "done":
        raise click.ClickException(job.message)


@click.command("pretranslate")
@with_appcontext
@click.argument("doc_id", type=int)
def pretranslate_command(doc_id: int) -> None:
    """Machine-translate a document (back-translate it in review mode), with a progress bar."""
    with _session() as db:
        # Past the largest INTEGER (as core.http's route converter): no such row, not a crash.
        doc = db.get(Document, doc_id) if 0 < doc_id < 2**31 else None
        if doc is None:
            raise click.ClickException(f"There is no document {doc_id}.")
    pretranslate_document(doc)


@click.group("models", cls=AppGroup)
def models_group() -> None:
    """List and install Argos Translate models (language pairs)."""


@models_group.command("list")
@with_appcontext
def models_list() -> None:
    """List the installed language pairs."""
    pairs = mt.installed_pairs()
    if not pairs:
        click.echo("No Argos Translate model is installed. " + mt.install_hint())
        return
    for a, b in pairs:
        click.echo(f"{a}→{b}")


@models_group.command("install")
@with_appcontext
@click.argument("from_code")
@click.argument("to_code")
def models_install(from_code: str, to_code: str) -> None:
    """Download and install a pair from the Argos package index (needs the internet)."""
    try:
        installed = packages.install_from_index(from_code, to_code,
                                          max_bytes=current_app.config["MAX_MODEL_BYTES"])
    except (packages.OfflineError, mt.MissingModelError, ValueError) as exc:
        raise click.ClickException(str(exc)) from None
    if not installed:
        click.echo(f"{from_code}→{to_code} is already installed.")
    for a, b in installed:
        click.echo(f"Installed {a}→{b}.")


@models_group.command("install-file")
@with_appcontext
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def models_install_file(path: Path) -> None:
    """Install a downloaded .argosmodel file."""
    try:
        a, b = packages.install_file(path, max_bytes=current_app.config["MAX_MODEL_BYTES"])
    except (ValueError, OSError) as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Installed {a}→{b} from {path.name}.")



def init_app(app: Flask) -> None:
    """Register the commands."""
    for command in (pretranslate_command, models_group):
        app.cli.add_command(command)
