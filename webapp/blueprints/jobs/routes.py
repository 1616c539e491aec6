"""«Задания»: the user's jobs newest first, a job's page (its progress polled as JSON), its result's download, and
the page that starts a big export as a job."""

from __future__ import annotations

import io

from flask import jsonify, render_template, request, send_file, url_for
from flask_login import current_user, login_required

from webapp.blueprints import first_page_again, page_links
from webapp.blueprints.jobs import bp
from webapp.models import Job, JobStatus
from webapp.ru.morph import with_count
from webapp.services import jobs, paging
from webapp.services.errors import Invalid, NotFound
from webapp.services.files import read_bytes


@bp.get("/jobs")
@login_required
def index():
    size = paging.page_size(request.args.get("size", type=int))
    try:
        page = paging.keyset(jobs.owned(current_user), paging.newest(Job.id), Job.id,
                             after=request.args.get("after"), size=size,
                             message="Неверная ссылка на страницу списка заданий: откройте список заново.")
    except Invalid as error:
        return first_page_again("jobs.index", error)
    return render_template("jobs/index.html", jobs=page.rows, sizes=paging.PAGE_SIZES, size=size,
                           **page_links(page.after))


@bp.get("/jobs/<int:job_id>")
@login_required
def detail(job_id: int):
    job = jobs.get(current_user, job_id)
    return render_template("jobs/detail.html", job=job, status=state(job))


@bp.get("/jobs/<int:job_id>.json")
@login_required
def status(job_id: int):
    return jsonify(state(jobs.get(current_user, job_id)))


@bp.get("/jobs/<int:job_id>/result")
@login_required
def result(job_id: int):
    job = jobs.get(current_user, job_id)
    if job.status != JobStatus.done or job.result is None:
        raise NotFound("У задания нет готового файла: оно не закончено, не удалось или его файл уже удалён.")
    return send_result(job)


def send_result(job: Job):
    """A finished job's file (the page's and the API's download), kept out of shared caches: it is its owner's."""
    response = send_file(io.BytesIO(read_bytes(job.result)), mimetype=job.result_type, as_attachment=True,
                         download_name=job.result_name)
    response.cache_control.private = True
    return response


STATUS_TITLES = {JobStatus.queued: "в очереди", JobStatus.running: "выполняется", JobStatus.done: "готово",
                 JobStatus.failed: "не выполнено"}


def state(job: Job) -> dict:
    """What the job's page shows, as its poll reads it."""
    done = job.status == JobStatus.done
    return {"id": job.id, "status": job.status, "status_title": STATUS_TITLES[JobStatus(job.status)],
            "done": job.progress_done, "total": job.progress_total, "percent": job.percent,
            "message": job.message, "error": job.error,
            "finished": job.status in (JobStatus.done, JobStatus.failed),
            "download": url_for("jobs.result", job_id=job.id) if done and job.result_id else None}


def offer(title: str, message: str, back: str, button: str = "Подготовить выгрузку"):
    """The page a GET answers where the work is a job: what it will be, and the button that starts it (a POST)."""
    return render_template("jobs/start.html", title=title, message=message, back=back, button=button,
                           action=request.full_path)


def export_offer(title: str, rows: int, back: str, more: bool = False):
    """The page of a big export: its rows (`more`: more than that many), and the button."""
    count = with_count(rows, "строка")
    return offer(title, f"В выгрузке {'более ' + count if more else count}. Такой файл готовится в фоне.", back)
