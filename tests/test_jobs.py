"""Background jobs in the web process: retrying a job that failed or whose thread died."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select, update
from test_queue import upload, words

from webapp.db import get_sessionmaker
from webapp.models import Job, Revision, utcnow


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
    assert "1 segments pre-translated" in result.output


def test_retry_names_a_job_that_does_not_exist(runner):
    result = runner.invoke(args=["jobs", "retry", "404"])
    assert result.exit_code != 0 and "There is no job 404." in result.output
