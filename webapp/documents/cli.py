"""Command-line interface: `flask --app wsgi COMMAND`, each with its own --help."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from webapp.auth.users import ensure_admin
from webapp.core.db import get_or_fail, get_sessionmaker, upgrade_schema
from webapp.core.models import Document
from webapp.documents import dashboard, importing, queries, textio
from webapp.glossary import store as glossary_store
from webapp.interchange import exchange as interchange
from webapp.mt import engine as mt


def _session():
    """Return a new database session for a command."""
    return get_sessionmaker()()


def pretranslate_document(doc: Document) -> None:
    """Run the MT feature's `pretranslate` command on a document, with its progress bar."""
    # Looked up by name: one feature's commands do not import another's.
    ctx = click.get_current_context()
    ctx.invoke(current_app.cli.get_command(ctx, "pretranslate"), doc_id=doc.id)


@click.command("import")
@with_appcontext
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--from", "source_lang", required=True, help="Source language code, e.g. en.")
@click.option("--to", "target_lang", required=True, help="Target language code, e.g. de.")
@click.option("--mode", type=click.Choice(importing.MODES), default="translate",
              help="translate: the file is the source. review: the file is an MT to correct.")
@click.option("--pretranslate/--no-pretranslate", default=False,
              help="Machine-translate right after importing (needs a model).")
def import_command(path: Path, source_lang: str, target_lang: str, mode: str,
                   pretranslate: bool) -> None:
    """Import a plain-text file as a document."""
    with _session() as db:
        try:
            doc = importing.import_text(
                db, path.read_bytes(), path.name, source_lang, target_lang, mode,
                current_app.config["MAX_UPLOAD_BYTES"], author="cli",
            )
        except (textio.TextImportError, importing.DocumentError) as exc:
            raise click.ClickException(f"{path.name}: {exc}") from None
        n = queries.count_segments(db, doc.id)
    click.echo(f"Imported {path.name} as document {doc.id}: {n} segments ({mode} mode).")
    if pretranslate:
        pretranslate_document(doc)


@click.command("export")
@with_appcontext
@click.argument("doc_id", type=int)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="File to write (default: translations/NAME.LANG.txt).")
def export_command(doc_id: int, output: Path | None) -> None:
    """Write a document's corrected text with its original layout."""
    with _session() as db:
        doc = get_or_fail(db, Document, doc_id)
        exp = interchange.export_document(db, doc, "txt")
    out = output or Path(current_app.config["TRANSLATIONS_DIR"]) / exp.filename
    out.write_bytes(exp.data)
    click.echo(f"Wrote {out}.")
    if exp.untranslated:
        click.echo(f"{exp.untranslated} segments had no target and were exported as source.")


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
    with _session() as db:
        click.echo(glossary_store.seed_summary(db, current_app.config.get("GLOSSARY_PATH")))
    seed = Path(current_app.config["SEED_DOCUMENT"])
    src, tgt = current_app.config["SEED_LANGS"]
    with _session() as db:
        doc = db.scalar(select(Document).where(Document.name == seed.name))
        if doc is None:
            doc = importing.import_text(
                db, seed.read_bytes(), seed.name, src, tgt, "review",
                current_app.config["MAX_UPLOAD_BYTES"], author="seed",
            )
            click.echo(f"Imported {seed.name} as document {doc.id} (review mode, {tgt} MT "
                       f"of an {src} original).")
        else:
            click.echo(f"{seed.name} is document {doc.id}.")
    a, b = mt.mt_pair(doc)
    if not mt.has_route(a, b):
        click.echo(mt.missing_pair_message(a, b))
        click.echo("The editor works without it; the source column stays empty until a "
                   "model is installed or the English original is uploaded.")
    elif doc.source_kind == "none":
        pretranslate_document(doc)


@click.command("recount")
@with_appcontext
@click.option("--document", "doc_id", type=int, help="Only this document (default: all).")
def recount_command(doc_id: int | None) -> None:
    """Rebuild the kept progress counts (segments and words per state) from the segments."""
    with _session() as db:
        if doc_id is not None:
            get_or_fail(db, Document, doc_id)
        n = dashboard.recount(db, doc_id)
    click.echo(f"Recounted the progress of {n} document{'s' if n != 1 else ''}.")


def init_app(app: Flask) -> None:
    """Register the commands."""
    for command in (import_command, export_command,
                    seed_command, recount_command):
        app.cli.add_command(command)
