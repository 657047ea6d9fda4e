"""Background jobs in the web process: retrying a job that failed or whose thread died."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select, update
from test_queue import upload, words

from webapp.core.db import get_sessionmaker
from webapp.core.models import Job, Revision, utcnow


def stored_job(app, doc_id: int, status: str, quiet_for: float = 0) -> int:
    """Store a pre-translation job as a dead worker would leave it; return its id."""
    with get_sessionmaker(app)() as db:
        job = Job(kind="pretranslate", document_id=doc_id, status=status,
                  updated_at=utcnow() - timedelta(seconds=quiet_for))
        db.add(job)
        db.commit()
        return job.id


def test_a_running_job_whose_thread_died_is_retried_and_finishes_once(
        app, client, runner, argos_installed):
    doc = upload(client, [words(i) for i in range(3)])
    # The server was killed while the job ran: it says running, and nothing moves any more.
    job_id = stored_job(app, doc, "running", quiet_for=app.config["JOB_STALE_SECONDS"] + 1)

    result = runner.invoke(args=["jobs", "retry", str(job_id)])

    assert result.exit_code == 0, result.output
    assert f"Job {job_id} done: 3 segments pre-translated" in result.output
    assert runner.invoke(args=["jobs", "retry", str(job_id)]).exit_code != 0
    with get_sessionmaker(app)() as db:
        assert db.scalar(select(func.count()).select_from(Revision)) == 3


def test_retry_refuses_a_job_that_moved_recently_unless_forced(
        app, client, runner, argos_installed):
    doc = upload(client, [words(1)])
    job_id = stored_job(app, doc, "running")

    refused = runner.invoke(args=["jobs", "retry", str(job_id)])
    assert refused.exit_code != 0 and "moved less than" in refused.output

    forced = runner.invoke(args=["jobs", "retry", "--force", str(job_id)])
    assert forced.exit_code == 0, forced.output
    assert runner.invoke(args=["jobs", "list", "--all"]).output.count("\tdone\t") == 1


def test_a_failed_job_is_retried_at_once(app, client, runner, argos_installed):
    doc = upload(client, [words(1)])
    job_id = stored_job(app, doc, "failed")
    with get_sessionmaker(app)() as db:
        db.execute(update(Job).values(message="OSError: disk full"))
        db.commit()
    assert "OSError: disk full" in runner.invoke(args=["jobs", "list"]).output

    result = runner.invoke(args=["jobs", "retry", str(job_id)])

    assert result.exit_code == 0, result.output
    assert "1 segment pre-translated" in result.output


def test_retry_names_a_job_that_does_not_exist(runner):
    result = runner.invoke(args=["jobs", "retry", "404"])
    assert result.exit_code != 0 and "There is no job 404." in result.output


def test_retry_refuses_a_kind_of_job_nothing_here_runs(app, client, runner):
    with get_sessionmaker(app)() as db:
        job = Job(kind="vanished", status="running", updated_at=utcnow() - timedelta(hours=1))
        db.add(job)
        db.commit()
    result = runner.invoke(args=["jobs", "retry", str(job.id)])
    assert result.exit_code != 0 and "'vanished' job, which cannot be retried" in result.output


def test_a_translator_saving_while_the_drafts_are_stored_keeps_their_text(
        app, client, runner, argos_installed, monkeypatch):
    from webapp.segments import drafts

    doc = upload(client, [words(i) for i in range(3)])
    first = client.get(f"/api/documents/{doc}/segments").get_json()["segments"][0]
    store = drafts.store_machine_translations
    raced = []

    def racing(db, document, outputs, author):
        read = db.scalars

        def scalars(*args, **kwargs):
            rows = list(read(*args, **kwargs))
            if not raced:  # the translator saves right after the job has read the segments
                raced.append(client.put(f"/api/segments/{first['id']}",
                                        json={"target": "Von Hand.", "version": 0}))
            return rows

        db.scalars = scalars
        try:
            return store(db, document, outputs, author)
        finally:
            del db.scalars

    monkeypatch.setattr(drafts, "store_machine_translations", racing)
    job_id = client.post(f"/api/documents/{doc}/pretranslate").get_json()["id"]
    app.extensions["webapp.jobs"].wait(job_id, timeout=120)

    assert raced[0].status_code == 200
    job = client.get(f"/api/jobs/{job_id}").get_json()
    assert job["status"] == "done" and job["message"].startswith("2 segments"), job
    segs = client.get(f"/api/documents/{doc}/segments").get_json()["segments"]
    assert segs[0]["target"] == "Von Hand." and segs[0]["state"] == "translated"
    assert [s["state"] for s in segs[1:]] == ["mt", "mt"]
    with get_sessionmaker(app)() as db:
        assert db.scalar(select(func.count()).select_from(Revision)) == 3


def test_the_editor_offers_to_retry_a_failed_or_stalled_job_and_the_api_too(
        app, client, argos_installed):
    doc = upload(client, [words(i) for i in range(2)])
    failed = stored_job(app, doc, "failed")
    page = client.get(f"/documents/{doc}").get_data(as_text=True)
    assert f'id="job-{failed}"' in page and "MT failed" in page
    assert f'hx-post="/jobs/{failed}/retry"' in page

    resp = client.post(f"/jobs/{failed}/retry", headers={"HX-Request": "true"})
    assert resp.status_code == 202 and f'id="job-{failed}"' in resp.get_data(as_text=True)
    app.extensions["webapp.jobs"].wait(failed)
    with get_sessionmaker(app)() as db:
        assert db.get(Job, failed).status == "done"
        assert db.scalar(select(func.count()).select_from(Revision)) == 2
    page = client.get(f"/documents/{doc}").get_data(as_text=True)
    assert "/retry" not in page  # a finished job is not shown, nor offered again

    # A job that says running but has not moved for a while is offered too.
    stalled = stored_job(app, doc, "running", quiet_for=app.config["JOB_STALE_SECONDS"] + 1)
    fragment = client.get(f"/jobs/{stalled}").get_data(as_text=True)
    assert "its worker may have stopped" in fragment and f"/jobs/{stalled}/retry" in fragment
    moving = stored_job(app, doc, "running")
    assert "/retry" not in client.get(f"/jobs/{moving}").get_data(as_text=True)

    again = client.post(f"/api/jobs/{failed}/retry")
    assert again.status_code == 409 and "has finished" in again.get_json()["message"]
    refused = client.post(f"/jobs/{moving}/retry", headers={"HX-Request": "true"})
    assert refused.status_code == 409 and "moved less than" in refused.get_data(as_text=True)
    # While it moves, the stalled job of the same document is not queued beside it.
    beside = client.post(f"/api/jobs/{stalled}/retry")
    assert beside.status_code == 409 and beside.get_json()["message"].startswith(
        f"Machine translation of this document is already running (job {moving}, ")
    with get_sessionmaker(app)() as db:
        db.execute(update(Job).where(Job.id == moving).values(status="failed"))
        db.commit()
    assert client.post("/api/jobs/999999/retry").status_code == 404
    ok = client.post(f"/api/jobs/{stalled}/retry")
    assert ok.status_code == 202 and ok.get_json()["status"] in ("queued", "running", "done")
    app.extensions["webapp.jobs"].wait(stalled)
    with get_sessionmaker(app)() as db:
        # Both segments had their drafts already: the retry stores no second revision.
        assert db.scalar(select(func.count()).select_from(Revision)) == 2


def test_retry_does_not_queue_a_second_job_beside_one_under_way(
        app, client, runner, argos_installed):
    doc = upload(client, [words(1)])
    failed = stored_job(app, doc, "failed")
    running = stored_job(app, doc, "running")

    result = runner.invoke(args=["jobs", "retry", str(failed)])

    assert result.exit_code == 1
    assert (f"Machine translation of this document is already running (job {running}, 0 %: "
            "starting); it was not started a second time.") in result.output
    with get_sessionmaker(app)() as db:
        assert db.get(Job, failed).status == "failed"


def test_retry_names_a_job_id_past_any_integer(runner):
    result = runner.invoke(args=["jobs", "retry", "99999999999999999999"])
    assert result.exit_code == 1 and "There is no job 99999999999999999999." in result.output
