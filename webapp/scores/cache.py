"""Stored scores per segment, revision and document, kept fresh off the request (no Flask)."""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property

from sqlalchemy import delete, event, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from webapp.core.models import (
    Change,
    DocumentScore,
    Job,
    ReferenceText,
    Revision,
    RevisionScore,
    Segment,
    SegmentScore,
    utcnow,
)
from webapp.core.states import MACHINE_KINDS, Action, State
from webapp.documents.domain import SAVED
from webapp.scores import metrics as scoring

log = logging.getLogger(__name__)

# Revisions a machine or a structural change wrote; every other kind is a person's pass.
# Scores are written in batches so that progress shows and no transaction grows huge.
BATCH = 500
# A progress chart draws a dot per point; a long document's history is thinned to this many.
MAX_PROGRESS_POINTS = 120
# Saved segments are rescored in batches at most this often (seconds): the editor's row asks
# for its score a second after a save, and a batch costs a transaction however many it holds.
FLUSH_INTERVAL = 0.25
# Rescoring runs beside the requests of its web worker and shares its GIL: it works in slices
# of a few milliseconds and takes at most this share of the time, so that under a storm of
# saves a save waits for a slice at most, never for a whole batch (it catches up afterwards).
SCORING_SHARE = 0.2
SCORING_SLICE = 0.002


def digest(*texts: str) -> str:
    """Return a hash of texts that tells ("ab", "c") from ("a", "bc")."""
    h = hashlib.sha256()
    for text in texts:
        data = text.encode("utf-8")
        h.update(b"%d:" % len(data))
        h.update(data)
    return h.hexdigest()


def _revision_digest(mt: str, previous: str | None, text: str) -> str:
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
    score: scoring.SegmentScores | None = None
    approved_score: scoring.SegmentScores | None = None

    # Cached: the report asks often, and only after gather() has attached the revisions.
    @cached_property
    def post_edited(self) -> bool:
        """Return whether a person has saved this MT draft's target or vouched for it as is."""
        # Marking an untouched draft translated or approved is a post-edit of no edits.
        return bool(self.mt) and (self.state >= State.TRANSLATED
                                  or any(rev.by_person for rev in self.revisions))

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
class Reference:
    """The newest uploaded reference of a document and whether it still lines up."""

    id: int
    name: str
    texts: list[str]
    uploaded_by: str
    uploaded_at: datetime
    aligned: bool


@dataclass
class DocumentFacts:
    """Everything the scores of a document are computed from, and what is stored of them."""

    document_id: int
    segments: list[SegmentFacts]
    reference: Reference | None
    revision_scores: dict[int, scoring.RevisionScores]

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
        return scoring.document_fingerprint(pairs)

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
    reference = latest_reference(db, doc_id, segments) if ids is None else None
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
            seg.score = scoring.SegmentScores(row.bleu, row.chrf, row.ter)
        if (row.approved_digest is not None and row.approved_digest == seg.approved_digest
                and row.approved_bleu is not None):
            seg.approved_score = scoring.SegmentScores(
                row.approved_bleu, row.approved_chrf, row.approved_ter)


def _fresh_revision_scores(db: Session, segments: list[SegmentFacts], scoped):
    """Return the stored revision scores that still match their texts, by revision id."""
    expected = {}
    for seg in segments:
        previous = None
        for rev in seg.revisions:
            expected[rev.id] = _revision_digest(seg.mt, previous, rev.text)
            previous = rev.text
    stmt = scoped(select(*RevisionScore.__table__.columns)
                  .join(Revision, Revision.id == RevisionScore.revision_id), Revision.segment_id)
    out = {}
    for row in db.execute(stmt):
        if expected.get(row.revision_id) == row.digest:
            out[row.revision_id] = scoring.RevisionScores(
                against_previous=scoring.SegmentScores(row.prev_bleu, row.prev_chrf,
                                                       row.prev_ter),
                against_mt=scoring.SegmentScores(row.mt_bleu, row.mt_chrf, row.mt_ter),
            )
    return out


def latest_reference(db: Session, doc_id: int,
                     segments: Sequence[SegmentFacts] | None = None) -> Reference | None:
    """Return the newest reference of a document, saying whether it lines up with it still."""
    row = db.scalar(select(ReferenceText).where(ReferenceText.document_id == doc_id)
                    .order_by(ReferenceText.id.desc()).limit(1))
    if row is None:
        return None
    current = segment_ids(db, doc_id) if segments is None else [s.id for s in segments]
    return Reference(row.id, row.name, json.loads(row.texts_json), row.uploaded_by,
                     row.uploaded_at, aligned=json.loads(row.segment_ids_json) == current)


def segment_ids(db: Session, doc_id: int) -> list[int]:
    """Return the ids of a document's segments in order."""
    return list(db.scalars(select(Segment.id).where(Segment.document_id == doc_id)
                           .order_by(Segment.position)))


def store_reference_lines(db: Session, doc_id: int, name: str, lines: Sequence[str],
                          author: str, ids: Sequence[int] | None = None) -> Reference:
    """Store reference segments aligned with the document's, or raise ReferenceMismatchError."""
    if ids is None:
        ids = segment_ids(db, doc_id)
    if len(lines) != len(ids):
        raise scoring.ReferenceMismatchError(found=len(lines), expected=len(ids))
    # References are kept, never replaced: the newest is used, the older ones stay on record.
    row = ReferenceText(document_id=doc_id, name=name[:255], uploaded_by=author,
                        segment_ids_json=json.dumps(list(ids)),
                        texts_json=json.dumps(list(lines), ensure_ascii=False))
    db.add(row)
    db.commit()
    return Reference(row.id, row.name, list(lines), author, row.uploaded_at, aligned=True)


# --- Computing and storing -------------------------------------------------------------

Progress = Callable[[int], None]


def score_segments(db: Session, segments: Sequence[SegmentFacts],
                   progress: Progress | None = None,
                   pace: Callable[[], None] | None = None) -> int:
    """Score the segments whose scores are missing or stale, store them, and return how many."""
    todo = [s for s in segments if s.needs_score]
    for start in range(0, len(todo), BATCH):
        batch = todo[start:start + BATCH]
        rows = []
        for seg in batch:
            if pace:
                pace()
            seg.score = scoring.score_segment(seg.mt, seg.target)
            if seg.approved is not None:
                seg.approved_score = (seg.score if seg.approved == seg.target
                                      else scoring.score_segment(seg.mt, seg.approved))
            rows.append(dict(
                segment_id=seg.id, digest=seg.digest, version=seg.version,
                bleu=seg.score.bleu, chrf=seg.score.chrf, ter=seg.score.ter,
                approved_digest=seg.approved_digest,
                approved_bleu=seg.approved_score.bleu if seg.approved_score else None,
                approved_chrf=seg.approved_score.chrf if seg.approved_score else None,
                approved_ter=seg.approved_score.ter if seg.approved_score else None,
                computed_at=utcnow(),
            ))
        _replace(db, SegmentScore, SegmentScore.segment_id, rows, "segment_id")
        if progress:
            progress(len(batch))
    return len(todo)


def score_revisions(db: Session, facts: DocumentFacts, people_only: bool = True,
                    progress: Progress | None = None) -> int:
    """Score revisions against the one before and the MT draft, store them, return how many."""
    todo = facts.stale_revisions(people_only)
    # Most pairs were scored already: a single edit's text is the segment's target, and a
    # first edit's previous text is the MT draft itself.
    memo = {(s.mt, s.target): s.score for s in facts.segments if s.score is not None}

    def pair(hypothesis: str, reference: str) -> scoring.SegmentScores:
        if (hypothesis, reference) not in memo:
            memo[hypothesis, reference] = scoring.score_segment(hypothesis, reference)
        return memo[hypothesis, reference]

    for start in range(0, len(todo), BATCH):
        rows = []
        for seg, index in todo[start:start + BATCH]:
            rev = seg.revisions[index]
            previous = seg.revisions[index - 1].text if index else None
            # score_revision's convention, pair by pair: the older text is the hypothesis,
            # and the first revision is compared with the MT draft.
            result = scoring.RevisionScores(
                against_previous=pair(seg.mt if previous is None else previous, rev.text),
                against_mt=pair(seg.mt, rev.text),
            )
            facts.revision_scores[rev.id] = result
            rows.append(dict(
                revision_id=rev.id, digest=_revision_digest(seg.mt, previous, rev.text),
                prev_bleu=result.against_previous.bleu, prev_chrf=result.against_previous.chrf,
                prev_ter=result.against_previous.ter, mt_bleu=result.against_mt.bleu,
                mt_chrf=result.against_mt.chrf, mt_ter=result.against_mt.ter,
            ))
        _replace(db, RevisionScore, RevisionScore.revision_id, rows, "revision_id")
        if progress:
            progress(len(rows))
    return len(todo)


def _replace(db: Session, model, key_column, rows: list[dict], key: str) -> None:
    """Store derived rows, replacing any older ones with the same key, and commit."""
    if not rows:
        return
    for attempt in (1, 2):
        try:
            db.execute(delete(model).where(key_column.in_([r[key] for r in rows])))
            db.execute(model.__table__.insert(), rows)
            db.commit()
            return
        except IntegrityError:
            # Another process stored the same rows meanwhile; theirs are replaced on retry.
            db.rollback()
            if attempt == 2:
                raise


def _corpus(scores: scoring.CorpusScores) -> dict:
    """Return corpus scores as stored and served."""
    return {"bleu": scores.bleu, "chrf": scores.chrf, "ter": scores.ter,
            "signature": dict(scores.signature), "segments": scores.n_segments}


def corpus_figures(facts: DocumentFacts, progress: Progress | None = None) -> dict:
    """Compute a document's corpus figures: MT against post-edits, approvals and a reference."""
    edited, approved = facts.post_edited, facts.approved
    drafts = [s for s in facts.segments if s.mt]
    figures: dict = {
        "segments": len(facts.segments),
        "with_mt": facts.with_mt,
        "all_drafts": None,
        "post_edited": None,
        "approved": None,
        "reference": None,
    }
    # The document figure: every MT draft against the current target.
    if drafts:
        figures["all_drafts"] = _corpus(scoring.score_corpus(
            [s.mt for s in drafts], [s.target for s in drafts]))
    if progress:
        progress(len(drafts))
    if edited:
        figures["post_edited"] = _corpus(scoring.score_corpus(
            [s.mt for s in edited], [s.target for s in edited]))
    if progress:
        progress(len(edited))
    if approved:
        figures["approved"] = _corpus(scoring.score_corpus(
            [s.mt for s in approved], [s.approved or "" for s in approved]))
    if progress:
        progress(len(approved))
    ref = facts.reference
    if ref is not None and ref.aligned and facts.segments:
        both = scoring.score_against_reference(
            [s.mt for s in facts.segments], [s.target for s in facts.segments], ref.texts)
        figures["reference"] = {"name": ref.name, "mt": _corpus(both["mt"]),
                                "post_edited": _corpus(both["post_edited"])}
        if progress:
            progress(2 * len(facts.segments))
    return figures


def corpus_work(facts: DocumentFacts) -> int:
    """Return how many segment-scorings the corpus figures take, for a progress bar."""
    ref = facts.reference
    ref_work = 2 * len(facts.segments) if ref is not None and ref.aligned else 0
    drafts = sum(1 for s in facts.segments if s.mt)
    return drafts + len(facts.post_edited) + len(facts.approved) + ref_work


@dataclass
class Cached:
    """A document's stored corpus figures and whether they match its texts now."""

    figures: dict
    fresh: bool
    computed_at: datetime
    seconds: float


def cached_figures(db: Session, doc_id: int, fingerprint: str) -> Cached | None:
    """Return the stored corpus figures of a document, fresh or not, or None."""
    row = db.get(DocumentScore, doc_id)
    if row is None:
        return None
    return Cached(json.loads(row.figures_json), row.fingerprint == fingerprint,
                  row.computed_at, row.seconds)


def store_figures(db: Session, doc_id: int, fingerprint: str, figures: dict,
                  seconds: float) -> None:
    """Store a document's corpus figures under the fingerprint of the texts scored."""
    db.execute(delete(DocumentScore).where(DocumentScore.document_id == doc_id))
    db.add(DocumentScore(document_id=doc_id, fingerprint=fingerprint,
                         figures_json=json.dumps(figures), computed_at=utcnow(),
                         seconds=seconds))
    db.commit()


def refresh_document(db: Session, doc_id: int,
                     progress: Callable[[int, int], None] | None = None) -> dict:
    """Bring every stored score of a document up to date and return its corpus figures."""
    started = time.perf_counter()
    facts = gather(db, doc_id)
    fingerprint = facts.fingerprint()
    stale_segments = [s for s in facts.segments if s.needs_score]
    stale_revisions = facts.stale_revisions()
    total = len(stale_segments) + len(stale_revisions) + corpus_work(facts)
    done = 0

    def step(n: int) -> None:
        nonlocal done
        done += n
        if progress:
            progress(done, total)

    score_segments(db, stale_segments, step)
    score_revisions(db, facts, progress=step)
    figures = corpus_figures(facts, step)
    store_figures(db, doc_id, fingerprint, figures, time.perf_counter() - started)
    return figures


def refresh_segments(db: Session, segment_ids: Iterable[int],
                     pace: Callable[[], None] | None = None) -> int:
    """Bring the stored scores of some segments up to date; return how many were scored."""
    # Only segments with an MT draft have a score; revisions are scored when read (the
    # report's refresh, the history), so a storm of saves scores each segment once.
    ids = sorted(set(segment_ids))
    doc_ids = set(db.scalars(select(Segment.document_id).distinct()
                             .where(Segment.id.in_(ids), Segment.mt != "")))
    scored = 0
    for doc_id in sorted(doc_ids):
        facts = gather(db, doc_id, ids, history=False)
        scored += score_segments(db, facts.segments, pace=pace)
    return scored


def revision_scores(db: Session, seg: Segment,
                    revisions: Sequence[Revision]) -> dict[int, scoring.RevisionScores]:
    """Return each revision's scores, from the store or computed now for one segment's few."""
    facts = gather(db, seg.document_id, [seg.id])
    out = dict(facts.revision_scores)
    for seg_facts, index in facts.stale_revisions(people_only=False):
        rev = seg_facts.revisions[index]
        previous = seg_facts.revisions[index - 1].text if index else None
        out[rev.id] = scoring.score_revision(rev.text, previous, seg_facts.mt)
    return {rev.id: out[rev.id] for rev in revisions if rev.id in out}


@dataclass(frozen=True)
class StoredScore:
    """A segment's stored HTER line: what the editor's rows show."""

    digest: str
    bleu: float
    chrf: float
    ter: float


def stored_scores(db: Session, doc_id: int, first_position: int,
                  window: int) -> dict[int, StoredScore]:
    """Return the stored scores of a run of segments, by segment id, in one query."""
    rows = db.execute(
        select(SegmentScore.segment_id, SegmentScore.digest, SegmentScore.bleu,
               SegmentScore.chrf, SegmentScore.ter)
        .join(Segment, Segment.id == SegmentScore.segment_id)
        .where(Segment.document_id == doc_id, Segment.position >= first_position,
               Segment.position < first_position + window)
    )
    return {seg_id: StoredScore(*rest) for seg_id, *rest in rows}


def is_fresh(stored: StoredScore | None, mt: str, target: str) -> bool:
    """Return whether stored scores were computed from these very texts."""
    return stored is not None and bool(mt) and stored.digest == digest(mt, target)


# --- Who did what, and when ------------------------------------------------------------


def person_figures(facts: DocumentFacts) -> list[dict]:
    """Return segments, words, seconds and average HTER per person, from their revisions."""
    rows = []
    for seg in facts.segments:
        last_by: dict[str, RevisionFacts] = {}
        seconds: dict[str, float] = {}
        for rev in seg.revisions:
            if not rev.by_person:
                continue
            last_by[rev.author] = rev
            seconds[rev.author] = seconds.get(rev.author, 0.0) + (rev.seconds or 0.0)
        for author, rev in last_by.items():
            scores = facts.revision_scores.get(rev.id)
            hter = scores.against_mt.ter if scores is not None and seg.mt else None
            rows.append((author, seg.words, seconds[author], hter))
    return scoring.person_summary(rows)


def progress_points(facts: DocumentFacts) -> list[tuple[datetime, int]]:
    """Return (time, segments translated or approved) after each save or review, thinned out."""
    events = sorted(
        [(rev.created_at, seg.id, rev.state) for seg in facts.segments for rev in seg.revisions]
        + [(moment, seg.id, state) for seg in facts.segments
           for moment, state in seg.state_changes],
        key=lambda event: event[0],
    )
    done: set[int] = set()
    points: list[tuple[datetime, int]] = []
    for moment, seg_id, state in events:
        if state >= State.TRANSLATED:
            done.add(seg_id)
        else:
            done.discard(seg_id)
        points.append((moment, len(done)))
    if len(points) <= MAX_PROGRESS_POINTS:
        return points
    # Keep the last count in each slice of time: the line's shape survives, the dots don't pile.
    start, end = points[0][0], points[-1][0]
    span = (end - start).total_seconds() or 1.0
    kept: dict[int, tuple[datetime, int]] = {}
    for moment, count in points:
        bucket = min(int((moment - start).total_seconds() / span * (MAX_PROGRESS_POINTS - 1)),
                     MAX_PROGRESS_POINTS - 2)
        kept[bucket] = (moment, count)
    return [points[0], *kept.values()]


# --- Running off the request -----------------------------------------------------------


def score_job(factory: sessionmaker[Session], db: Session, job: Job) -> str:
    """Carry out a stored score job (a queue worker's): refresh its document, say how it went."""
    if job.document_id is None:
        # Jobs of the in-process scorer name no document: the next look at the report
        # starts a fresh one, so there is nothing to redo.
        return "Not retried: scores refresh by themselves when the report is next opened."
    refresh_document(db, job.document_id, job_progress(factory, job.id))
    return f"Scored document {job.document_id}."


def set_job(factory: sessionmaker[Session], job_id: int, **values) -> None:
    """Update a job row in a short transaction of its own, so pages see it at once."""
    with factory() as db:
        db.execute(update(Job).where(Job.id == job_id).values(updated_at=utcnow(), **values))
        db.commit()


def job_progress(factory: sessionmaker[Session], job_id: int) -> Callable[[int, int], None]:
    """Return a refresh_document progress callback that records it on the job."""
    seen = [0]

    def progress(done: int, total: int) -> None:
        # Not every batch: a progress write costs a transaction of its own.
        if done == total or done - seen[0] >= BATCH:
            seen[0] = done
            set_job(factory, job_id, done=done, total=total)

    return progress


class Pacer:
    """Keeps background work to a share of the time: after each slice of work it rests."""

    def __init__(self, share: float, slice_seconds: float):
        self.rest = 1 / share - 1
        self.slice = slice_seconds
        self.since = time.monotonic()

    def __call__(self) -> None:
        worked = time.monotonic() - self.since
        if worked >= self.slice:
            # Resting lets go of the GIL: the worker's requests run instead of waiting.
            time.sleep(worked * self.rest)
            self.since = time.monotonic()


class Scorer:
    """Refreshes scores on the app's background worker: one document job at a time each."""

    def __init__(self, factory: sessionmaker[Session],
                 submit: Callable[[int | None, Callable[[], None]], Future | None],
                 interval: float = FLUSH_INTERVAL,
                 enqueue: Callable[[int], None] | None = None):
        self.factory = factory
        self.submit = submit
        self.interval = interval
        # With a job queue, a document's rescoring is a stored job that any worker runs
        # (score_job); without one it runs on this process's background worker.
        self.enqueue = enqueue
        self.lock = threading.Lock()
        self.pending: dict[int, int] = {}
        # Segments saved since the last rescoring, and whether a task to rescore them waits.
        self.dirty: set[int] = set()
        self.flush_queued = False
        self.last_flush = 0.0

    def refresh_document(self, doc_id: int) -> int:
        """Start (or join) the background refresh of a document's scores; return its job id."""
        if self.enqueue is not None:
            return self._queue_document(doc_id)
        with self.lock:
            if doc_id in self.pending:
                return self.pending[doc_id]
            with self.factory() as db:
                # No document_id: the editor shows its document's newest job as MT progress.
                job = Job(kind="score", status="queued",
                          message=f"Scoring document {doc_id}.")
                db.add(job)
                db.commit()
                job_id = job.id
            self.pending[doc_id] = job_id
        if self.submit(job_id, lambda: self._run_document(doc_id, job_id)) is None:
            with self.lock:
                self.pending.pop(doc_id, None)
            self._set_job(job_id, status="failed", message="The background worker has stopped.")
        return job_id

    def refresh_segments(self, segment_ids: Iterable[int]) -> None:
        """Mark segments whose texts changed; one queued task rescores all marked so far."""
        with self.lock:
            self.dirty.update(segment_ids)
            if self.flush_queued:
                return  # the queued task has not taken the marks yet: it will take these
            self.flush_queued = True
        if self.submit(None, self._flush) is None:
            with self.lock:
                self.flush_queued = False  # shut down: the report rescores when read

    def _queue_document(self, doc_id: int) -> int:
        """Store a score job for the queue's workers, unless one is waiting or running."""
        with self.factory() as db:
            waiting = db.scalar(select(Job.id).where(
                Job.kind == "score", Job.document_id == doc_id,
                Job.status.in_(("queued", "running"))).order_by(Job.id.desc()).limit(1))
            if waiting is not None:
                return waiting
            job = Job(kind="score", document_id=doc_id, status="queued",
                      message=f"Scoring document {doc_id}.")
            db.add(job)
            db.commit()
            job_id = job.id
        self.enqueue(job_id)
        return job_id

    def _run_document(self, doc_id: int, job_id: int) -> None:
        """Refresh a document's scores, recording progress and the outcome on the job."""
        try:
            with self.factory() as db:
                self._set_job(job_id, status="running")
                refresh_document(db, doc_id, job_progress(self.factory, job_id))
            self._set_job(job_id, status="done", message=f"Scored document {doc_id}.")
        except Exception as exc:  # noqa: BLE001 - a failed job must say why, not vanish
            log.exception("scoring document %s failed", doc_id)
            self._set_job(job_id, status="failed", message=f"{type(exc).__name__}: {exc}")
        finally:
            with self.lock:
                self.pending.pop(doc_id, None)

    def _flush(self) -> None:
        """Rescore the marked segments in one batch; a failure is logged, a read rescores."""
        # Under a storm of saves, wait a little so that one batch takes many saves (and a
        # segment saved again and again is scored once), rather than one batch per save.
        wait = self.last_flush + self.interval - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        with self.lock:
            ids, self.dirty = self.dirty, set()
            self.flush_queued = False
        try:
            with self.factory() as db:
                refresh_segments(db, ids, Pacer(SCORING_SHARE, SCORING_SLICE))
        except Exception:  # noqa: BLE001 - a background refresh must not kill the worker
            log.exception("scoring segments %s failed", sorted(ids)[:10])
        finally:
            self.last_flush = time.monotonic()

    def _set_job(self, job_id: int, **values) -> None:
        """Update a job row in a short transaction of its own, so pages see it at once."""
        set_job(self.factory, job_id, **values)


def watch_saves(factory: sessionmaker[Session], scorer: Scorer) -> None:
    """Mark for rescoring the segments each commit changed, once it has committed."""
    key = "scorecache.segments"

    @event.listens_for(factory, "after_flush")
    def _collect(session: Session, _context) -> None:
        for obj in session.new:
            # A new revision changes a text; an approval (a state change) adds an approved one.
            if (isinstance(obj, Revision) or (
                    isinstance(obj, Change) and obj.action == int(Action.STATE)
            )) and obj.segment_id is not None:
                session.info.setdefault(key, set()).add(obj.segment_id)

    @event.listens_for(factory, "before_commit")
    def _collect_saves(session: Session) -> None:
        saved = session.info.get(SAVED)
        if saved:
            session.info.setdefault(key, set()).update(saved)

    @event.listens_for(factory, "after_commit")
    def _queue(session: Session) -> None:
        ids = session.info.pop(key, None)
        if ids:
            scorer.refresh_segments(ids)

    @event.listens_for(factory, "after_soft_rollback")
    def _forget(session: Session, _previous) -> None:
        session.info.pop(key, None)
