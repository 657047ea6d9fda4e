"""Documents out: the corrected text in the original layout, as a plain-text file."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.core.messages import _ln
from webapp.core.models import Document, Segment
from webapp.core.states import State
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
    for target, source, mt, trailing in db.execute(
        select(Segment.target, Segment.source, Segment.mt, Segment.trailing)
        .where(Segment.document_id == doc.id).order_by(Segment.position)
    ):
        if not target:
            untranslated += 1
            # A review's file is the MT: an emptied segment falls back to it, never to English.
            target = mt if doc.mode == "review" else source
        parts.append(target)
        parts.append(trailing)
    stem = doc.name.rsplit(".", 1)[0]
    for suffix in (f".{doc.source_lang}", f".{doc.target_lang}"):
        stem = stem.removesuffix(suffix)
    # Inline codes of an XLIFF document have no place in plain text.
    text = strip_codes("".join(parts))
    return Export(text, untranslated, f"{stem}.{doc.target_lang}.txt")



# How many segment numbers a warning names before it says "and N more".
NAMED = 10


@dataclass
class ExportCheck:
    """What an export would carry that a person has not vouched for yet."""

    total: int
    # Segment numbers (1-based) not yet translated or reviewed: new, MT draft or rejected.
    unfinished: list[int]
    # Segment numbers with an open QA warning.
    flagged: list[int]

    def warnings(self) -> list[str]:
        """Return one sentence per problem, naming the first segments.

        Messages: English (ASCII, for a header, and the API) as strings, the reader's
        language where a page shows them.
        """
        out = []
        if self.unfinished:
            numbers, more = _numbers(self.unfinished)
            out.append(_ln(
                "%(n)s of %(total)s segments is not translated or reviewed yet "
                "(still new, MT draft or rejected): %(numbers)s",
                "%(n)s of %(total)s segments are not translated or reviewed yet "
                "(still new, MT draft or rejected): %(numbers)s",
                len(self.unfinished), total=self.total, numbers=numbers) if not more else _ln(
                "%(n)s of %(total)s segments is not translated or reviewed yet "
                "(still new, MT draft or rejected): %(numbers)s and %(more)s more",
                "%(n)s of %(total)s segments are not translated or reviewed yet "
                "(still new, MT draft or rejected): %(numbers)s and %(more)s more",
                len(self.unfinished), total=self.total, numbers=numbers, more=more))
        if self.flagged:
            numbers, more = _numbers(self.flagged)
            out.append(_ln(
                "%(n)s segment has an open QA warning: %(numbers)s",
                "%(n)s segments have an open QA warning: %(numbers)s",
                len(self.flagged), numbers=numbers) if not more else _ln(
                "%(n)s segment has an open QA warning: %(numbers)s and %(more)s more",
                "%(n)s segments have an open QA warning: %(numbers)s and %(more)s more",
                len(self.flagged), numbers=numbers, more=more))
        return out

    def to_dict(self) -> dict:
        """Return the check as the JSON API gives it."""
        return {"segments": self.total, "unfinished": len(self.unfinished),
                "qa_flagged": len(self.flagged), "unfinished_segments": self.unfinished,
                "qa_flagged_segments": self.flagged, "warnings": self.warnings()}


def _numbers(numbers: list[int]) -> tuple[str, int]:
    """Return the first segment numbers named ("#1, #4") and how many more there are."""
    return ", ".join(f"#{n}" for n in numbers[:NAMED]), max(0, len(numbers) - NAMED)


def check_export(db: Session, doc: Document, flagged_ids: list[int] | None) -> ExportCheck:
    """Return which segments an export would carry unfinished or with open QA warnings."""
    rows = db.execute(select(Segment.id, Segment.position, Segment.state)
                      .where(Segment.document_id == doc.id).order_by(Segment.position)).all()
    flagged = set(flagged_ids or ())
    return ExportCheck(
        total=len(rows),
        unfinished=[pos + 1 for _id, pos, state in rows if state < State.TRANSLATED],
        flagged=[pos + 1 for seg_id, pos, _state in rows if seg_id in flagged])
