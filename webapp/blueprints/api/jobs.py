"""Jobs through the API: work that does not belong in a request (a document's PDF) answers 202 with the job's
address; the caller polls the job and downloads its result. Only the job's owner (or an administrator) sees it."""

from __future__ import annotations

from flask import jsonify, url_for
from marshmallow import Schema, fields
from sqlalchemy import select

from webapp.blueprints.api import bp
from webapp.blueprints.api.auth import api_user
from webapp.blueprints.api.errors import ApiError
from webapp.blueprints.api.paging import keyset_page
from webapp.blueprints.api.schemas import Moment, PageArgs
from webapp.blueprints.jobs.routes import send_result
from webapp.models import Job, JobStatus
from webapp.services import document_jobs, export_jobs, jobs

TAG = ["jobs"]
POLL_SECONDS = 5  #: Retry-After of a job not finished yet
#: what jobs make: a document's PDF, an export's XLSX or CSV
RESULT_TYPES = (document_jobs.PDF_TYPE, *export_jobs.MIMETYPES.values())
RESULT_RESPONSE = {"200": {"description": "The job's file: a document's PDF, an export's XLSX or CSV.",
                           "content": {kind.split(";")[0]: {"schema": {"type": "string", "format": "binary"}}
                                       for kind in RESULT_TYPES}}}


class JobSchema(Schema):
    id = fields.Integer(required=True)
    kind = fields.String(required=True)
    title = fields.String(required=True)
    status = fields.String(required=True, metadata={"description": "queued, running, done or failed"})
    done = fields.Integer(required=True, metadata={"description": "Progress: units done"})
    total = fields.Integer(allow_none=True, required=True, metadata={"description": "Progress: units in all"})
    message = fields.String(allow_none=True, required=True)
    error = fields.String(allow_none=True, required=True, metadata={"description": "Why it failed (Russian)"})
    created_at = Moment(required=True)
    finished_at = Moment(allow_none=True, required=True)
    expires_at = Moment(allow_none=True, required=True, metadata={
        "description": "The job and its result are removed after this moment"})
    result_name = fields.String(allow_none=True, required=True)
    result_url = fields.String(allow_none=True, required=True, metadata={"description": "Set when done with a file"})


class JobPageSchema(Schema):
    items = fields.List(fields.Nested(JobSchema), required=True)
    next_cursor = fields.String(allow_none=True, required=True)


def present(job: Job) -> dict:
    has_file = job.status == JobStatus.done and job.result_id is not None
    return {"id": job.id, "kind": job.kind, "title": job.title, "status": job.status, "done": job.progress_done,
            "total": job.progress_total, "message": job.message, "error": job.error, "created_at": job.created_at,
            "finished_at": job.finished_at, "expires_at": job.expires_at,
            "result_name": job.result_name if has_file else None,
            "result_url": url_for("api.job_result", job_id=job.id) if has_file else None}


def accepted(job: Job):
    """The answer of a request that started (or found running) a job: 202, the job, where to poll it."""
    response = jsonify(JobSchema().dump(present(job)))
    response.status_code = 202
    response.headers["Location"] = url_for("api.get_job", job_id=job.id)
    response.headers["Retry-After"] = str(POLL_SECONDS)
    return response


@bp.get("/jobs")
@bp.arguments(PageArgs, location="query", as_kwargs=False)
@bp.response(200, JobPageSchema)
@bp.doc(tags=TAG, summary="The caller's jobs, newest first")
def list_jobs(args: dict):
    return keyset_page(select(Job).where(Job.owner_id == api_user().id), Job.id, args, present, newest_first=True)


@bp.get("/jobs/<int:job_id>")
@bp.response(200, JobSchema)
@bp.doc(tags=TAG, summary="One job: its status and progress (poll it after a 202; `result_url` when done)")
def get_job(job_id: int):
    return present(jobs.get(api_user(), job_id))


@bp.get("/jobs/<int:job_id>/result")
@bp.doc(tags=TAG, summary="Download a finished job's file (409 while it runs or when it failed)",
        responses=RESULT_RESPONSE)
def job_result(job_id: int):
    job = jobs.get(api_user(), job_id)
    if job.status == JobStatus.failed:
        raise ApiError(409, "job_failed", "The job failed; start it again.", detail=job.error)
    if job.status != JobStatus.done:
        raise ApiError(409, "job_not_finished", "The job has not finished yet; poll it and try again.",
                       {"Retry-After": str(POLL_SECONDS)})
    if job.result is None:
        raise ApiError(404, "not_found", "This job has no file.")
    return send_result(job)
