"""Documents out: the corrected text in the original layout, as a plain-text file."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.core.models import Document, Segment
from webapp.interchange.formats.inline import strip_codes


@dataclass
class Export:
    """A document's corrected text and what it had to fill in."""

    text: str
    untranslated: int
    filename: str


def export_text(db: Session, doc: Document) -> Export:
    """Return the corrected text in the original paragraph layout."""
    parts = [doc.leading]
    untranslated = 0
    for target, source, trailing in db.execute(
        select(Segment.target, Segment.source, Segment.trailing)
        .where(Segment.document_id == doc.id).order_by(Segment.position)
    ):
        if not target:
            untranslated += 1
            target = source
        parts.append(target)
        parts.append(trailing)
    stem = doc.name.rsplit(".", 1)[0]
    for suffix in (f".{doc.source_lang}", f".{doc.target_lang}"):
        stem = stem.removesuffix(suffix)
    # Inline codes of an XLIFF document have no place in plain text.
    text = strip_codes("".join(parts))
    return Export(text, untranslated, f"{stem}.{doc.target_lang}.txt")

