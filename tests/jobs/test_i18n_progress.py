"""The job progress fragment in every state, in the pseudo-locale: all its words go through
the catalogue (the job's stored outcome here is Cyrillic data, so only our text shows)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from i18n_check import untranslated

from webapp.core.db import get_sessionmaker
from webapp.core.models import Job, utcnow

HX = {"HX-Request": "true"}


def store(app, **values) -> int:
    with app.app_context(), get_sessionmaker(app)() as db:
        job = Job(**values)
        db.add(job)
        db.commit()
        return job.id


@pytest.mark.parametrize("values", [
    {"kind": "pretranslate", "status": "running", "done": 1200, "total": 4000},
    {"kind": "pretranslate", "status": "running", "done": 3, "total": 10,
     "updated_at": utcnow() - timedelta(hours=2)},  # stalled: offers a retry
    {"kind": "pretranslate", "status": "queued"},
    {"kind": "pretranslate", "status": "failed", "message": "Модель не найдена."},
    {"kind": "pretranslate", "status": "done", "done": 4, "total": 4,
     "message": "Готово."},
    {"kind": "неизвестно", "status": "running", "done": 1, "total": 2},
])
def test_the_progress_fragment_goes_through_the_catalogue(app, client, values):
    app.config["I18N_PSEUDO"] = True
    job_id = store(app, **values)
    html = client.get(f"/jobs/{job_id}", headers=HX).get_data(as_text=True)
    assert 'class="job-text"' in html
    assert untranslated(html) == []


def test_a_refused_retry_says_why_in_the_catalogue(app, client):
    app.config["I18N_PSEUDO"] = True
    job_id = store(app, kind="pretranslate", status="done", done=1, total=1, message="Готово.")
    resp = client.post(f"/jobs/{job_id}/retry", headers=HX)
    assert resp.status_code == 409
    assert untranslated(resp.get_data(as_text=True)) == []


def test_in_english_the_running_text_reads_as_before(app, client):
    job_id = store(app, kind="pretranslate", status="running", done=1200, total=4000)
    html = client.get(f"/jobs/{job_id}", headers=HX).get_data(as_text=True)
    assert "Machine translation 30% (1,200 of 4,000)" in html
    assert 'aria-label="Machine translation progress"' in html
