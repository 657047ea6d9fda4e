"""Background jobs on a Redis queue (RQ), run by worker processes that may sit on other machines.

Why RQ rather than Celery: our background work is a handful of long jobs (pre-translating
or back-translating a document, rescoring), each a plain function call on a job row that
already records status and progress. RQ needs nothing but Redis, enqueues a function with
its arguments, and its worker is one process we start with `flask --app wsgi worker`.
Celery would add a broker/result-backend split, a configuration object and a beat process,
and its at-most-once default (ack on receipt) would need `acks_late` tuning to get the
retry behaviour that lives in our own job table anyway. Nothing here needs Celery's
routing, canvases or brokers other than Redis.

What survives a crash is decided by the job table, not by Redis: a job claims its row
(queued -> running) in one UPDATE, writes progress after every batch, and commits its
drafts a chunk at a time. A worker killed mid-job leaves committed chunks and a running
row that stops moving; `flask --app wsgi jobs retry ID` (or a worker starting up) queues
it again, and the retry translates only the segments still untouched.
"""

from __future__ import annotations

import time
import uuid

from flask import Flask, current_app
from redis import Redis
from rq import Queue

from webapp.core.models import Job
from webapp.jobs.runner import JobRunner, run_job

_worker_app: Flask | None = None


class QueueRunner(JobRunner):
    """Sends stored jobs to RQ for worker processes; small tasks still use the thread."""

    def __init__(self, app: Flask):
        # The inherited executor stays for light in-process work (the scorer uses it).
        super().__init__(app)
        self.redis = Redis.from_url(app.config["REDIS_URL"])
        self.queue = Queue(app.config["RQ_QUEUE"], connection=self.redis)

    def submit(self, job_id: int) -> None:
        """Queue a job that is already stored (and marked queued)."""
        self.queue.enqueue(
            f"{__name__}.perform", job_id,  # by name: the worker imports it itself
            # A retried job gets a new RQ id: the old one may still sit in a registry.
            job_id=f"webapp-job-{job_id}-{uuid.uuid4().hex[:8]}",
            description=f"webapp job {job_id}",
            job_timeout=self.app.config.get("JOB_TIMEOUT", 6 * 3600),
            result_ttl=3600,
            failure_ttl=7 * 86400,
        )

    def is_pending(self, job_id: int) -> bool:
        """Tell whether the job waits in Redis for a worker (Redis may have lost it)."""
        return any(job is not None and job.args == (job_id,) for job in self.queue.get_jobs())

    def wait(self, job_id: int, timeout: float | None = None) -> None:
        """Block until a worker has finished the job (the CLI and tests use this)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        factory = self.app.extensions["webapp.sessionmaker"]
        while True:
            with factory() as db:
                job = db.get(Job, job_id)
                if job is None or job.finished:
                    return
            if deadline is not None and time.monotonic() > deadline:
                raise TimeoutError(f"Job {job_id} did not finish within {timeout} s.")
            time.sleep(0.1)


def perform(job_id: int) -> None:
    """Run one stored job: what RQ calls in the worker."""
    app = _app()
    with app.app_context():
        run_job(app.extensions["webapp.sessionmaker"], job_id,
                     chunk=app.config["PRETRANSLATE_CHUNK"])


def _app() -> Flask:
    """Return the worker's app: the one `flask worker` runs in, or one made from the environment."""
    global _worker_app
    try:
        return current_app._get_current_object()
    except RuntimeError:
        # Started as a plain `rq worker`: build the app once per process, from the environment.
        if _worker_app is None:
            from webapp import create_app

            _worker_app = create_app()
        return _worker_app


