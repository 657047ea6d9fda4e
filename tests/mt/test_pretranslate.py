"""Pre-translation through the real Argos loading path, on the tiny package the tests build."""

from __future__ import annotations

import io
import threading
from functools import partial

import pytest
from argos_tiny import model_drafts
from sqlalchemy import func, select

from webapp.core.db import get_sessionmaker
from webapp.core.models import Change, Document, Job, Revision, Segment
from webapp.core.states import Action, State

ENGLISH = (
    "North Korea's leader Kim Jong Un may soon meet President Vladimir Putin.\n"
    "Analysts say Russia's isolation has grown. The UN Security Council (UNSC) is split.\n\n"
    "He met Putin in 2019 in Vladivostok.\n"
)


def upload(client, data: bytes, mode: str, src="en", tgt="de") -> int:
    """Import a document through the API and return its id."""
    resp = client.post("/api/documents", data={
        "file": (io.BytesIO(data), "article.txt"), "source_lang": src, "target_lang": tgt,
        "mode": mode,
    }, content_type="multipart/form-data")
    assert resp.status_code == 201, resp.get_json()
    return resp.get_json()["id"]


def run_job(app, client, doc_id: int) -> dict:
    """Start pre-translation through the API, wait for the job and return its final state."""
    resp = client.post(f"/api/documents/{doc_id}/pretranslate")
    assert resp.status_code == 202, resp.get_json()
    job = resp.get_json()
    app.extensions["webapp.jobs"].wait(job["id"], timeout=120)
    return client.get(f"/api/jobs/{job['id']}").get_json()


def test_translate_mode_fills_every_segment_with_a_stored_mt_draft(app, client, argos_installed):
    doc = upload(client, ENGLISH.encode(), "translate")
    job = run_job(app, client, doc)
    assert job["status"] == "done", job
    assert job["percent"] == 100 and job["done"] == job["total"] == 4
    segs = client.get(f"/api/documents/{doc}/segments").get_json()["segments"]
    assert len(segs) == 4
    for seg in segs:
        assert seg["state"] == "mt" and seg["version"] == 1
        assert seg["mt"] and seg["target"] == seg["mt"]
    # The drafts are what the installed model says for each source, not the source itself.
    assert [s["mt"] for s in segs] == model_drafts(app, [s["source"] for s in segs], "en", "de")
    assert all(s["mt"] != s["source"] for s in segs)
    with app.app_context(), get_sessionmaker(app)() as db:
        kinds = db.scalars(select(Revision.kind)).all()
        assert kinds == ["mt"] * 4
        assert db.scalar(select(func.count()).select_from(Change)
                         .where(Change.action == int(Action.MT))) == 1


def test_a_retried_job_adds_no_duplicate_revisions_and_keeps_human_work(app, client, argos_installed):
    doc = upload(client, ENGLISH.encode(), "translate")
    first = client.get(f"/api/documents/{doc}/segments").get_json()["segments"][0]
    saved = client.put(f"/api/segments/{first['id']}",
                       json={"target": "Von Hand übersetzt.", "version": 0})
    assert saved.status_code == 200
    assert run_job(app, client, doc)["status"] == "done"
    again = run_job(app, client, doc)
    assert again["status"] == "done" and again["total"] == 0
    with app.app_context(), get_sessionmaker(app)() as db:
        assert db.scalar(select(func.count()).select_from(Revision)) == 4
        seg = db.get(Segment, first["id"])
        assert seg.target == "Von Hand übersetzt." and seg.state == State.TRANSLATED


def test_review_mode_back_translates_into_the_source_column(app, client, argos_installed, seed_bytes):
    doc = upload(client, seed_bytes, "review")
    job = run_job(app, client, doc)
    assert job["status"] == "done", job
    assert "back-translated (de→en)" in job["message"]
    # Stored by message id: a German page reads the same outcome in German.
    german = client.get(f"/jobs/{job['id']}", headers={"HX-Request": "true",
                                                      "Accept-Language": "de"})
    assert "Segmente rückübersetzt (de→en)." in german.get_data(as_text=True)
    data = client.get(f"/api/documents/{doc}").get_json()
    assert data["source_kind"] == "back_translation"
    segs = client.get(f"/api/documents/{doc}/segments?limit=1000").get_json()["segments"]
    assert all(s["source"] for s in segs)
    # The source column holds what the installed de → en model says for each imported text.
    assert [s["source"] for s in segs] == model_drafts(app, [s["mt"] for s in segs], "de", "en")
    assert all(s["source"] != s["mt"] for s in segs)
    # Back-translation changes no target: the imported MT is still the draft.
    assert all(s["target"] == s["mt"] and s["version"] == 1 for s in segs)
    html = client.get(f"/documents/{doc}").get_data(as_text=True)
    assert "back-translation (MT)" in html
    assert 'id="mt-missing"' not in html


def test_progress_fragment_polls_until_done_then_asks_the_list_to_reload(app, client, argos_installed):
    doc = upload(client, ENGLISH.encode(), "translate")
    resp = client.post(f"/documents/{doc}/pretranslate", headers={"HX-Request": "true"})
    assert resp.status_code == 202
    html = resp.get_data(as_text=True)
    job_id = int(html.split('id="job-')[1].split('"')[0])
    # The fragment polls its own progress URL.
    assert 'hx-trigger="load delay:500ms"' in html
    assert f'hx-get="/jobs/{job_id}"' in html
    app.extensions["webapp.jobs"].wait(job_id, timeout=120)
    done = client.get(f"/jobs/{job_id}", headers={"HX-Request": "true"})
    assert "hx-trigger" not in done.get_data(as_text=True)
    assert "segments-changed" in done.headers["HX-Trigger"]
    assert 'value="100"' in done.get_data(as_text=True)


def test_api_refuses_pretranslation_without_a_model_with_the_install_hint(client):
    doc = upload(client, ENGLISH.encode(), "translate", src="en", tgt="fi")
    resp = client.post(f"/api/documents/{doc}/pretranslate")
    assert resp.status_code == 409
    body = resp.get_json()
    assert "en → fi" in body["message"] and "argospm" in body["message"]


def test_a_document_of_one_language_is_not_pretranslated_into_an_echo(app, client, argos_installed):
    doc = upload(client, ENGLISH.encode(), "translate", src="en", tgt="de")
    # Imports refuse one language on both sides; a row from elsewhere must still be safe.
    with app.app_context(), get_sessionmaker(app)() as db:
        db.get(Document, doc).target_lang = "en"
        db.commit()
    resp = client.post(f"/api/documents/{doc}/pretranslate")
    assert resp.status_code == 409
    assert "both sides are en" in resp.get_json()["message"]
    page = client.post(f"/documents/{doc}/pretranslate", headers={"HX-Request": "true"})
    assert page.status_code == 409 and "both sides are en" in page.get_data(as_text=True)
    with app.app_context(), get_sessionmaker(app)() as db:
        assert db.scalar(select(func.count()).select_from(Revision)) == 0


@pytest.fixture
def busy_runner(app):
    """Keep the job runner's one thread busy, so started jobs stay queued until the test ends."""
    release = threading.Event()
    app.extensions["webapp.jobs"].executor.submit(release.wait, 120)
    yield
    release.set()


def pretranslate_jobs(app, doc_id: int) -> list[int]:
    """Return the ids of the document's pre-translation jobs."""
    with app.app_context(), get_sessionmaker(app)() as db:
        return list(db.scalars(select(Job.id).where(Job.document_id == doc_id,
                                                     Job.kind == "pretranslate")))


def test_starting_a_document_twice_answers_with_the_job_already_under_way(
        app, client, argos_installed, busy_runner):
    doc = upload(client, ENGLISH.encode(), "translate")
    first = client.post(f"/api/documents/{doc}/pretranslate")
    assert first.status_code == 202
    job_id = first.get_json()["id"]

    again = client.post(f"/api/documents/{doc}/pretranslate")

    assert again.status_code == 409
    body = again.get_json()
    assert body["message"] == (f"Machine translation of this document is already queued "
                               f"(job {job_id}, 0 %: starting); it was not started a second time.")
    assert body["job"]["id"] == job_id and body["job"]["status"] == "queued"
    page = client.post(f"/documents/{doc}/pretranslate", headers={"HX-Request": "true"})
    assert page.status_code == 409
    html = page.get_data(as_text=True)
    # The job's own progress bar, still polling, with the reason nothing new started.
    assert f'id="job-{job_id}"' in html and f'hx-get="/jobs/{job_id}"' in html
    assert "it was not started a second time" in html
    assert pretranslate_jobs(app, doc) == [job_id]


def test_simultaneous_starts_from_many_clients_queue_one_job(
        app, client, client_as, api_headers, argos_installed, busy_runner):

    def from_the_page(who, doc):
        resp = who.post(f"/documents/{doc}/pretranslate", headers={"HX-Request": "true"})
        html = resp.get_data(as_text=True)
        return resp.status_code, int(html.split('id="job-')[1].split('"')[0]), html

    def from_the_api(headers, doc):
        resp = app.test_client().post(f"/api/documents/{doc}/pretranslate", headers=headers)
        body = resp.get_json()
        return resp.status_code, body.get("job", body)["id"], body.get("message", "")

    # Half press the page's button, half call the API, each as a person of their own.
    posts = [partial(from_the_page, client_as("translator")) for _ in range(4)]
    posts += [partial(from_the_api, api_headers("translator")) for _ in range(4)]
    # A race is won or lost by chance: three documents, three bursts.
    for _ in range(3):
        doc = upload(client, ENGLISH.encode(), "translate")
        start = threading.Barrier(len(posts), timeout=30)
        answers = []

        def run(post, doc=doc, start=start, answers=answers):
            start.wait()
            answers.append(post(doc))

        threads = [threading.Thread(target=run, args=(post,)) for post in posts]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)

        (job_id,) = pretranslate_jobs(app, doc)
        assert sorted(status for status, _, _ in answers) == [202] + [409] * (len(posts) - 1)
        assert {shown for _, shown, _ in answers} == {job_id}
        assert all("not started a second time" in text for status, _, text in answers
                   if status == 409)


def test_pretranslate_command_names_a_document_id_past_any_integer(runner):
    result = runner.invoke(args=["pretranslate", "99999999999999999999"])
    assert result.exit_code == 1
    assert "There is no document 99999999999999999999." in result.output


def test_routes_answer_404_for_ids_past_any_integer(client):
    huge = "99999999999999999999"
    assert client.post(f"/api/documents/{huge}/pretranslate").status_code == 404
    assert client.post(f"/documents/{huge}/pretranslate").status_code == 404
    assert client.get(f"/api/jobs/{huge}").status_code == 404
    assert client.get(f"/jobs/{huge}").status_code == 404
    assert client.post(f"/api/jobs/{huge}/retry").status_code == 404
