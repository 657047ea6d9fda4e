"""Job progress: the one writer every background job records its progress through.

A job's row holds `done` and `total` (what the page's progress bar shows) and `updated_at`,
which is also its heartbeat: a running job that stops moving for JOB_STALE_SECONDS is
offered for a retry. Each write costs a transaction, so `Progress` writes at most every
`every` items or every `interval` seconds (whichever comes first), and always at the end.
It writes in a short transaction of its own, so the page sees progress while the job's own
transaction works; a job that must record progress together with its batch (the TMX import:
its units and its progress become visible at once) calls `record` in that transaction.

Each kind of job also says here how the page names it (`describe`), and which page event
its finishing raises, so one progress fragment and one polling route serve every job.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from webapp.core.messages import Message, _l
from webapp.core.models import Job, utcnow

# Seconds between two progress writes of a job, when fewer than `every` items were done.
INTERVAL = 0.3


def update_job(db: Session, job_id: int, **values) -> None:
    """Set a job's columns and its heartbeat in the caller's transaction."""
    db.execute(update(Job).where(Job.id == job_id).values(updated_at=utcnow(), **values))


def write_job(factory: sessionmaker[Session], job_id: int, **values) -> None:
    """Set a job's columns in a short transaction of its own, so pages see them at once."""
    with factory() as db:
        update_job(db, job_id, **values)
        db.commit()


class Progress:
    """Records a job's progress, throttled: call it with (done, total) as often as you like."""

    def __init__(self, factory: sessionmaker[Session] | None, job_id: int, *,
                 total: int | None = None, every: int | None = None,
                 interval: float = INTERVAL, clock: Callable[[], float] = time.monotonic):
        # `factory` may be None for a job that only ever calls `record`.
        self.factory = factory
        self.job_id = job_id
        self.total = total
        self.every = every
        self.interval = interval
        self.clock = clock
        self.written: tuple[int, int | None] | None = None
        self.since = clock()

    def __call__(self, done: int, total: int | None = None) -> None:
        """Write the progress in a transaction of its own, if it is due."""
        total = self.total if total is None else total
        if self._due(done, total):
            write_job(self.factory, self.job_id, **_columns(done, total))

    def record(self, db: Session, job: Job, done: int, total: int | None = None) -> None:
        """Set the progress in the caller's transaction (which commits it), if it is due."""
        total = self.total if total is None else total
        if self._due(done, total):
            update_job(db, job.id, **_columns(done, total))

    def _due(self, done: int, total: int | None) -> bool:
        """Tell whether to write now; if so, remember it as written."""
        if (done, total) == self.written:
            return False
        last = self.written[0] if self.written else 0
        now = self.clock()
        due = ((total is not None and done >= total)  # always the end
               or (self.every is not None and done - last >= self.every)
               or now - self.since >= self.interval)
        if due:
            self.written, self.since = (done, total), now
        return due


def _columns(done: int, total: int | None) -> dict:
    return {"done": done} if total is None else {"done": done, "total": total}


@dataclass(frozen=True)
class Kind:
    """How the page names a kind of job, and what its finishing changes there.

    The texts are English message ids (pass them as `_l("…")` or `N_("…")`): the page shows
    them in the reader's language.
    """

    name: str  # what it is: "Machine translation", for the progress bar's label
    failed: str  # the outcome when it failed: "MT failed: …"
    running: str = ""  # what runs, if not the name: "Updating the scores 42% (…)"
    counts: bool = True  # whether done/total count things worth showing (not bytes)
    event: str | None = None  # the page event a done job raises beside "job-finished"

    def __post_init__(self):
        # A plain str (N_) becomes a Message, so that showing it translates it.
        for field in ("name", "failed", "running"):
            value = getattr(self, field)
            if value and not isinstance(value, Message):
                object.__setattr__(self, field, Message(value))

    @property
    def label(self) -> str:
        """Return what the page says while the job runs, before its percentage."""
        return self.running or self.name


KINDS: dict[str, Kind] = {
    "pretranslate": Kind(_l("Machine translation"), _l("MT failed"), event="segments-changed"),
}


def describe(kind: str, how: Kind) -> None:
    """Say how the page names a kind of job (features call this from their init_app)."""
    KINDS[kind] = how


def kind_of(job: Job) -> Kind:
    """Return how the page names a job."""
    return KINDS.get(job.kind) or Kind(_l("Job %(kind)s", kind=job.kind),
                                       _l("Job %(kind)s failed", kind=job.kind))


def finished_events(job: Job) -> dict[str, dict]:
    """Return the page events a job raises once it is done: `job-finished` and its kind's."""
    if job.status != "done":
        return {}
    events = {"job-finished": {"id": job.id, "kind": job.kind, "document": job.document_id}}
    event = kind_of(job).event
    if event:
        events[event] = {"job": job.id}
    return events
