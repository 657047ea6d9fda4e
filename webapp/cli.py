"""Command-line interface: `flask --app wsgi COMMAND`, each with its own --help."""

from __future__ import annotations

import time
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext
from sqlalchemy import select

from . import documents, interchange, jobs, mt, terms, textio
from .auth import ensure_admin
from .db import get_sessionmaker, upgrade_schema
from .editor import mt_pair
from .models import Document, Job


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


def _pretranslate(doc: Document) -> None:
    """Run pre-translation for a document with a progress bar, or say why it can't."""
    src, tgt = mt_pair(doc)
    if not mt.has_route(src, tgt):
        click.echo(mt.missing_pair_message(src, tgt), err=True)
        return
    with _session() as db:
        doc = db.get(Document, doc.id)
        job = jobs.start_pretranslation(current_app._get_current_object(), db, doc)
    what = "Back-translating" if doc.mode == "review" else "Pre-translating"
    job = _wait_with_bar(job.id, f"{what} {src}→{tgt}")
    click.echo(job.message)
    if job.status != "done":
        raise click.ClickException(job.message)


@click.command("import")
@with_appcontext
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--from", "source_lang", required=True, help="Source language code, e.g. en.")
@click.option("--to", "target_lang", required=True, help="Target language code, e.g. de.")
@click.option("--mode", type=click.Choice(documents.MODES), default="translate",
              help="translate: the file is the source. review: the file is an MT to correct.")
@click.option("--pretranslate/--no-pretranslate", default=False,
              help="Machine-translate right after importing (needs a model).")
def import_command(path: Path, source_lang: str, target_lang: str, mode: str,
                   pretranslate: bool) -> None:
    """Import a plain-text file as a document."""
    with _session() as db:
        try:
            doc = documents.import_text(
                db, path.read_bytes(), path.name, source_lang, target_lang, mode,
                current_app.config["MAX_UPLOAD_BYTES"], author="cli",
            )
        except (textio.TextImportError, documents.DocumentError) as exc:
            raise click.ClickException(f"{path.name}: {exc}") from None
        n = documents.count_segments(db, doc.id)
    click.echo(f"Imported {path.name} as document {doc.id}: {n} segments ({mode} mode).")
    if pretranslate:
        _pretranslate(doc)


@click.command("pretranslate")
@with_appcontext
@click.argument("doc_id", type=int)
def pretranslate_command(doc_id: int) -> None:
    """Machine-translate a document (back-translate it in review mode), with a progress bar."""
    with _session() as db:
        doc = db.get(Document, doc_id)
        if doc is None:
            raise click.ClickException(f"There is no document {doc_id}.")
    _pretranslate(doc)


@click.command("export")
@with_appcontext
@click.argument("doc_id", type=int)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="File to write (default: translations/NAME.LANG.txt).")
def export_command(doc_id: int, output: Path | None) -> None:
    """Write a document's corrected text with its original layout."""
    with _session() as db:
        doc = db.get(Document, doc_id)
        if doc is None:
            raise click.ClickException(f"There is no document {doc_id}.")
        exp = interchange.export_document(db, doc, "txt")
    out = output or Path(current_app.config["TRANSLATIONS_DIR"]) / exp.filename
    out.write_bytes(exp.data)
    click.echo(f"Wrote {out}.")
    if exp.untranslated:
        click.echo(f"{exp.untranslated} segments had no target and were exported as source.")


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
        installed = mt.install_from_index(from_code, to_code)
    except (mt.OfflineError, mt.MissingModelError, ValueError) as exc:
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
        a, b = mt.install_file(path)
    except (ValueError, OSError) as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Installed {a}→{b} from {path.name}.")


@click.command("seed")
@with_appcontext
def seed_command() -> None:
    """Create the database and import the seed article in review mode, once."""
    upgrade_schema()
    with _session() as db:
        password = ensure_admin(db)
    if password:
        click.echo(f"Created the first account: admin, password {password} (shown once; "
                   "`flask --app wsgi reset-password admin` makes a new one).")
    click.echo(terms.seed_glossary())
    seed = Path(current_app.config["SEED_DOCUMENT"])
    src, tgt = current_app.config["SEED_LANGS"]
    with _session() as db:
        doc = db.scalar(select(Document).where(Document.name == seed.name))
        if doc is None:
            doc = documents.import_text(
                db, seed.read_bytes(), seed.name, src, tgt, "review",
                current_app.config["MAX_UPLOAD_BYTES"], author="seed",
            )
            click.echo(f"Imported {seed.name} as document {doc.id} (review mode, {tgt} MT "
                       f"of an {src} original).")
        else:
            click.echo(f"{seed.name} is document {doc.id}.")
    a, b = mt_pair(doc)
    if not mt.has_route(a, b):
        click.echo(mt.missing_pair_message(a, b))
        click.echo("The editor works without it; the source column stays empty until a "
                   "model is installed or the English original is uploaded.")
    elif doc.source_kind == "none":
        _pretranslate(doc)


def init_app(app: Flask) -> None:
    """Register the commands."""
    for command in (import_command, pretranslate_command, export_command, models_group,
                    seed_command):
        app.cli.add_command(command)
