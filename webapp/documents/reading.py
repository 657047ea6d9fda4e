"""The reading view: a document's corrected text as running paragraphs, its changes from the
MT marked word by word, every segment's whole comment thread beside it."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.core.models import Comment, Document, Segment
from webapp.core.text import word_diff


@dataclass
class Sentence:
    """One segment as the reader sees it: its text (as a diff from the MT) and its thread."""

    seg: Segment
    ops: list[tuple[str, str]]
    lang: str
    untranslated: bool
    comments: list[Comment] = field(default_factory=list)
    note: int | None = None  # the thread's number in the document, when it has one


@dataclass
class Reading:
    """A document as running text: paragraphs of sentences, and how many were changed."""

    paragraphs: list[list[Sentence]]
    changed: int
    untranslated: int
    threads: int


def sentence(seg: Segment, doc: Document) -> Sentence:
    """Return a segment as the reader sees it: the target, else the MT, else the source."""
    if seg.target:
        # No MT to compare with (typed from scratch): the text as it is, nothing marked.
        same = not seg.mt or seg.mt == seg.target
        ops = [("equal", seg.target)] if same else word_diff(seg.mt, seg.target)
        return Sentence(seg, ops, doc.target_lang, False)
    if seg.mt:
        return Sentence(seg, [("equal", seg.mt)], doc.target_lang, True)
    return Sentence(seg, [("equal", seg.source)], doc.source_lang, True)


def read(db: Session, doc: Document) -> Reading:
    """Return the document as paragraphs, the way its text file lays them out."""
    threads: dict[int, list[Comment]] = {}
    for c in db.scalars(select(Comment).join(Segment, Comment.segment_id == Segment.id)
                        .where(Segment.document_id == doc.id).order_by(Comment.id)):
        threads.setdefault(c.segment_id, []).append(c)
    paragraphs: list[list[Sentence]] = [[]]
    changed = untranslated = notes = 0
    for seg in db.scalars(select(Segment).where(Segment.document_id == doc.id)
                          .order_by(Segment.position)):
        s = sentence(seg, doc)
        changed += any(op != "equal" for op, _ in s.ops)
        untranslated += s.untranslated
        if seg.id in threads:
            notes += 1
            s.comments, s.note = threads[seg.id], notes
        paragraphs[-1].append(s)
        # A line break after a segment ends its paragraph, as in the editor and the export.
        if "\n" in seg.trailing:
            paragraphs.append([])
    return Reading([p for p in paragraphs if p], changed, untranslated, notes)
