"""Background jobs: pre-translation and back-translation run off the request, with progress."""

from __future__ import annotations

import logging
import threading
from concurrent.futures import Future, ThreadPoolExecutor

from flask import Flask
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from . import documents, mt
from .models import Document, Job, utcnow

log = logging.getLogger(__name__)


class JobRunner:
    """Runs jobs on one worker thread so MT never competes with itself for the CPU."""

    def __init__(self, app: Flask):
        self.app = app
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="webapp-job")
        self.futures: dict[int, Future] = {}
        self.lock = threading.Lock()

    def submit(self, job_id: int) -> None:
        """Queue a job that is already stored."""
        future = self.executor.submit(self._run, job_id)
        with self.lock:
            self.futures[job_id] = future

    def wait(self, job_id: int, timeout: float | None = None) -> None:
        """Block until the job has finished (tests and the CLI use this)."""
        with self.lock:
            future = self.futures.get(job_id)
        if future is not None:
            future.result(timeout=timeout)

    def _run(self, job_id: int) -> None:
        """Run one job inside an app context, recording failure on the job row."""
        with self.app.app_context():
            run_job(self.app.extensions["webapp.sessionmaker"], job_id)


def run_job(factory: sessionmaker[Session], job_id: int) -> None:
    """Carry out a stored job to the end, recording progress and the outcome."""
    with factory() as db:
        job = db.get(Job, job_id)
        if job is None or job.finished:
            return
        job.status, job.updated_at = "running", utcnow()
        db.commit()
        try:
            if job.kind == "pretranslate":
                _pretranslate(factory, db, job)
            else:
                raise ValueError(f"Unknown job kind {job.kind!r}.")
        except mt.MissingModelError as exc:
            _finish(db, job, "failed", str(exc))
        except Exception as exc:  # noqa: BLE001 - a failed job must say why, not vanish
            log.exception("job %s failed", job_id)
            db.rollback()
            _finish(db, job, "failed", f"{type(exc).__name__}: {exc}")


def _finish(db: Session, job: Job, status: str, message: str) -> None:
    """Record how a job ended."""
    db.execute(update(Job).where(Job.id == job.id).values(
        status=status, message=message, updated_at=utcnow()
    ))
    db.commit()


def _pretranslate(factory: sessionmaker[Session], db: Session, job: Job) -> None:
    """Translate every segment of a document in batches and store the drafts."""
    doc = db.get(Document, job.document_id)
    if doc is None:
        raise ValueError("The document no longer exists.")
    # Review mode back-translates the imported MT so the translator sees what it says.
    src, tgt = (
        (doc.target_lang, doc.source_lang) if doc.mode == "review"
        else (doc.source_lang, doc.target_lang)
    )
    pairs = documents.file_side_texts(db, doc)
    if doc.mode == "translate":
        # Segments someone already worked on keep their text; a retry skips them.
        done_ids = set(db.scalars(select(documents.Segment.id).where(
            documents.Segment.document_id == doc.id, documents.Segment.state != 0
        )))
        pairs = [(i, t) for i, t in pairs if i not in done_ids]
    job.total, job.done = len(pairs), 0
    db.commit()

    def progress(done: int, total: int) -> None:
        # A separate short transaction, so the page sees progress while the job runs.
        with factory() as pdb:
            pdb.execute(update(Job).where(Job.id == job.id).values(
                done=done, total=total, updated_at=utcnow()
            ))
            pdb.commit()

    outputs = mt.translate_batch([t for _, t in pairs], src, tgt, progress=progress)
    stored = documents.store_machine_translations(
        db, doc, list(zip([i for i, _ in pairs], outputs, strict=True)), author="MT"
    )
    what = "back-translated" if doc.mode == "review" else "pre-translated"
    _finish(db, job, "done", f"{stored} segments {what} ({src}→{tgt}).")


def start_pretranslation(app: Flask, db: Session, doc: Document) -> Job:
    """Store a pre-translation job for a document and start it in the background."""
    job = Job(kind="pretranslate", document_id=doc.id, status="queued")
    db.add(job)
    db.commit()
    app.extensions["webapp.jobs"].submit(job.id)
    return job


def active_job(db: Session, doc_id: int) -> Job | None:
    """Return the document's newest job, if any."""
    return db.scalar(
        select(Job).where(Job.document_id == doc_id).order_by(Job.id.desc()).limit(1)
    )


def init_app(app: Flask) -> None:
    """Give the app its job runner."""
    app.extensions["webapp.jobs"] = JobRunner(app)
