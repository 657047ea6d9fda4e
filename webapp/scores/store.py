"""Stored scores: computing the missing or stale ones of segments, revisions and documents."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from webapp.core.models import (
    DocumentScore,
    Revision,
    RevisionScore,
    Segment,
    SegmentScore,
    utcnow,
)
from webapp.scores import metrics
from webapp.scores.facts import DocumentFacts, SegmentFacts, gather, revision_digest
from webapp.scores.metrics import digest

# Scores are written in batches so that progress shows and no transaction grows huge.
BATCH = 500
# Called with how many segment-scorings a step has just done.
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
            seg.score = metrics.score_segment(seg.mt, seg.target)
            if seg.approved is not None:
                seg.approved_score = (seg.score if seg.approved == seg.target
                                      else metrics.score_segment(seg.mt, seg.approved))
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

    def pair(hypothesis: str, reference: str) -> metrics.SegmentScores:
        if (hypothesis, reference) not in memo:
            memo[hypothesis, reference] = metrics.score_segment(hypothesis, reference)
        return memo[hypothesis, reference]

    for start in range(0, len(todo), BATCH):
        rows = []
        for seg, index in todo[start:start + BATCH]:
            rev = seg.revisions[index]
            previous = seg.revisions[index - 1].text if index else None
            # score_revision's convention, pair by pair: the older text is the hypothesis,
            # and the first revision is compared with the MT draft.
            result = metrics.RevisionScores(
                against_previous=pair(seg.mt if previous is None else previous, rev.text),
                against_mt=pair(seg.mt, rev.text),
            )
            facts.revision_scores[rev.id] = result
            rows.append(dict(
                revision_id=rev.id, digest=revision_digest(seg.mt, previous, rev.text),
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


def _corpus(scores: metrics.CorpusScores) -> dict:
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
        figures["all_drafts"] = _corpus(metrics.score_corpus(
            [s.mt for s in drafts], [s.target for s in drafts]))
    if progress:
        progress(len(drafts))
    if edited:
        figures["post_edited"] = _corpus(metrics.score_corpus(
            [s.mt for s in edited], [s.target for s in edited]))
    if progress:
        progress(len(edited))
    if approved:
        figures["approved"] = _corpus(metrics.score_corpus(
            [s.mt for s in approved], [s.approved or "" for s in approved]))
    if progress:
        progress(len(approved))
    ref = facts.reference
    if ref is not None and ref.aligned and facts.segments:
        both = metrics.score_against_reference(
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
                    revisions: Sequence[Revision]) -> dict[int, metrics.RevisionScores]:
    """Return each revision's scores, from the store or computed now for one segment's few."""
    facts = gather(db, seg.document_id, [seg.id])
    out = dict(facts.revision_scores)
    for seg_facts, index in facts.stale_revisions(people_only=False):
        rev = seg_facts.revisions[index]
        previous = seg_facts.revisions[index - 1].text if index else None
        out[rev.id] = metrics.score_revision(rev.text, previous, seg_facts.mt)
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
