"""What a document's scores are computed from: its texts, revisions and fresh stored scores."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from webapp.core.models import Change, Revision, RevisionScore, Segment, SegmentScore
from webapp.core.states import MACHINE_KINDS, Action, State
from webapp.scores import metrics
from webapp.scores.metrics import digest
from webapp.scores.references import Reference, latest_reference


def revision_digest(mt: str, previous: str | None, text: str) -> str:
    """Return the hash of what a revision's scores depend on."""
    return digest(mt, "0" if previous is None else "1" + previous, text)


@dataclass
class RevisionFacts:
    """One revision as the report needs it."""

    id: int
    segment_id: int
    version: int
    text: str
    state: int
    kind: str
    author: str
    created_at: datetime
    seconds: float | None

    @property
    def by_person(self) -> bool:
        """Return whether a person wrote this revision (not import, MT, split or merge)."""
        return self.kind not in MACHINE_KINDS


@dataclass
class SegmentFacts:
    """One segment with its texts, effort and stored scores (fresh ones only)."""

    id: int
    number: int
    state: int
    version: int
    mt: str
    target: str
    words: int
    approved: str | None = None
    revisions: list[RevisionFacts] = field(default_factory=list)
    # (when, new state) of review's state changes, which write no revision.
    state_changes: list[tuple[datetime, int]] = field(default_factory=list)
    score: metrics.SegmentScores | None = None
    approved_score: metrics.SegmentScores | None = None

    # Cached: the report asks often, and only after gather() has attached the revisions.
    @cached_property
    def post_edited(self) -> bool:
        """Return whether a person has saved this MT draft's target or vouched for it as is."""
        # Marking an untouched draft translated or approved is a post-edit of no edits; a
        # draft restored to the machine's text (an MT draft again) is none. Emptying is one.
        return bool(self.mt) and (self.state >= State.TRANSLATED or (
            self.state != State.MT and any(rev.by_person for rev in self.revisions)))

    @property
    def seconds(self) -> float:
        """Return the editing time recorded on this segment's revisions."""
        return sum(rev.seconds or 0.0 for rev in self.revisions)

    @property
    def editors(self) -> list[str]:
        """Return who saved this segment, in order of first save."""
        return list(dict.fromkeys(rev.author for rev in self.revisions if rev.by_person))

    @property
    def digest(self) -> str:
        """Return the hash of the (MT, target) pair its HTER is computed from."""
        return digest(self.mt, self.target)

    @property
    def approved_digest(self) -> str | None:
        """Return the hash of the (MT, approved text) pair, if it has an approved text."""
        return None if self.approved is None else digest(self.mt, self.approved)

    @property
    def needs_score(self) -> bool:
        """Return whether a score this segment should have is missing or stale."""
        # Every draft is scored, untouched ones too: the document figures cover all drafts.
        wants_current = True
        return bool(self.mt) and (
            (wants_current and self.score is None)
            or (self.approved is not None and self.approved_score is None)
        )


@dataclass
class DocumentFacts:
    """Everything the scores of a document are computed from, and what is stored of them."""

    document_id: int
    segments: list[SegmentFacts]
    reference: Reference | None
    revision_scores: dict[int, metrics.RevisionScores]

    @property
    def post_edited(self) -> list[SegmentFacts]:
        """Return the segments whose MT draft a person has post-edited."""
        return [s for s in self.segments if s.post_edited]

    @property
    def approved(self) -> list[SegmentFacts]:
        """Return the segments with an MT draft and an approved text."""
        return [s for s in self.segments if s.mt and s.approved is not None]

    @property
    def with_mt(self) -> int:
        """Return how many segments have an MT draft."""
        return sum(1 for s in self.segments if s.mt)

    def fingerprint(self) -> str:
        """Return the key of the corpus figures: every text they are computed from."""
        # Each block starts with its length, so no text can pass for a block boundary.
        pairs: list[tuple[str, str]] = []
        edited = self.post_edited
        pairs.append(("post-edited", str(len(edited))))
        pairs += [(s.mt, s.target) for s in edited]
        approved = self.approved
        pairs.append(("approved", str(len(approved))))
        pairs += [(s.mt, s.approved or "") for s in approved]
        ref = self.reference
        if ref is not None and ref.aligned:
            pairs.append(("reference", str(len(ref.texts))))
            for seg, text in zip(self.segments, ref.texts, strict=True):
                pairs += [(seg.mt, seg.target), (text, "")]
        return metrics.document_fingerprint(pairs)

    def stale_revisions(self, people_only: bool = True) -> list[tuple[SegmentFacts, int]]:
        """Return (segment, index into its revisions) of revisions without fresh scores."""
        out = []
        for seg in self.segments:
            for index, rev in enumerate(seg.revisions):
                if rev.id in self.revision_scores or (people_only and not rev.by_person):
                    continue
                out.append((seg, index))
        return out


def gather(db: Session, doc_id: int, segment_ids: Iterable[int] | None = None,
           history: bool = True) -> DocumentFacts:
    """Load a document's (or some of its segments') texts, revisions and fresh scores.

    Without history, only what segment scores need: no revision scores, and of the
    revisions only those that may be an approved text."""
    seg_q = select(
        Segment.id, Segment.position, Segment.state, Segment.version, Segment.mt,
        Segment.target, Segment.words,
    ).where(Segment.document_id == doc_id).order_by(Segment.position)
    ids = None if segment_ids is None else sorted(set(segment_ids))
    if ids is not None:
        seg_q = seg_q.where(Segment.id.in_(ids))
    segments = [
        SegmentFacts(id=i, number=pos + 1, state=st, version=ver, mt=mt or "",
                     target=tgt or "", words=words or 0)
        for i, pos, st, ver, mt, tgt, words in db.execute(seg_q)
    ]
    by_id = {s.id: s for s in segments}

    def scoped(stmt, column):
        """Narrow a statement to the document, or to the chosen segments."""
        if ids is not None:
            return stmt.where(column.in_(ids))
        return stmt.join(Segment, Segment.id == column).where(Segment.document_id == doc_id)

    approved_version = _attach_state_changes(db, segments, scoped)
    rev_q = scoped(select(
        Revision.id, Revision.segment_id, Revision.version, Revision.text, Revision.state,
        Revision.kind, Revision.author, Revision.created_at, Revision.seconds,
    ), Revision.segment_id).order_by(Revision.segment_id, Revision.version)
    if not history:
        # A segment's history grows with every save; an approved text is a revision saved
        # as approved, or the one a review approval names.
        rev_q = rev_q.where(or_(Revision.state == int(State.APPROVED),
                                Revision.segment_id.in_(sorted(approved_version))))
    for row in db.execute(rev_q):
        seg = by_id.get(row.segment_id)
        if seg is not None:
            seg.revisions.append(RevisionFacts(*row))

    _attach_approved(segments, approved_version)
    _attach_segment_scores(db, segments, scoped)
    revision_scores = _fresh_revision_scores(db, segments, scoped) if history else {}
    reference = (latest_reference(db, doc_id, [s.id for s in segments])
                 if ids is None else None)
    return DocumentFacts(doc_id, segments, reference, revision_scores)


def _attach_state_changes(db: Session, segments: list[SegmentFacts], scoped) -> dict[int, int]:
    """Attach review's state changes; return the version each segment's last approval names."""
    by_id = {s.id: s for s in segments}
    approved_version: dict[int, int] = {}
    # Review approves by a state change that names the version; a save may also approve.
    changes = scoped(select(Change.segment_id, Change.created_at, Change.details_json).where(
        Change.action == int(Action.STATE)), Change.segment_id).order_by(Change.id)
    for seg_id, created_at, details_json in db.execute(changes):
        details = json.loads(details_json or "{}")
        try:
            after = State.from_slug(str(details.get("after")))
        except ValueError:
            continue
        if seg_id in by_id:
            by_id[seg_id].state_changes.append((created_at, int(after)))
        if after == State.APPROVED and isinstance(details.get("version"), int):
            approved_version[seg_id] = details["version"]
    return approved_version


def _attach_approved(segments: list[SegmentFacts], approved_version: dict[int, int]) -> None:
    """Attach each segment's last approved text, from its state or its revisions."""
    for seg in segments:
        if seg.state == State.APPROVED:
            seg.approved = seg.target
            continue
        texts = {rev.version: rev.text for rev in seg.revisions}
        version = approved_version.get(seg.id)
        for rev in seg.revisions:
            if rev.state == State.APPROVED and (version is None or rev.version > version):
                version = rev.version
        if version is not None and version in texts:
            seg.approved = texts[version]


def _attach_segment_scores(db: Session, segments: list[SegmentFacts], scoped) -> None:
    """Attach the stored segment scores that still match the texts."""
    by_id = {s.id: s for s in segments}
    # Plain rows, not ORM objects: building 10,000 instances costs more than the query.
    columns = select(*SegmentScore.__table__.columns)
    for row in db.execute(scoped(columns, SegmentScore.segment_id)):
        seg = by_id.get(row.segment_id)
        if seg is None:
            continue
        if row.digest == seg.digest:
            seg.score = metrics.SegmentScores(row.bleu, row.chrf, row.ter)
        if (row.approved_digest is not None and row.approved_digest == seg.approved_digest
                and row.approved_bleu is not None):
            seg.approved_score = metrics.SegmentScores(
                row.approved_bleu, row.approved_chrf, row.approved_ter)


def _fresh_revision_scores(db: Session, segments: list[SegmentFacts], scoped):
    """Return the stored revision scores that still match their texts, by revision id."""
    expected = {}
    for seg in segments:
        previous = None
        for rev in seg.revisions:
            expected[rev.id] = revision_digest(seg.mt, previous, rev.text)
            previous = rev.text
    stmt = scoped(select(*RevisionScore.__table__.columns)
                  .join(Revision, Revision.id == RevisionScore.revision_id), Revision.segment_id)
    out = {}
    for row in db.execute(stmt):
        if expected.get(row.revision_id) == row.digest:
            out[row.revision_id] = metrics.RevisionScores(
                against_previous=metrics.SegmentScores(row.prev_bleu, row.prev_chrf,
                                                       row.prev_ter),
                against_mt=metrics.SegmentScores(row.mt_bleu, row.mt_chrf, row.mt_ter),
            )
    return out
