"""Background jobs in the page: one progress fragment that polls itself, and retry."""

from __future__ import annotations

import json

from flask import Blueprint, Flask, abort, current_app, make_response, render_template

from webapp.core.access import require_role
from webapp.core.db import get_db
from webapp.core.http import get_or_404
from webapp.core.models import Job
from webapp.core.states import Role
from webapp.jobs import progress
from webapp.jobs import runner as jobs

bp = Blueprint("jobs", __name__)


@bp.get("/jobs/<int:job_id>")
@require_role(Role.TRANSLATOR)
def job_progress(job_id: int):
    """Return any job's progress fragment, which polls itself until the job ends.

    Once the job is done, the answer raises `job-finished` (its id, kind and document) and
    the kind's own event (`segments-changed`, `tm-changed`) in the page, so that what the
    job changed (the segment list, the report, the memory's pairs) reloads itself.
    """
    job = get_or_404(Job, job_id)
    resp = make_response(render_template("jobs/_progress.html", job=job))
    events = progress.finished_events(job)
    if events:
        resp.headers["HX-Trigger"] = json.dumps(events)
    return resp


@bp.post("/jobs/<int:job_id>/retry")
@require_role(Role.TRANSLATOR)
def job_retry(job_id: int):
    """Queue a failed or stalled job again; its progress bar takes over from there."""
    app = current_app._get_current_object()
    try:
        job = jobs.retry_job(app, get_db(), job_id)
    except jobs.JobError as exc:
        job = get_db().get(Job, job_id)
        if job is None:
            abort(404, str(exc))
        return render_template("jobs/_progress.html", job=job, error=str(exc)), 409
    return render_template("jobs/_progress.html", job=job), 202


def may_retry(job: Job) -> bool:
    """Tell the progress fragment whether to offer a retry of the job."""
    return jobs.may_retry(job, current_app.config["JOB_STALE_SECONDS"])


def init_app(app: Flask) -> None:
    """Register the job fragments and what the progress fragment asks of a job."""
    app.register_blueprint(bp)
    app.jinja_env.globals.update(job_kind=progress.kind_of, job_may_retry=may_retry)
