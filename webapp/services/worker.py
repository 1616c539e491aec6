"""The worker: runs queued jobs and the periodic routines. On PostgreSQL it is Procrastinate's worker (jobs fetched
with FOR UPDATE SKIP LOCKED, each periodic run deferred once whatever the number of workers); on SQLite a loop of
our own over the `job` table, in `docflow worker` or in a thread of `docflow serve`."""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

from croniter import croniter
from flask import Flask
from sqlalchemy.engine import make_url

from webapp import clock, collector
from webapp.extensions import db
from webapp.services import (
    attachments,  # noqa: F401 - registers the kinds of job it defines
    document_jobs,  # noqa: F401 - registers the kinds of job it defines
    export_jobs,  # noqa: F401 - registers the kinds of job it defines
    jobs,
    queue,
    routines,
)

log = logging.getLogger(__name__)
POLL_SECONDS = 1.0  #: SQLite: how often an idle worker looks for queued jobs and due routines


@dataclass(frozen=True)
class Routine:
    """Periodic work: its name, when (cron, in the organisation's time zone) and the call that does it."""

    name: str
    cron: str
    run: Callable[[], object]


def schedule(config) -> list[Routine]:
    """What the worker runs by the clock (cron in the documented set-up: the same calls)."""
    return [
        Routine("remind", f"0 {int(config['REMIND_HOUR'])} * * *", routines.remind),
        Routine("notify", "*/5 * * * *", routines.notify),
        Routine("webhooks", "* * * * *", routines.send_webhooks),
        Routine("dashboards", "* * * * *", routines.keep_dashboards),
        Routine("purge_jobs", "17 * * * *", routines.purge_jobs),
        Routine("analyze", "41 3 * * *", routines.analyze),
    ]


def due(routine: Routine, last: datetime, now: datetime, zone: ZoneInfo) -> bool:
    """Whether a time of the routine's cron (read in `zone`) came after `last` and by `now`."""
    upcoming = croniter(routine.cron, last.astimezone(zone)).get_next(datetime)
    return upcoming <= now.astimezone(zone)


class Scheduler:
    """SQLite's schedule: each routine when its time has come since the last look (the first look only notes the
    time: starting a worker sends nothing by itself)."""

    def __init__(self, app: Flask):
        self.app = app
        self.routines = schedule(app.config)
        self.zone = ZoneInfo(app.config["TIMEZONE"])
        self.last: datetime | None = None

    def tick(self) -> list[str]:
        """Run what is due; the names of the routines run."""
        now, ran = clock.now(), []
        if self.last is not None:
            for routine in self.routines:
                if due(routine, self.last, now, self.zone):
                    _safely(routine.name, routine.run)
                    ran.append(routine.name)
        self.last = now
        return ran


def _safely(name: str, work: Callable[[], object]) -> None:
    """A routine that fails is logged and tried again at its next time; the worker goes on."""
    try:
        work()
    except Exception:  # noqa: BLE001 - one failing routine must not stop the worker
        db.session.rollback()
        log.exception("routine %s failed", name)
    finally:
        db.session.remove()
        collector.collect_due()  # between routines, never inside one (webapp.collector)


def run_queued(app: Flask) -> int:
    """SQLite: run every queued job, oldest first; how many were run."""
    count = 0
    while True:
        with app.app_context():
            job_id = jobs.next_queued()
            if job_id is None:
                db.session.remove()
                return count
            if jobs.run(job_id) is not None:
                count += 1
            db.session.remove()


def run_sqlite(app: Flask, burst: bool, stop: threading.Event, periodic: bool = True) -> int:
    """SQLite's worker loop until `stop` (or, `burst`, until nothing is queued)."""
    scheduler = Scheduler(app) if periodic and not burst else None
    count = 0
    while not stop.is_set():
        count += run_queued(app)
        if burst:
            return count
        if scheduler is not None:
            with app.app_context():
                scheduler.tick()
        collector.collect_due()  # an idle loop's garbage too, when no request collects it (webapp.collector)
        stop.wait(POLL_SECONDS)
    return count


# --- PostgreSQL: Procrastinate ----------------------------------------------------------------------------------


def utc_cron(cron: str, zone: ZoneInfo) -> str:
    """A daily cron «M H * * *» of the organisation's zone as Procrastinate reads it (UTC), at today's offset."""
    minute, hour, *rest = cron.split()
    if not hour.isdigit():
        return cron
    moment = datetime.combine(clock.today(), time(int(hour), int(minute) if minute.isdigit() else 0), zone)
    return " ".join([minute, str(moment.astimezone(UTC).hour), *rest])


def procrastinate_app(app: Flask, periodic: bool = True):
    """Procrastinate's app on the service's PostgreSQL: the task that runs our jobs, and the routines."""
    import procrastinate

    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"]).set(drivername="postgresql")
    queue_app = procrastinate.App(connector=procrastinate.PsycopgConnector(
        conninfo=url.render_as_string(hide_password=False), kwargs={"autocommit": True}, min_size=1, max_size=4))

    @queue_app.task(name=queue.RUN_JOB, queue=queue.QUEUE)
    def run_job(job_id: int) -> None:
        with app.app_context():
            try:
                jobs.run(job_id)
            finally:
                db.session.remove()

    if periodic:
        zone = ZoneInfo(app.config["TIMEZONE"])
        with app.app_context():  # today's offset of the zone, by the service's clock
            crons = {routine.name: utc_cron(routine.cron, zone) for routine in schedule(app.config)}
        for routine in schedule(app.config):
            def work(timestamp: int, routine: Routine = routine) -> None:
                with app.app_context():
                    _safely(routine.name, routine.run)

            task = queue_app.task(name=f"docflow.{routine.name}", queue=queue.QUEUE)(work)
            queue_app.periodic(cron=crons[routine.name], periodic_id=routine.name)(task)
    return queue_app


def run_postgresql(app: Flask, burst: bool, periodic: bool = True) -> None:
    """Procrastinate's worker until stopped (SIGINT/SIGTERM), or, `burst`, until nothing is queued."""
    queue_app = procrastinate_app(app, periodic=periodic and not burst)

    def work() -> None:
        queue_app.run_worker(queues=[queue.QUEUE], wait=not burst, install_signal_handlers=not burst,
                             listen_notify=not burst, delete_jobs="successful")

    try:
        asyncio.get_running_loop()
    except RuntimeError:  # the usual case: the command's own thread, where Procrastinate runs its event loop
        work()
        return
    # called from code that runs an event loop in this thread (a browser test's Playwright): a thread of its own
    failure: list[BaseException] = []
    thread = threading.Thread(target=lambda: _collect(work, failure), name="docflow-worker-burst")
    thread.start()
    thread.join()
    if failure:
        raise failure[0]


def _collect(work: Callable[[], None], failure: list[BaseException]) -> None:
    try:
        work()
    except BaseException as exc:  # noqa: BLE001 - raised again in the caller's thread
        failure.append(exc)


def run(app: Flask, burst: bool = False, periodic: bool = True) -> None:
    """`docflow worker`: the engine's worker for this database."""
    with app.app_context():
        postgresql = queue.on_postgresql()
    if postgresql:
        run_postgresql(app, burst, periodic)
    else:
        run_sqlite(app, burst, threading.Event(), periodic)


def start_in_process(app: Flask) -> threading.Event:
    """`docflow serve` on SQLite: the worker as a thread of the server's process; set the event to stop it."""
    stop = threading.Event()
    threading.Thread(target=run_sqlite, args=(app, False, stop), name="docflow-worker", daemon=True).start()
    return stop
