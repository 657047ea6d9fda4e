"""The one job-progress writer: throttled, always at the end, alone or in the caller's transaction."""

from __future__ import annotations

import json

from webapp.core.db import get_sessionmaker
from webapp.core.models import Job
from webapp.jobs.progress import Progress


def stored_job(factory, kind: str = "pretranslate") -> int:
    with factory() as db:
        job = Job(kind=kind, status="running")
        db.add(job)
        db.commit()
        return job.id


def progress_of(factory, job_id: int) -> tuple[int, int]:
    with factory() as db:
        job = db.get(Job, job_id)
        return job.done, job.total


def test_progress_is_written_every_n_items_or_after_a_while_and_always_at_the_end(app):
    factory = get_sessionmaker(app)
    job_id = stored_job(factory)
    now = [0.0]
    writes = []
    progress = Progress(factory, job_id, total=100, every=30, interval=0.3,
                        clock=lambda: now[0])
    for done in range(1, 100):
        progress(done)
        written = progress_of(factory, job_id)
        if not writes or writes[-1] != written:
            writes.append(written)
    assert writes == [(0, 0), (30, 100), (60, 100), (90, 100)]  # not once an item
    now[0] = 0.31  # a while without N items: written anyway (the heartbeat)
    progress(95)
    assert progress_of(factory, job_id) == (95, 100)
    progress(100)  # the end, however soon
    assert progress_of(factory, job_id) == (100, 100)


def test_record_sets_progress_in_the_callers_transaction(app):
    factory = get_sessionmaker(app)
    job_id = stored_job(factory, "tm_import")
    progress = Progress(None, job_id, interval=0)
    with factory() as db:
        job = db.get(Job, job_id)
        progress.record(db, job, 40, 80)
        assert progress_of(factory, job_id) == (0, 0)  # not before the caller commits
        db.commit()
    assert progress_of(factory, job_id) == (40, 80)


def test_a_done_job_tells_the_page_what_finished(app, client):
    factory = get_sessionmaker(app)
    job_id = stored_job(factory, "tm_import")
    running = client.get(f"/jobs/{job_id}", headers={"HX-Request": "true"})
    assert "HX-Trigger" not in running.headers
    assert 'hx-trigger="load delay:500ms"' in running.get_data(as_text=True)
    with factory() as db:
        db.get(Job, job_id).status = "done"
        db.commit()
    done = client.get(f"/jobs/{job_id}", headers={"HX-Request": "true"})
    events = json.loads(done.headers["HX-Trigger"])
    assert events == {"job-finished": {"id": job_id, "kind": "tm_import", "document": None},
                      "tm-changed": {"job": job_id}}
    assert "hx-trigger" not in done.get_data(as_text=True)
