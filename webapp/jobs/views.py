"""Background jobs in the page: a progress bar that polls itself, and retry."""

from __future__ import annotations

import json

from flask import Blueprint, Flask, abort, current_app, make_response, render_template

from webapp.core.access import require_role
from webapp.core.db import get_db
from webapp.core.http import get_or_404
from webapp.core.models import Job
from webapp.core.states import Role
from webapp.jobs import runner as jobs

bp = Blueprint("jobs", __name__)


@bp.get("/jobs/<int:job_id>")
@require_role(Role.TRANSLATOR)
def job_progress(job_id: int):
    """Return a job's progress bar, which polls itself until the job ends."""
    job = get_or_404(Job, job_id)
    resp = make_response(render_template("jobs/_progress.html", job=job))
    if job.status == "done":
        # The segment list reloads itself once the drafts are in.
        resp.headers["HX-Trigger"] = json.dumps({"segments-changed": {"job": job.id}})
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



def init_app(app: Flask) -> None:
    """Register the job fragments."""
    app.register_blueprint(bp)
