"""The panel beside a segment: the glossary terms its text holds, and its QA warnings."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from webapp.core.models import Document, QaDismissal, Segment
from webapp.glossary.entries import Glossary
from webapp.glossary.highlight import TermLine, segment_terms
from webapp.glossary.store import Snapshot
from webapp.qa import slips
from webapp.qa.checks import (
    Provider,
    Review,
    digest,
    dismissals_for,
    segment_warnings,
    shared_targets,
    split_dismissed,
)


@dataclass
class Panel:
    """What the panel shows beside one segment."""

    from_lang: str
    to_lang: str
    terms: list[TermLine]
    review: Review

    @property
    def empty(self) -> bool:
        """Return whether there is nothing to show."""
        return not (self.terms or self.review.open or self.review.dismissed)


def page_dismissals(db: Session, seg: Segment, cache: dict[int, list[QaDismissal]]) -> list:
    """Return a segment's dismissals, loading those of the whole page into cache in one query."""
    if seg.id not in cache:
        # The rows of a page are the segments this session has loaded: ask for all at once.
        ids = {obj.id for obj in db.identity_map.values()
               if isinstance(obj, Segment) and obj.document_id == seg.document_id
               and obj.id not in cache}
        cache.update(dismissals_for(db, ids | {seg.id}))
    return cache[seg.id]


def segment_review(db: Session, glossary: Glossary, seg: Segment, doc: Document,
                   providers: Sequence[Provider], cache: dict[int, list[QaDismissal]],
                   context: slips.DocContext | None = None) -> Review:
    """Return a segment's warnings, split into open and dismissed for its current text."""
    # The page's rows share one lookup of the 2:1 groups, kept beside its dismissals.
    key = ("shared", doc.id)
    if key not in cache:
        cache[key] = shared_targets(db, doc)  # type: ignore[index]
    groups = cache[key]  # type: ignore[index]
    warnings = segment_warnings(glossary, seg, doc, providers, context, groups.get(seg.id))
    return split_dismissed(warnings, page_dismissals(db, seg, cache),
                           digest(seg.source, seg.target))


def segment_panel(snap: Snapshot, review: Review, seg: Segment, doc: Document) -> Panel:
    """Return the terms and the QA review of one segment, as the panel shows them."""
    from_lang, to_lang, lines = segment_terms(snap, seg, doc)
    return Panel(from_lang, to_lang, lines, review)
