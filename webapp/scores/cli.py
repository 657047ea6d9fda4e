"""The `score` command: a document's corpus figures and sacrebleu signatures."""

from __future__ import annotations

import json

import click
from flask import Flask
from flask.cli import with_appcontext

from webapp.core.db import get_or_fail, get_sessionmaker
from webapp.core.models import Document
from webapp.scores.facts import gather
from webapp.scores.store import cached_figures, refresh_document


def _print_block(title: str, figures: dict) -> None:
    """Print one set of corpus figures with their signatures, as sacrebleu prints them."""
    n = figures["segments"]
    click.echo(f"{title} ({n} segment{'' if n == 1 else 's'})")
    for key, label in (("bleu", "BLEU"), ("chrf", "chrF2"), ("ter", "TER")):
        click.echo(f"  {label:<5} = {figures[key]:6.2f}   {figures['signature'][key]}")


@click.command("score")
@click.argument("doc_id", type=int)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="json prints the figures as one JSON object.")
@with_appcontext
def score_command(doc_id: int, fmt: str) -> None:
    """Print a document's corpus BLEU, chrF and TER (MT drafts against targets) and signatures."""
    with get_sessionmaker()() as db:
        doc = get_or_fail(db, Document, doc_id)
        facts = gather(db, doc_id)
        cached = cached_figures(db, doc_id, facts.fingerprint())
        if cached is not None and cached.fresh:
            figures = cached.figures
        else:
            if fmt == "text":
                click.echo(f"Scoring {facts.with_mt} segments…", err=True)
            figures = refresh_document(db, doc_id)
        name = doc.name
    main = figures.get("all_drafts") or {}
    if fmt == "json":
        click.echo(json.dumps({
            "document_id": doc_id, "name": name,
            "bleu": main.get("bleu"), "chrf": main.get("chrf"), "ter": main.get("ter"),
            "signature": main.get("signature"), "figures": figures,
        }, ensure_ascii=False, indent=2))
        return
    click.echo(f"{name} (document {doc_id}): {figures['with_mt']} of {figures['segments']} "
               "segments have an MT draft.")
    if figures.get("all_drafts"):
        _print_block("All MT drafts against current targets", figures["all_drafts"])
    if figures.get("post_edited"):
        _print_block("MT drafts against post-edited targets", figures["post_edited"])
    else:
        click.echo("No segment has been post-edited yet.")
    if figures.get("approved"):
        _print_block("MT drafts against approved targets", figures["approved"])
    if figures.get("reference"):
        ref = figures["reference"]
        _print_block(f"MT drafts against the reference {ref['name']}", ref["mt"])
        _print_block(f"Post-edited targets against the reference {ref['name']}",
                     ref["post_edited"])


def init_app(app: Flask) -> None:
    """Register `score`."""
    app.cli.add_command(score_command)
