"""The glossary's commands: import a CSV or TBX file, export one, and load the curated glossary."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from webapp.core.db import get_sessionmaker
from webapp.glossary import exchange, store
from webapp.glossary.entries import GlossaryError
from webapp.glossary.merge import MERGE, REPLACE, describe, preview_import


def seed_glossary() -> str:
    """Load the curated glossary into a database that never had one; say what happened."""
    with get_sessionmaker()() as db:
        return store.seed_summary(db, current_app.config.get("GLOSSARY_PATH"))


@click.command("glossary-import")
@with_appcontext
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Only show what would be added and changed.")
@click.option("--replace", is_flag=True,
              help="Replace each concept in the file as a whole (blank cells empty fields); "
                   "by default blank cells keep what is stored and lists are added to.")
def glossary_import_command(path: Path, dry_run: bool, replace: bool) -> None:
    """Import a glossary CSV or TBX file: new concepts are added, changed ones merged."""
    factory = get_sessionmaker()
    with factory() as db:
        snap = current_app.extensions["webapp.glossary"].get(db)
        try:
            incoming = exchange.load(path.read_bytes(), filename=path.name,
                                     languages=snap.languages)
        except GlossaryError as exc:
            raise click.ClickException(f"{path.name}: {exc}") from None
        preview = preview_import(snap.glossary, incoming, REPLACE if replace else MERGE)
        for entry in preview.added:
            click.echo(f"+ {entry.key}")
        for change in preview.changed:
            click.echo(f"~ {change.before.key} ({', '.join(change.fields)})")
            for detail in change.details:
                click.echo("    " + describe(detail))
        summary = (f"{len(preview.added)} added, {len(preview.changed)} changed, "
                   f"{len(preview.skipped)} already the same")
        if dry_run:
            click.echo(f"Dry run: {summary}; nothing was changed.")
            return
        try:
            store.apply_import(db, snap, preview, "cli", path.name)
        except GlossaryError as exc:
            raise click.ClickException(str(exc)) from None
    click.echo(f"Imported {path.name}: {summary}.")


@click.command("glossary-export")
@with_appcontext
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="File to write (default: glossary.FORMAT in the current folder).")
@click.option("--format", "fmt", type=click.Choice(exchange.FORMATS), default="csv")
def glossary_export_command(output: Path | None, fmt: str) -> None:
    """Write the glossary as CSV (safe to open in a spreadsheet) or TBX."""
    with get_sessionmaker()() as db:
        glossary = current_app.extensions["webapp.glossary"].get(db).glossary
    out = output or Path(f"glossary.{fmt}")
    data = exchange.dump(glossary, fmt)
    if isinstance(data, str):
        out.write_text(data, encoding="utf-8")
    else:
        out.write_bytes(data)
    click.echo(f"Wrote {len(glossary)} entries to {out}.")
