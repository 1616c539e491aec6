"""Jobs: work a user starts that runs outside the request (big exports), its progress, its result kept for a
while in the file store, and the clean-up of old results. Which engine carries a job to a worker is queue.py's
business; this module only creates, runs and records."""

from __future__ import annotations

import logging
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import IO, Any, TypeVar

from flask import current_app
from sqlalchemy import delete, exists, or_, select, update

from webapp import clock, collector
from webapp.extensions import db
from webapp.models import Job, JobStatus, StoredFile, User
from webapp.services import files, policy, queue
from webapp.services.errors import Invalid, NotAllowed, NotFound

log = logging.getLogger(__name__)
T = TypeVar("T")

FAILED = "Задание не выполнено из-за внутренней ошибки. Запустите его ещё раз; если ошибка повторится, сообщите " \
         "администратору."
STALLED = "Задание прервано: обработчик заданий остановился, не закончив его. Запустите его ещё раз."
STALLED_AFTER = timedelta(hours=2)  #: a job running this long has lost its worker (the worker died)
#: The pauses before a job that failed on something passing runs again: after the last, it fails for its owner.
RETRY_DELAYS = (timedelta(minutes=1), timedelta(minutes=5))


class Passing(Exception):
    """What a job's work raises when something that passes stopped it (every PDF slot of the host taken): the job
    is tried again later; `reason` (Russian) is its owner's when no try is left."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Output:
    """What a job's work hands back: written to `write(target)`, downloaded as `name` of type `mimetype`."""

    name: str
    mimetype: str
    write: Callable[[IO[bytes]], Any]


class Progress:
    """Reports how far a job has got. Written by a connection of its own and committed at once, so the job's page
    shows it while the job's own transaction (reading an export in batches) is still open."""

    def __init__(self, job_id: int):
        self.job_id = job_id

    def __call__(self, done: int, total: int | None = None, message: str | None = None) -> None:
        values: dict[str, Any] = {"progress_done": done}
        if total is not None:
            values["progress_total"] = total
        if message is not None:
            values["message"] = message[:300]
        with db.engine.begin() as connection:
            connection.execute(update(Job).where(Job.id == self.job_id).values(**values))
        collector.collect_due()  # a long job's garbage, at its reports (every 1,000 rows of an export)

    def counted(self, rows: Iterable[T], every: int = 1000) -> Iterator[T]:
        """`rows` passed through, the count reported every `every` rows (an export's batch) and at the end."""
        done = 0
        for done, row in enumerate(rows, 1):  # noqa: B007 - the count after the loop is the total
            if done % every == 0:
                self(done)
            yield row
        self(done)


#: kind -> the function that does a job's work: (job, progress) -> the output to keep, or None
KINDS: dict[str, Callable[[Job, Progress], Output | None]] = {}


def kind(name: str):
    def register(work: Callable[[Job, Progress], Output | None]):
        KINDS[name] = work
        return work

    return register


def start(owner: User, kind_name: str, title: str, params: dict | None = None, total: int | None = None) -> Job:
    """A queued job of `owner`'s. It reaches a worker only when the caller's transaction commits (on PostgreSQL
    its queue row is written in that transaction; on SQLite the worker looks for committed queued rows): a
    rolled-back request starts nothing."""
    if kind_name not in KINDS:
        raise ValueError(f"unknown job kind {kind_name!r}")
    job = Job(kind=kind_name, owner=owner, title=title[:300], params=params or {}, status=JobStatus.queued,
              progress_done=0, progress_total=total)
    db.session.add(job)
    db.session.flush()
    queue.defer(job.id)
    return job


def get(user: User, job_id: int) -> Job:
    """The job, when the user may see it (its owner, or an administrator)."""
    job = db.session.get(Job, job_id)
    if job is None:
        raise NotFound("Задание не найдено.")
    policy.ensure(user, "read_job", job)
    return job


def owned(user: User):
    """The user's own jobs (the list «Задания»), newest first by the caller's paging."""
    return select(Job).where(Job.owner_id == user.id)


def any_of(user: User):
    """Whether the user has started any job, as an EXISTS (the menu shows «Задания» then)."""
    return exists().where(Job.owner_id == user.id)


def claim(job_id: int) -> bool:
    """Take a queued job for this worker (one conditional UPDATE: two workers never both get it) and commit."""
    taken = db.session.execute(update(Job).where(Job.id == job_id, Job.status == JobStatus.queued)
                               .values(status=JobStatus.running, started_at=clock.now())).rowcount
    db.session.commit()
    return taken == 1


def next_queued() -> int | None:
    """The oldest queued job's id whose time has come (SQLite's worker polls with it; a retry waits)."""
    return db.session.scalar(select(Job.id).where(
        Job.status == JobStatus.queued, or_(Job.run_after.is_(None), Job.run_after <= clock.now()))
        .order_by(Job.id).limit(1))


def _retry(job_id: int) -> bool:
    """Queue a job that failed on something passing again after its pause, if it has a try left."""
    job = db.session.get(Job, job_id)
    if job.attempts >= len(RETRY_DELAYS):
        return False
    at = clock.now() + RETRY_DELAYS[job.attempts]
    job.attempts += 1
    job.status, job.started_at, job.run_after, job.progress_done = JobStatus.queued, None, at, 0
    job.message = f"Попытка {job.attempts} не удалась; следующая в {clock.local(at):%H:%M}."
    queue.defer(job_id, at)
    db.session.commit()
    return True


def run(job_id: int) -> str | None:
    """Run one queued job to its end: done with its result stored, or failed with a message for its owner and
    nothing of its result kept; a failure that may pass (not a rule's refusal) queues it again after a pause, at
    most len(RETRY_DELAYS) times. Returns the status it is left in (None: another worker had claimed it)."""
    if not claim(job_id):
        return None
    job = db.session.get(Job, job_id)
    work = KINDS.get(job.kind)
    fd, path = tempfile.mkstemp(prefix="docflow-job-")
    try:
        if work is None:
            raise Invalid("Задания такого вида этот сервер не выполняет (обновите его).")
        output = work(job, Progress(job_id))
        result = None
        if output is not None:
            with os.fdopen(fd, "wb") as out:
                fd = None
                output.write(out)
            db.session.commit()  # end the job's reads before writing (SQLite: a read snapshot cannot write)
            with open(path, "rb") as written:
                result = files.store_bytes(written.read(), output.name, output.mimetype)
        job = db.session.get(Job, job_id)
        now = clock.now()
        job.status, job.finished_at = JobStatus.done, now
        job.expires_at = now + timedelta(days=current_app.config["JOB_RESULT_DAYS"])
        if result is not None:
            job.result, job.result_name, job.result_type = result, output.name, output.mimetype
        job.progress_done = max(job.progress_done, job.progress_total or 0)
        db.session.commit()
    except Exception as exc:  # noqa: BLE001 - any failure ends the job with a message for its owner
        db.session.rollback()
        if not isinstance(exc, Invalid | NotAllowed | NotFound):  # a rule said no: trying again would not help
            if isinstance(exc, Passing):
                log.warning("job %s (%s) stopped: %s", job_id, getattr(job, "kind", "?"), exc.reason)
            else:
                log.exception("job %s (%s) failed", job_id, getattr(job, "kind", "?"))
            if _retry(job_id):
                return JobStatus.queued
        reason = getattr(exc, "reason", None) or FAILED
        db.session.execute(update(Job).where(Job.id == job_id).values(
            status=JobStatus.failed, error=reason, finished_at=clock.now(),
            expires_at=clock.now() + timedelta(days=current_app.config["JOB_RESULT_DAYS"])))
        db.session.commit()
    finally:
        if fd is not None:
            os.close(fd)
        os.unlink(path)
        collector.collect_due()  # between jobs, never inside one (webapp.collector), whichever worker runs it
    return db.session.get(Job, job_id).status


def _stored_file_referenced(file_id: int) -> bool:
    """Whether any row of any table (attachments, report files, templates, other jobs) still uses the file."""
    for table in db.metadata.tables.values():
        for column in table.columns:
            if any(fk.column.table.name == StoredFile.__tablename__ for fk in column.foreign_keys):
                if db.session.scalar(select(exists().where(column == file_id))):
                    return True
    return False


def purge() -> int:
    """Remove the jobs whose time is up, with their results (a stored file no other row uses goes from the store
    too); a job running for longer than any should is marked failed. Safe on several hosts at once. Returns the
    number of jobs removed."""
    now = clock.now()
    db.session.execute(update(Job).where(Job.status == JobStatus.running, Job.started_at < now - STALLED_AFTER)
                       .values(status=JobStatus.failed, error=STALLED, finished_at=now,
                               expires_at=now + timedelta(days=current_app.config["JOB_RESULT_DAYS"])))
    expired = db.session.execute(select(Job.id, Job.result_id).where(
        Job.expires_at < now, or_(Job.status == JobStatus.done, Job.status == JobStatus.failed))).all()
    if not expired:
        db.session.commit()
        return 0
    db.session.execute(delete(Job).where(Job.id.in_([job_id for job_id, _ in expired])))
    db.session.flush()
    gone = []
    for file_id in {file_id for _, file_id in expired if file_id is not None}:
        if not _stored_file_referenced(file_id):
            row = db.session.get(StoredFile, file_id)
            if row is None:  # another host's purge took it
                continue
            gone.append(files.files_root() / row.relative_path)
            db.session.delete(row)
    db.session.commit()
    for path in gone:  # after the commit: a rolled-back purge never loses a file a row still names
        path.unlink(missing_ok=True)
    return len(expired)
