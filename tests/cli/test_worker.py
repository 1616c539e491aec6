"""The worker: its schedule runs the same routines as the cron commands, each at its time by the service's clock;
Procrastinate gets the same schedule (in UTC) on PostgreSQL; `docflow serve`'s thread runs queued jobs on SQLite;
`docflow jobs purge` removes results whose time is up and keeps a stored file another row still uses."""

from __future__ import annotations

import time
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select, text

from tests.conftest import TODAY, ZONE
from webapp import clock
from webapp.extensions import db
from webapp.models import Job, StoredFile, User
from webapp.services import files, jobs, routines, worker


def _recorded(monkeypatch) -> list[str]:
    ran: list[str] = []
    for name in ("remind", "notify", "send_webhooks", "keep_dashboards", "purge_jobs", "analyze"):
        monkeypatch.setattr(routines, name, lambda name=name: ran.append(name))
    return ran


def test_the_schedule_runs_each_routine_at_its_time(app, frozen_clock, monkeypatch):
    ran = _recorded(monkeypatch)
    at = lambda hour, minute, second=0, day=TODAY: datetime(day.year, day.month, day.day, hour, minute,  # noqa: E731
                                                              second, tzinfo=ZONE)
    with app.app_context():
        scheduler = worker.Scheduler(app)
        frozen_clock.move_to(at(7, 59, 50))
        assert scheduler.tick() == [] and ran == []  # the first look only notes the time
        frozen_clock.move_to(at(7, 59, 58))
        assert scheduler.tick() == []
        frozen_clock.move_to(at(8, 0, 5))  # 08:00 in Moscow: every routine but the purge (at :17)
        assert scheduler.tick() == ["remind", "notify", "webhooks", "dashboards"]
        frozen_clock.move_to(at(8, 0, 40))
        assert scheduler.tick() == []  # nothing twice in one minute
        frozen_clock.move_to(at(8, 17, 1))  # minutes were missed: each routine once, not once per missed time
        assert scheduler.tick() == ["notify", "webhooks", "dashboards", "purge_jobs"]
        frozen_clock.move_to(at(8, 0, 2, day=TODAY + timedelta(days=1)))
        assert scheduler.tick() == ["remind", "notify", "webhooks", "dashboards", "purge_jobs",
                                    "analyze"]  # analyze at 03:41
    assert ran == ["remind", "notify", "send_webhooks", "keep_dashboards", "notify", "send_webhooks",
                   "keep_dashboards", "purge_jobs", "remind", "notify", "send_webhooks", "keep_dashboards",
                   "purge_jobs", "analyze"]


def test_the_reminders_hour_is_a_setting(app, frozen_clock, monkeypatch):
    ran = _recorded(monkeypatch)
    app.config["REMIND_HOUR"] = 9
    with app.app_context():
        scheduler = worker.Scheduler(app)
        frozen_clock.move_to(datetime(2026, 11, 23, 8, 59, 59, tzinfo=ZONE))
        scheduler.tick()
        frozen_clock.move_to(datetime(2026, 11, 23, 9, 0, 1, tzinfo=ZONE))
        assert "remind" in scheduler.tick()
    assert ran.count("remind") == 1


def test_a_failing_routine_does_not_stop_the_others(app, frozen_clock, monkeypatch):
    ran = _recorded(monkeypatch)

    def broken():
        raise RuntimeError("smtp down")

    monkeypatch.setattr(routines, "notify", broken)
    with app.app_context():
        scheduler = worker.Scheduler(app)
        frozen_clock.move_to(datetime(2026, 11, 23, 10, 4, 59, tzinfo=ZONE))
        scheduler.tick()
        frozen_clock.move_to(datetime(2026, 11, 23, 10, 5, 1, tzinfo=ZONE))
        assert scheduler.tick() == ["notify", "webhooks", "dashboards"]
    assert ran == ["send_webhooks", "keep_dashboards"]


def test_procrastinate_gets_the_same_schedule_in_utc_and_runs_the_same_routines(app, monkeypatch):
    """PostgreSQL's schedule: built without a database connection (Procrastinate connects when the worker starts)."""
    ran = _recorded(monkeypatch)
    app.config["SQLALCHEMY_DATABASE_URI"] = "postgresql+psycopg://docflow@db.invalid/docflow"
    queue_app = worker.procrastinate_app(app)
    crons = {periodic_id: (task.task.name, task.cron)
             for (_, periodic_id), task in queue_app.periodic_registry.periodic_tasks.items()}
    assert crons == {"remind": ("docflow.remind", "0 5 * * *"),  # 08:00 in Moscow (UTC+3)
                     "notify": ("docflow.notify", "*/5 * * * *"), "webhooks": ("docflow.webhooks", "* * * * *"),
                     "dashboards": ("docflow.dashboards", "* * * * *"),
                     "purge_jobs": ("docflow.purge_jobs", "17 * * * *"),
                     "analyze": ("docflow.analyze", "41 0 * * *")}  # 03:41 in Moscow
    for name in ("docflow.remind", "docflow.notify", "docflow.webhooks", "docflow.dashboards", "docflow.purge_jobs",
                 "docflow.analyze"):
        queue_app.tasks[name](timestamp=0)
    assert ran == ["remind", "notify", "send_webhooks", "keep_dashboards", "purge_jobs", "analyze"]
    assert "docflow.run_job" in queue_app.tasks


def test_the_commands_and_the_schedule_share_the_routines(app):
    assert [r.run for r in worker.schedule(app.config)] == [routines.remind, routines.notify,
                                                            routines.send_webhooks, routines.keep_dashboards,
                                                            routines.purge_jobs, routines.analyze]


def test_the_nightly_analyze_gives_sqlite_its_planner_statistics(app, make_user):
    """SQLite's planner has no statistics until ANALYZE runs (PostgreSQL's autovacuum keeps its own)."""
    make_user("exe", "executor")
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            assert routines.analyze() is False
            return
        def analysed() -> set[str]:
            stats = "SELECT count(*) FROM sqlite_schema WHERE name = 'sqlite_stat1'"
            if not db.session.execute(text(stats)).scalar():
                return set()
            return {row[0] for row in db.session.execute(text("SELECT tbl FROM sqlite_stat1"))}

        assert "user_account" not in analysed()  # migrations 0037 and 0038 analyse only their own new indexes
        assert routines.analyze() is True
        assert "user_account" in analysed()


def _job(app, login: str, done_days_ago: int | None = None, content: bytes = b"result") -> int:
    with app.app_context():
        owner = db.session.scalar(select(User).where(User.login == login))
        job = jobs.start(owner, "export.bulk", "Выгрузка", {"name": "x.xlsx"})
        if done_days_ago is not None:
            finished = clock.now() - timedelta(days=done_days_ago)
            job.status, job.finished_at = "done", finished
            job.expires_at = finished + timedelta(days=app.config["JOB_RESULT_DAYS"])
            job.result = files.store_bytes(content, "x.xlsx")
        db.session.commit()
        return job.id


def test_purge_removes_expired_results_and_keeps_a_file_still_used(app, runner, make_user, frozen_clock):
    make_user("exe", "executor")
    old, shared_recent, own_file = (_job(app, "exe", 8), _job(app, "exe", 1),
                                    _job(app, "exe", 8, content=b"only this job"))
    running = _job(app, "exe")
    with app.app_context():
        paths = {job_id: files.files_root() / db.session.get(Job, job_id).result.relative_path
                 for job_id in (old, shared_recent, own_file)}
        db.session.get(Job, running).status = "running"
        db.session.get(Job, running).started_at = clock.now() - timedelta(hours=3)
        db.session.commit()
    result = runner.invoke(args=["jobs", "purge"])
    assert result.exit_code == 0 and "Jobs removed: 2." in result.output, result.output
    with app.app_context():
        assert db.session.get(Job, old) is None and db.session.get(Job, own_file) is None
        assert db.session.get(Job, shared_recent).result is not None
        assert db.session.get(Job, running).status == "failed" and db.session.get(Job, running).error == jobs.STALLED
        assert db.session.scalar(select(func.count(StoredFile.id))) == 1
    assert paths[shared_recent].exists() and not paths[own_file].exists()  # the old job's bytes are the recent's


def test_serve_runs_queued_jobs_in_a_thread_of_its_own(app, make_user):
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("PostgreSQL runs jobs in `docflow worker` (Procrastinate), not in the server's process")
    make_user("exe", "executor")
    job_id = _job(app, "exe")
    stop = worker.start_in_process(app)
    try:
        for _ in range(200):  # waits for the thread (at most 20 s on a busy machine); times nothing
            with app.app_context():
                status = db.session.get(Job, job_id).status
                db.session.remove()
            if status in ("done", "failed"):
                break
            time.sleep(0.1)
    finally:
        stop.set()
    assert status == "done"
