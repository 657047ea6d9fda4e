"""The jobs part of the JSON API: a job's progress, and retry."""

from __future__ import annotations

from flask import Blueprint, Flask, current_app, jsonify

from webapp.core import openapi
from webapp.core.access import require_role
from webapp.core.db import get_db
from webapp.core.http import ApiError, get_or_404
from webapp.core.models import Job
from webapp.core.openapi import error_response, id_param, json_response
from webapp.core.states import Role
from webapp.jobs import runner as jobs

bp = Blueprint("jobs_api", __name__, url_prefix="/api")


@bp.get("/jobs/<int:job_id>")
@require_role(Role.TRANSLATOR)
def get_job(job_id: int):
    """Return a background job's status and progress."""
    job = get_or_404(Job, job_id)
    return jsonify(job.to_dict())


@bp.post("/jobs/<int:job_id>/retry")
@require_role(Role.TRANSLATOR)
def retry_job(job_id: int):
    """Queue a failed or stalled job again."""
    try:
        job = jobs.retry_job(current_app._get_current_object(), get_db(), job_id)
    except jobs.JobError as exc:
        status = 404 if get_db().get(Job, job_id) is None else 409
        raise ApiError(status, str(exc)) from None
    return jsonify(job.to_dict()), 202


openapi.register({
    "/api/jobs/{job_id}": {
        "get": {
            "summary": "A background job's progress",
            "parameters": [id_param("job_id")],
            "responses": {"200": json_response({"$ref": "#/components/schemas/Job"}),
                          "404": error_response("No such job")},
        },
    },
    "/api/jobs/{job_id}/retry": {
        "post": {
            "summary": "Queue a failed job, or one whose worker stopped, again; what it "
                       "already stored stays and is not done twice",
            "parameters": [id_param("job_id")],
            "responses": {"202": json_response({"$ref": "#/components/schemas/Job"},
                                               "Queued again"),
                          "404": error_response("No such job"),
                          "409": error_response("The job is done, still moving, or cannot "
                                                "be retried")},
        },
    },
})


def init_app(app: Flask) -> None:
    """Register the jobs API."""
    app.register_blueprint(bp)
