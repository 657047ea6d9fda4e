"""Pre-translation through the real Argos loading path, on the tiny package the tests build."""

from __future__ import annotations

import io

from sqlalchemy import func, select

from webapp.core.db import get_sessionmaker
from webapp.core.models import Change, Revision, Segment
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
    data = client.get(f"/api/documents/{doc}").get_json()
    assert data["source_kind"] == "back_translation"
    segs = client.get(f"/api/documents/{doc}/segments?limit=1000").get_json()["segments"]
    assert all(s["source"] for s in segs)
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
    assert 'hx-trigger="load delay:500ms"' in html or "MT" in html
    job_id = int(html.split('id="job-')[1].split('"')[0])
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
