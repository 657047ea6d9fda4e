"""Background jobs on this machine's Redis with RQ, run by real worker processes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from redis import Redis
from sqlalchemy import func, select, update

from webapp.core.db import get_sessionmaker
from webapp.core.models import Job, Revision, Segment, utcnow
from webapp.core.states import State
from webapp.jobs.runner import retry_job

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def words(i: int) -> str:
    """Return a distinct English sentence."""
    return f"The contract number {i} was signed in Berlin on Monday."


@pytest.fixture
def redis_queue(monkeypatch):
    """Point new apps at this machine's Redis and a queue of this test's own; empty it after."""
    redis = Redis.from_url(REDIS_URL)
    try:
        redis.ping()
    except Exception as exc:  # noqa: BLE001 - say what is missing, whatever the client raised
        pytest.fail(f"Redis is not answering at {REDIS_URL} ({exc}); start it as "
                    "docs/operations.md says (.ci/run does).")
    name = f"webapp-test-{uuid.uuid4().hex[:12]}"
    monkeypatch.setenv("REDIS_URL", REDIS_URL)
    monkeypatch.setenv("RQ_QUEUE", name)
    # Short, so a killed worker's job counts as stopped within the test.
    monkeypatch.setenv("JOB_STALE_SECONDS", "1")
    monkeypatch.setenv("PRETRANSLATE_CHUNK", "32")
    yield name
    for key in redis.scan_iter(match=f"*{name}*"):
        redis.delete(key)
    redis.close()


@pytest.fixture
def app(redis_queue, app):
    """Return the shared test app, here with RQ as its job runner; stop its workers after."""
    yield app
    while Worker.started:
        Worker.started.pop().kill()


class Worker:
    """`flask --app wsgi worker` in a process group of its own, on the test's database."""

    started: list[Worker] = []

    def __init__(self, app, tmp_path: Path, burst: bool = False):
        Worker.started.append(self)
        env = dict(os.environ)
        env.update({
            "DATABASE_URL": app.config["DATABASE_URL"],
            "ARGOS_PACKAGES_DIR": app.config["ARGOS_PACKAGES_DIR"],
            "WEBAPP_INSTANCE": str(tmp_path / "worker-instance"),
            "SECRET_KEY": "worker-secret",
        })
        self.log = tmp_path / f"worker-{uuid.uuid4().hex[:6]}.log"
        args = [sys.executable, "-m", "flask", "--app", "wsgi", "worker"]
        if burst:
            args.append("--burst")
        with self.log.open("w") as out:
            self.proc = subprocess.Popen(args, cwd=ROOT, env=env, stdout=out,
                                         stderr=subprocess.STDOUT, start_new_session=True)

    def wait(self, timeout: float = 120) -> int:
        """Wait for a burst worker to empty the queue and exit."""
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            pytest.fail(f"The worker did not finish in {timeout} s:\n{self.output()}")

    def kill(self) -> None:
        """SIGKILL the worker and anything it started, as a crash would."""
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)

    def output(self) -> str:
        """Return what the worker printed."""
        return self.log.read_text(errors="replace")


def upload(client, sentences: list[str]) -> int:
    """Import sentences as a translate-mode en→de document; return its id."""
    import io

    data = "\n\n".join(sentences).encode()
    resp = client.post("/api/documents", data={
        "file": (io.BytesIO(data), "contract.txt"), "source_lang": "en",
        "target_lang": "de", "mode": "translate",
    }, content_type="multipart/form-data")
    assert resp.status_code == 201, resp.get_json()
    return resp.get_json()["id"]


def job_row(app, job_id: int) -> Job:
    """Return the job as stored now."""
    with get_sessionmaker(app)() as db:
        return db.get(Job, job_id)


def assert_consistent(app, doc_id: int) -> tuple[int, int]:
    """Check each segment is untouched or has exactly one MT draft; return (drafts, new)."""
    revisions = (select(func.count()).where(Revision.segment_id == Segment.id)
                 .correlate(Segment).scalar_subquery())
    mt_revisions = (select(func.count()).where(Revision.segment_id == Segment.id,
                                               Revision.kind == "mt")
                    .correlate(Segment).scalar_subquery())
    with get_sessionmaker(app)() as db:
        # One statement, so the worker's commits cannot fall between two reads.
        rows = db.execute(select(
            Segment.id, Segment.state, Segment.version, Segment.target, Segment.mt,
            revisions, mt_revisions,
        ).where(Segment.document_id == doc_id)).all()
    drafts = new = 0
    for sid, state, version, target, mt, revs, mt_revs in rows:
        if state == State.NEW:
            assert (version, target, revs) == (0, "", 0), (sid, version, target, revs)
            new += 1
        else:
            assert (state, version, target) == (State.MT, 1, mt), (sid, state, version)
            assert revs == mt_revs == 1, f"segment {sid} has {revs} revisions"
            drafts += 1
    return drafts, new


def test_jobs_wait_in_redis_until_a_separate_worker_process_runs_them(
        app, client, argos_installed, redis_queue, tmp_path):
    doc = upload(client, [words(i) for i in range(5)])
    resp = client.post(f"/api/documents/{doc}/pretranslate")
    assert resp.status_code == 202
    job_id = resp.get_json()["id"]
    assert Redis.from_url(REDIS_URL).llen(f"rq:queue:{redis_queue}") == 1
    time.sleep(0.3)
    assert job_row(app, job_id).status == "queued", "the web process must not run the job"

    worker = Worker(app, tmp_path, burst=True)
    assert worker.wait() == 0, worker.output()

    job = client.get(f"/api/jobs/{job_id}").get_json()
    assert job["status"] == "done", (job, worker.output())
    assert job["percent"] == 100 and job["done"] == job["total"] == 5
    segs = client.get(f"/api/documents/{doc}/segments").get_json()["segments"]
    assert all(s["state"] == "mt" and s["target"] for s in segs)
    assert assert_consistent(app, doc) == (5, 0)


def test_rescoring_a_document_is_a_job_on_the_queue_that_a_worker_runs(
        app, client, redis_queue, tmp_path):
    import io

    data = b"Der Vertrag wurde am Montag unterzeichnet.\n\nDie Regierung schwieg."
    doc = client.post("/api/documents", data={
        "file": (io.BytesIO(data), "vertrag.txt"), "source_lang": "en", "target_lang": "de",
        "mode": "review"}, content_type="multipart/form-data").get_json()["id"]
    seg = client.get(f"/api/documents/{doc}/segments").get_json()["segments"][0]
    saved = client.put(f"/api/segments/{seg['id']}", json={
        "target": "Der Vertrag wurde am Dienstag unterzeichnet.", "version": seg["version"]})
    assert saved.status_code == 200

    first = client.get(f"/api/documents/{doc}/scores")
    assert first.status_code == 202 and first.get_json()["status"] == "computing"
    job_id = first.get_json()["job_id"]
    # Asking again joins the waiting job; the web process does not run it.
    assert client.get(f"/api/documents/{doc}/scores").get_json()["job_id"] == job_id
    assert Redis.from_url(REDIS_URL).llen(f"rq:queue:{redis_queue}") == 1
    time.sleep(0.3)
    assert job_row(app, job_id).status == "queued", "the web process must not score"

    worker = Worker(app, tmp_path, burst=True)
    assert worker.wait() == 0, worker.output()
    job = job_row(app, job_id)
    assert job.status == "done" and job.message == f"Scored document {doc}.", worker.output()
    scores = client.get(f"/api/documents/{doc}/scores").get_json()
    assert scores["status"] == "ready" and scores["job_id"] is None
    assert scores["post_edited"] == 1 and 0 < scores["ter"] < 100


def test_a_worker_killed_mid_job_leaves_the_document_consistent_and_the_retry_finishes_it(
        app, client, argos_installed, tmp_path):
    count = 600
    doc = upload(client, [words(i) for i in range(count)])
    job_id = client.post(f"/api/documents/{doc}/pretranslate").get_json()["id"]
    worker = Worker(app, tmp_path)
    deadline = time.monotonic() + 120
    # Kill once at least two chunks of drafts are committed and the job is still running.
    while True:
        drafts, _ = assert_consistent(app, doc)
        if drafts >= 64:
            break
        assert worker.proc.poll() is None, worker.output()
        assert time.monotonic() < deadline, worker.output()
        time.sleep(0.02)
    worker.kill()

    drafts, new = assert_consistent(app, doc)
    assert 0 < drafts < count and drafts + new == count, (drafts, new)
    assert job_row(app, job_id).status == "running"

    # A worker starting up queues again a job that stopped moving, then runs it.
    time.sleep(1.2)
    second = Worker(app, tmp_path, burst=True)
    assert second.wait() == 0, second.output()
    assert f"Queued again jobs whose worker stopped: {job_id}" in second.output()

    job = job_row(app, job_id)
    assert job.status == "done", (job.to_dict(), second.output())
    assert assert_consistent(app, doc) == (count, 0)
    with get_sessionmaker(app)() as db:
        assert db.scalar(select(func.count()).select_from(Revision)) == count


def test_retry_refuses_a_job_still_waiting_or_moving_and_requeues_one_redis_lost(
        app, client, argos_installed, runner, redis_queue):
    doc = upload(client, [words(1)])
    job_id = client.post(f"/api/documents/{doc}/pretranslate").get_json()["id"]
    with get_sessionmaker(app)() as db:
        with pytest.raises(ValueError, match="waiting in the queue"):
            retry_job(app, db, job_id)
    # This machine's Redis keeps nothing on disk: a restart loses what was queued.
    Redis.from_url(REDIS_URL).delete(f"rq:queue:{redis_queue}")
    with get_sessionmaker(app)() as db:
        # The job moved just now (the stale limit here is 1 s, less than a slow run takes).
        db.execute(update(Job).where(Job.id == job_id).values(updated_at=utcnow()))
        db.commit()
        with pytest.raises(ValueError, match="moved less than"):
            retry_job(app, db, job_id)
    time.sleep(1.2)

    result = runner.invoke(args=["jobs", "retry", str(job_id)])

    assert result.exit_code == 0, result.output
    assert "queued again for the workers" in result.output
    assert job_row(app, job_id).status == "queued"
    assert Redis.from_url(REDIS_URL).llen(f"rq:queue:{redis_queue}") == 1
    result = runner.invoke(args=["jobs", "list"])
    assert f"{job_id}\tpretranslate\tdocument {doc}\tqueued" in result.output


def test_the_worker_command_needs_redis_url(monkeypatch, tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    env.update(WEBAPP_INSTANCE=str(tmp_path / "i"), DATABASE_URL=f"sqlite:///{tmp_path}/w.db")
    done = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "worker", "--burst"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode != 0
    assert "Set REDIS_URL" in done.stderr
