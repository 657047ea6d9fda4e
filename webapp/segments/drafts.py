"""Machine-translation drafts: a document's text for the engine in, the engine's output stored."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from webapp.core.changelog import log
from webapp.core.models import Document, Segment, utcnow
from webapp.core.states import Action, State
from webapp.interchange.formats.inline import strip_codes
from webapp.segments.editing import add_revision


def file_side_texts(db: Session, doc: Document) -> list[tuple[int, str]]:
    """Return (segment id, text from the imported file) in order, for MT input."""
    col = Segment.mt if doc.mode == "review" else Segment.source
    # An engine would garble an inline-code placeholder; the drafts come without tags and
    # tag QA asks the translator to place them.
    return [(i, strip_codes(text)) for i, text in db.execute(
        select(Segment.id, col).where(Segment.document_id == doc.id).order_by(Segment.position)
    )]


def store_machine_translations(
    db: Session, doc: Document, outputs: Sequence[tuple[int, str]], author: str
) -> int:
    """Store engine output: MT drafts in translate mode, back-translations in review mode."""
    stored = 0
    if doc.mode == "review":
        for seg_id, text in outputs:
            db.execute(update(Segment).where(Segment.id == seg_id).values(source=text))
            stored += 1
        doc.source_kind = "back_translation"
        log(db, Action.BACK_TRANSLATION, author, doc.id, segments=stored)
        db.commit()
        return stored
    segs = {
        s.id: s for s in db.scalars(
            select(Segment).where(Segment.id.in_([i for i, _ in outputs]))
        )
    }
    for seg_id, text in outputs:
        seg = segs.get(seg_id)
        # Only fill segments nobody has worked on; a retried job must not add duplicates.
        if seg is None or seg.state != State.NEW or not text:
            continue
        seg.mt = seg.target = text
        seg.state = int(State.MT)
        seg.version += 1
        seg.updated_by, seg.updated_at = author, utcnow()
        add_revision(db, seg, "mt", author, replaced=seg.version - 1)
        stored += 1
    log(db, Action.MT, author, doc.id, segments=stored)
    db.commit()
    return stored

