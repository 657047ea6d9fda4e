"""Background jobs: pre-translation and back-translation run off the request, with progress."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor

from flask import Flask, current_app
from sqlalchemy import Select, exists, insert, literal, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased, sessionmaker

from webapp.core import messages
from webapp.core.db import get_sessionmaker
from webapp.core.messages import _l, _ln
from webapp.core.models import Document, Job, Segment, utcnow
from webapp.glossary.protect import MtGuard
from webapp.interchange import exchange as interchange
from webapp.jobs.progress import Progress, update_job
from webapp.mt import engine as mt
from webapp.segments import drafts as segment_drafts

log = logging.getLogger(__name__)

# A job in one of these states is under way: a document has at most one per kind.
ACTIVE = ("queued", "running")

# Job kinds that other features run here: kind → handler(factory, db, job), which works
# (recording progress on the job) and returns the message the finished job shows.
HANDLERS: dict[str, Callable[[sessionmaker[Session], Session, Job], str]] = {}


class JobFailed(Exception):
    """A job that cannot be carried out; its message is shown as the job's outcome."""


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

    def is_pending(self, job_id: int) -> bool:
        """Tell whether this runner holds the job, waiting for its turn."""
        with self.lock:
            future = self.futures.get(job_id)
        return future is not None and not future.done()

    def _run(self, job_id: int) -> None:
        """Run one job inside an app context, recording failure on the job row."""
        with self.app.app_context():
            run_job(self.app.extensions["webapp.sessionmaker"], job_id,
                    chunk=self.app.config["PRETRANSLATE_CHUNK"])


def run_job(factory: sessionmaker[Session], job_id: int, chunk: int = 256) -> None:
    """Carry out a stored job to the end, recording progress and the outcome."""
    with factory() as db:
        # Claiming is one UPDATE, so a job queued twice (a retry racing a slow worker)
        # still runs once.
        claimed = db.execute(
            update(Job).where(Job.id == job_id, Job.status == "queued")
            .values(status="running", updated_at=utcnow())
        ).rowcount
        db.commit()
        if not claimed:
            return
        job = db.get(Job, job_id)
        try:
            if job.kind == "pretranslate":
                _pretranslate(factory, db, job, chunk)
            elif job.kind in HANDLERS:
                _finish(db, job, "done", HANDLERS[job.kind](factory, db, job))
            else:
                raise ValueError(f"Unknown job kind {job.kind!r}.")
        except (mt.MissingModelError, JobFailed) as exc:
            db.rollback()
            _finish(db, job, "failed", messages.of(exc))
        except Exception as exc:  # noqa: BLE001 - a failed job must say why, not vanish
            log.exception("job %s failed", job_id)
            db.rollback()
            _finish(db, job, "failed", f"{type(exc).__name__}: {exc}")


def _finish(db: Session, job: Job, status: str, message: str) -> None:
    """Record how a job ended."""
    update_job(db, job.id, status=status, message=message)
    db.commit()


def _pretranslate(factory: sessionmaker[Session], db: Session, job: Job, chunk: int) -> None:
    """Translate every segment of a document and store the drafts a chunk at a time."""
    doc = db.get(Document, job.document_id)
    if doc is None:
        raise ValueError("The document no longer exists.")
    # Review mode back-translates the imported MT so the translator sees what it says.
    src, tgt = (
        (doc.target_lang, doc.source_lang) if doc.mode == "review"
        else (doc.source_lang, doc.target_lang)
    )
    mt.route(src, tgt)  # a missing model fails the job before any work
    pairs = segment_drafts.file_side_texts(db, doc)
    if doc.mode == "translate":
        # Segments someone already worked on keep their text; a retry skips them too.
        done_ids = set(db.scalars(select(Segment.id).where(
            Segment.document_id == doc.id, Segment.state != 0
        )))
        pairs = [(i, t) for i, t in pairs if i not in done_ids]
    # Units an XLIFF file marks translate="no" stay as the file has them.
    locked = interchange.locked_ids(db, doc.id)
    pairs = [(i, t) for i, t in pairs if i not in locked]
    total = len(pairs)
    job.total, job.done = total, 0
    db.commit()

    # Written in short transactions of its own, so the page sees progress while the job
    # runs; it is also the heartbeat that tells a running job from one whose worker died.
    progress = Progress(factory, job.id, total=total)
    stored = 0
    # Glossary terms cross the engine as placeholders and come back as the glossary has them.
    guard = MtGuard(current_app.extensions["webapp.glossary"].get(db).glossary, src, tgt)
    for start in range(0, total, max(chunk, 1)):
        part = pairs[start:start + chunk]
        outputs = guard.restore(mt.translate_batch(guard.protect([t for _, t in part]), src, tgt,
                                                   progress=_within(progress, start, len(part))))
        drafts = list(zip([i for i, _ in part], outputs, strict=True))
        # Committed per chunk: a worker killed now loses at most this chunk's MT work.
        try:
            stored += segment_drafts.store_machine_translations(db, doc, drafts, author="MT")
        except IntegrityError:
            # A translator saved one of these segments between the read and the write: the
            # unique (segment, version) revision refused our draft and kept their text. The
            # second read sees their save and skips that segment.
            db.rollback()
            stored += segment_drafts.store_machine_translations(db, doc, drafts, author="MT")
    if doc.mode == "review":
        outcome = _ln("%(n)s segment back-translated (%(src)s→%(tgt)s).",
                      "%(n)s segments back-translated (%(src)s→%(tgt)s).", stored, src=src, tgt=tgt)
    else:
        outcome = _ln("%(n)s segment pre-translated (%(src)s→%(tgt)s).",
                      "%(n)s segments pre-translated (%(src)s→%(tgt)s).", stored, src=src, tgt=tgt)
    glossary = guard.summary(flagged=doc.mode == "translate")
    # One message, so a page shows both parts in its reader's language.
    _finish(db, job, "done", _l("%(outcome)s %(glossary)s", outcome=outcome, glossary=glossary)
            if glossary else outcome)


def _within(progress: Callable[[int], None], start: int, size: int) -> Callable[[int, int], None]:
    """Return a progress callback for one chunk that reports on the whole job."""
    # Through English each text is translated twice; `of` counts both passes.
    return lambda done, of: progress(start + (done * size // of if of else size))


def start_pretranslation(app: Flask, db: Session, doc: Document) -> Job:
    """Store a pre-translation job for a document and start it in the background.

    Raise MissingModelError when no installed model translates the document's pair, and
    AlreadyRunning, holding that job, if the document has one queued or running.
    """
    src, tgt = mt.mt_pair(doc)
    if not mt.has_route(src, tgt):
        raise mt.MissingModelError(src, tgt)
    job = store_job_once(db, doc.id, "pretranslate")
    app.extensions["webapp.jobs"].submit(job.id)
    return job


def store_job_once(db: Session, doc_id: int, kind: str) -> Job:
    """Store a queued job of a kind for a document, unless one is queued or running already."""
    while True:
        _lock_document(db, doc_id)
        now = utcnow()
        values = {"kind": kind, "document_id": doc_id, "status": "queued", "done": 0,
                  "total": 0, "message": "", "created_at": now, "updated_at": now}
        # One statement that looks and inserts: SQLite runs one writing statement at a time,
        # so its NOT EXISTS sees every job committed before; PostgreSQL gets here only after
        # the lock above, so it too sees the job of a request that started first.
        stored = db.scalar(insert(Job).from_select(
            list(values),
            select(*(literal(v, type_=Job.__table__.c[k].type) for k, v in values.items()))
            .where(~exists(_active(doc_id, kind))),
        ).returning(Job.id))
        db.commit()
        if stored is not None:
            return db.get(Job, stored)
        busy = db.scalar(_active(doc_id, kind).order_by(Job.id).limit(1))
        if busy is not None:
            raise AlreadyRunning(busy)
        # The job in the way finished between the two statements: this one may start now.


def _active(doc_id: int, kind: str, job: type[Job] = Job) -> Select:
    """Select the queued or running jobs of a kind for a document (`job` may be an alias)."""
    return select(job).where(job.document_id == doc_id, job.kind == kind,
                             job.status.in_(ACTIVE))


def _lock_document(db: Session, doc_id: int) -> None:
    """Hold the document's row until commit, so its jobs are started one request at a time."""
    # FOR UPDATE on PostgreSQL; SQLite has no row locks (SQLAlchemy leaves the clause out)
    # and relies on the single statement in store_job_once.
    db.execute(select(Document.id).where(Document.id == doc_id).with_for_update())


def active_job(db: Session, doc_id: int, kind: str = "pretranslate") -> Job | None:
    """Return the document's newest job of a kind, if any."""
    return db.scalar(
        select(Job).where(Job.document_id == doc_id, Job.kind == kind)
        .order_by(Job.id.desc()).limit(1)
    )


def runnable_kinds() -> list[str]:
    """Return the job kinds run_job carries out, and so may retry."""
    return ["pretranslate", *HANDLERS]


class JobError(ValueError):
    """A request about a job that cannot be carried out, said for a person."""

    error_code = "job_refused"


class AlreadyRunning(JobError):
    """The document already has a job of this kind queued or running: that job."""

    error_code = "job_running"

    def __init__(self, job: Job):
        self.job = job
        status = _l("running") if job.status == "running" else _l("queued")
        if job.total:
            progress = _l("%(done)s of %(total)s segments", done=job.done, total=job.total)
        else:
            progress = _l("starting")
        params = {"status": status, "id": str(job.id), "percent": job.percent,
                  "progress": progress}
        if job.kind == "pretranslate":
            message = _l("Machine translation of this document is already %(status)s (job "
                         "%(id)s, %(percent)s %%: %(progress)s); it was not started a second "
                         "time.", **params)
        else:
            message = _l("A %(kind)s job of this document is already %(status)s (job %(id)s, "
                         "%(percent)s %%: %(progress)s); it was not started a second time.",
                         kind=job.kind, **params)
        super().__init__(message)


def may_retry(job: Job, stale_after: float) -> bool:
    """Tell whether a person should be offered to retry the job: it failed, or stalled."""
    return job.kind in runnable_kinds() and (job.status == "failed"
                                             or is_stale(job, stale_after))


def is_stale(job: Job, stale_after: float) -> bool:
    """Tell whether an unfinished job has shown no progress for `stale_after` seconds."""
    return (not job.finished
            and (utcnow() - job.updated_at).total_seconds() > stale_after)


def retry_job(app: Flask, db: Session, job_id: int, force: bool = False) -> Job:
    """Queue a failed job, or one whose worker died, again; raise JobError if it can't be."""
    # Past the largest INTEGER (as core.http's route converter): no such row, not a crash.
    job = db.get(Job, job_id) if 0 < job_id < 2**31 else None
    if job is None:
        raise JobError(_l("There is no job %(id)s.", id=str(job_id)))
    if job.kind not in runnable_kinds():
        raise JobError(_l("Job %(id)s is a %(kind)s job, which cannot be retried here; start "
                          "it again from its page.", id=str(job_id), kind=repr(job.kind)))
    if job.status == "done":
        raise JobError(_l("Job %(id)s has finished; start a new one to translate again.",
                          id=str(job_id)))
    stale_after = app.config["JOB_STALE_SECONDS"]
    runner = app.extensions["webapp.jobs"]
    if job.status == "queued" and not force and runner.is_pending(job.id):
        raise JobError(_l("Job %(id)s is waiting in the queue for a free worker.",
                          id=str(job_id)))
    if job.status != "failed" and not force and not is_stale(job, stale_after):
        status = _l("running") if job.status == "running" else _l("queued")
        raise JobError(_l(
            "Job %(id)s is %(status)s and moved less than %(seconds)s s ago; its worker may "
            "still be busy. Retry it with --force if you know it died.", id=str(job_id),
            status=status, seconds=stale_after))
    # Only if nobody changed it since we looked, and no other job of its kind is under way
    # for the document: two retries, or a retry and a new start, must not both queue it.
    unchanged = [Job.id == job.id, Job.status == job.status, Job.updated_at == job.updated_at]
    if job.document_id is not None:
        _lock_document(db, job.document_id)
        other = aliased(Job)  # not the row being updated
        unchanged.append(~exists(_active(job.document_id, job.kind, other)
                                 .where(other.id != job.id)))
    moved = db.execute(
        update(Job).where(*unchanged)
        .values(status="queued", message=_l("Queued again."), updated_at=utcnow())
    ).rowcount
    db.commit()
    if not moved:
        busy = None if job.document_id is None else db.scalar(
            _active(job.document_id, job.kind).where(Job.id != job.id).limit(1))
        if busy is not None:
            raise AlreadyRunning(busy)
        raise JobError(_l("Job %(id)s changed meanwhile; look at it again.", id=str(job_id)))
    db.refresh(job)
    runner.submit(job.id)
    return job


def requeue_stale(app: Flask) -> list[int]:
    """Queue again every job whose worker died, or that the queue lost; return their ids."""
    stale_after = app.config["JOB_STALE_SECONDS"]
    requeued = []
    with get_sessionmaker(app)() as db:
        unfinished = select(Job).where(Job.status.in_(("queued", "running")),
                                       Job.kind.in_(runnable_kinds()))
        for job in db.scalars(unfinished).all():
            if is_stale(job, stale_after):
                try:
                    retry_job(app, db, job.id)
                except JobError:
                    continue
                requeued.append(job.id)
    return requeued


