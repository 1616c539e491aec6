"""Jobs: work run outside a request (big exports, periodic sending) and what its owner sees of it."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp import clock
from webapp.extensions import db
from webapp.models._types import enum_check
from webapp.models.files import StoredFile
from webapp.models.people import User


class JobStatus(enum.StrEnum):
    queued = "queued"  #: waiting for a worker
    running = "running"  #: a worker claimed it and works on it
    done = "done"  #: finished; its result (when it makes one) is stored until `expires_at`
    failed = "failed"  #: stopped with `error`, nothing of its result kept


class Job(db.Model):
    """One piece of work a user started: the user-visible record on both databases. On PostgreSQL the queue's
    own row (Procrastinate's) points here by id; on SQLite the worker claims queued rows of this table."""

    __tablename__ = "job"
    __table_args__ = (enum_check("status", JobStatus), Index("ix_job_owner", "owner_id", "id"),
                      Index("ix_job_status", "status", "id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))  #: a key of services.jobs.KINDS
    owner_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(300))  #: what the job makes, in Russian
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(20), default=JobStatus.queued)
    progress_done: Mapped[int] = mapped_column(Integer, default=0)
    progress_total: Mapped[int | None] = mapped_column(Integer)
    message: Mapped[str | None] = mapped_column(String(300))
    error: Mapped[str | None] = mapped_column(Text)  #: for the user, in Russian
    result_id: Mapped[int | None] = mapped_column(ForeignKey("stored_file.id", ondelete="SET NULL"))
    result_name: Mapped[str | None] = mapped_column(String(300))  #: the download's file name
    result_type: Mapped[str | None] = mapped_column(String(200))  #: its mimetype
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=clock.now)
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))  #: the result is removed then
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")  #: runs that failed and were retried
    run_after: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))  #: a retry waits until then

    owner: Mapped[User] = relationship()
    result: Mapped[StoredFile | None] = relationship()

    @property
    def percent(self) -> int:
        if self.status == JobStatus.done:
            return 100
        if not self.progress_total:
            return 0
        return min(100, self.progress_done * 100 // self.progress_total)
