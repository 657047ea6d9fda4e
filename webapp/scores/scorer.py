"""Keeping scores fresh off the request: the background Scorer, its pacing, and the score job."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import Future

from sqlalchemy import event, select
from sqlalchemy.orm import Session, sessionmaker

from webapp.core.messages import _l
from webapp.core.models import Change, Job, Revision
from webapp.core.states import Action
from webapp.jobs.progress import Progress, write_job
from webapp.scores.store import BATCH, refresh_document, refresh_segments
from webapp.segments.editing import SAVED

log = logging.getLogger(__name__)

# Saved segments are rescored in batches at most this often (seconds): the editor's row asks
# for its score a second after a save, and a batch costs a transaction however many it holds.
FLUSH_INTERVAL = 0.25
# Rescoring runs beside the requests of its web worker and shares its GIL: it works in slices
# of a few milliseconds and takes at most this share of the time, so that under a storm of
# saves a save waits for a slice at most, never for a whole batch (it catches up afterwards).
SCORING_SHARE = 0.2
SCORING_SLICE = 0.002


def score_job(factory: sessionmaker[Session], db: Session, job: Job) -> str:
    """Carry out a stored score job (a queue worker's): refresh its document, say how it went."""
    if job.document_id is None:
        # Jobs of the in-process scorer name no document: the next look at the report
        # starts a fresh one, so there is nothing to redo.
        return "Not retried: scores refresh by themselves when the report is next opened."
    refresh_document(db, job.document_id, Progress(factory, job.id, every=BATCH))
    return f"Scored document {job.document_id}."


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
                          message=_l("Scoring document %(doc)s.", doc=doc_id))
                db.add(job)
                db.commit()
                job_id = job.id
            self.pending[doc_id] = job_id
        if self.submit(job_id, lambda: self._run_document(doc_id, job_id)) is None:
            with self.lock:
                self.pending.pop(doc_id, None)
            write_job(self.factory, job_id, status="failed",
                      message=_l("The background worker has stopped."))
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
                      message=_l("Scoring document %(doc)s.", doc=doc_id))
            db.add(job)
            db.commit()
            job_id = job.id
        self.enqueue(job_id)
        return job_id

    def _run_document(self, doc_id: int, job_id: int) -> None:
        """Refresh a document's scores, recording progress and the outcome on the job."""
        try:
            with self.factory() as db:
                write_job(self.factory, job_id, status="running")
                refresh_document(db, doc_id, Progress(self.factory, job_id, every=BATCH))
            write_job(self.factory, job_id, status="done", message=_l("Scored document %(doc)s.", doc=doc_id))
        except Exception as exc:  # noqa: BLE001 - a failed job must say why, not vanish
            log.exception("scoring document %s failed", doc_id)
            write_job(self.factory, job_id, status="failed",
                      message=f"{type(exc).__name__}: {exc}")
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


def watch_saves(factory: sessionmaker[Session], scorer: Scorer) -> None:
    """Mark for rescoring the segments each commit changed, once it has committed."""
    key = "scores.saved_segments"

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
