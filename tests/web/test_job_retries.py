"""A job that failed on something passing (an unexpected error, every PDF slot of the host taken) runs again after
a pause (jobs.RETRY_DELAYS), then fails for its owner; a rule's refusal is not tried again. On SQLite the worker
leaves a retry until its time; on PostgreSQL Procrastinate's row for it is scheduled then."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, text

from webapp import clock
from webapp.extensions import db
from webapp.models import Document, Job, User
from webapp.services import document_jobs, jobs, queue, rendering
from webapp.services.errors import Invalid


@pytest.fixture
def work(monkeypatch):
    """A job kind whose runs fail as the test says: `plan` lists, per run, the exception to raise (None: succeed)."""
    plan: list[Exception | None] = []
    runs: list[int] = []

    def run(job: Job, _progress) -> jobs.Output:
        runs.append(job.attempts)
        failure = plan[len(runs) - 1] if len(runs) <= len(plan) else None
        if failure is not None:
            raise failure
        return jobs.Output("итог.txt", "text/plain", lambda out: out.write(b"ok"))

    monkeypatch.setitem(jobs.KINDS, "test.flaky", run)
    return plan, runs


def _owner() -> User:
    user = User(login="owner", full_name="Владелец Заданий", password_hash="-")
    db.session.add(user)
    db.session.flush()
    return user


def _started(app, kind: str = "test.flaky") -> int:
    with app.app_context():
        job = jobs.start(_owner(), kind, "Проверка")
        db.session.commit()
        return job.id


def _run(app, job_id: int) -> tuple[str | None, Job]:
    with app.app_context():
        status = jobs.run(job_id)
        job = db.session.get(Job, job_id)
        db.session.expunge(job)
        return status, job


def test_a_passing_failure_is_tried_again_after_its_pause(app, work, frozen_clock):
    plan, runs = work
    plan.append(RuntimeError("connection lost"))
    job_id = _started(app)
    status, job = _run(app, job_id)
    assert status == "queued" and job.attempts == 1 and job.started_at is None and job.error is None
    assert job.message.startswith("Попытка 1 не удалась; следующая в ")
    with app.app_context():
        due = db.session.get(Job, job_id).run_after
        assert abs(clock.local(due) - (clock.now() + jobs.RETRY_DELAYS[0])) < timedelta(seconds=5)
        if queue.on_postgresql():  # the queue's row for the retry waits until then
            scheduled = db.session.scalar(text(
                "SELECT max(scheduled_at) FROM procrastinate_jobs WHERE (args->>'job_id')::int = :id"), {"id": job_id})
            assert abs(scheduled - clock.local(due)) < timedelta(milliseconds=1)
        else:  # the worker's poll leaves it until then
            assert jobs.next_queued() is None
            frozen_clock.move_to(clock.now() + jobs.RETRY_DELAYS[0] + timedelta(seconds=1))
            assert jobs.next_queued() == job_id
    status, job = _run(app, job_id)
    assert status == "done" and job.result_id is not None and runs == [0, 1]


def test_a_job_failing_every_time_fails_after_its_tries(app, work):
    plan, runs = work
    plan.extend([RuntimeError("still broken")] * 10)
    job_id = _started(app)
    statuses = [_run(app, job_id)[0] for _ in range(len(jobs.RETRY_DELAYS) + 1)]
    assert statuses == ["queued"] * len(jobs.RETRY_DELAYS) + ["failed"]
    _, job = _run(app, job_id)  # nothing left to run: a failed job is not claimed
    assert job.status == "failed" and job.error == jobs.FAILED and job.attempts == len(jobs.RETRY_DELAYS)
    assert runs == list(range(len(jobs.RETRY_DELAYS) + 1)) and job.result_id is None


def test_a_rules_refusal_is_not_tried_again(app, work):
    plan, runs = work
    plan.append(Invalid("Орган удалён."))
    status, job = _run(app, _started(app))
    assert status == "failed" and job.error == "Орган удалён." and job.attempts == 0 and runs == [0]


def test_a_pdf_finding_every_slot_taken_waits_for_a_later_try(demo_app, monkeypatch):
    busy = "Сервер сейчас занят другими преобразованиями в PDF. Попробуйте ещё раз через минуту."

    def taken(_docx: bytes) -> bytes:
        raise rendering.PdfBusy(busy)

    monkeypatch.setattr(rendering, "docx_to_pdf", taken)
    with demo_app.app_context():
        document = db.session.scalar(select(Document).where(Document.slug == "004_91dc62e67ca8c96b"))
        job = document_jobs.start_pdf(_owner(), document, rendering.docx_bytes(document), "решение.pdf")
        db.session.commit()
        job_id = job.id
    statuses = [_run(demo_app, job_id)[0] for _ in range(len(jobs.RETRY_DELAYS) + 1)]
    assert statuses == ["queued"] * len(jobs.RETRY_DELAYS) + ["failed"]
    assert _run(demo_app, job_id)[1].error == busy  # the owner reads why, not «внутренняя ошибка»
