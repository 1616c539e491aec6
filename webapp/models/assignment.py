"""Assignments (поручения): directives to act, tracked until the controller accepts them."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Column, Date, DateTime, ForeignKey, String, Table, Text, UniqueConstraint, and_, literal_column
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp import clock
from webapp.extensions import db
from webapp.models._types import enum_check
from webapp.models.document import Document, Point
from webapp.models.people import Body, User


class AssignmentStatus(enum.StrEnum):
    draft = "draft"  #: its document is not published yet: planned, not in force
    new = "new"  #: in force, nobody has taken it yet
    in_work = "in_work"  #: taken into work by the responsible body
    reported = "reported"  #: execution reported, awaiting the controller
    returned = "returned"  #: the controller returned the report for rework
    done = "done"  #: accepted by the controller
    cancelled = "cancelled"  #: cancelled, with a reason


#: Not closed: the assignment still waits for someone (overdue when its deadline has passed).
OPEN_STATUSES = (AssignmentStatus.new, AssignmentStatus.in_work, AssignmentStatus.reported, AssignmentStatus.returned)

STATUS_TITLES = {
    AssignmentStatus.draft: "Проект",
    AssignmentStatus.new: "Новое",
    AssignmentStatus.in_work: "В работе",
    AssignmentStatus.reported: "Отчёт представлен",
    AssignmentStatus.returned: "Возвращено на доработку",
    AssignmentStatus.done: "Исполнено",
    AssignmentStatus.cancelled: "Снято с контроля",
}


class DeadlineKind(enum.StrEnum):
    by = "by"  #: finish by a date («в срок до 1 февраля 2022 года»)
    from_ = "from"  #: start from a date («с 1 сентября 2021 года»)
    period = "period"  #: a span («2015 – 2016 гг»)
    periodic = "periodic"  #: recurring («ежеквартально»)
    ongoing = "ongoing"  #: a standing duty («обеспечивать»)
    none = "none"  #: no deadline said


KIND_TITLES = {
    DeadlineKind.by: "до даты",
    DeadlineKind.from_: "с даты",
    DeadlineKind.period: "период",
    DeadlineKind.periodic: "периодически",
    DeadlineKind.ongoing: "постоянно",
    DeadlineKind.none: "без срока",
}

assignment_coexecutor = Table(
    "assignment_coexecutor",
    db.metadata,
    Column("assignment_id", ForeignKey("assignment.id", ondelete="CASCADE"), primary_key=True),
    Column("body_id", ForeignKey("body.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Assignment(db.Model):
    __tablename__ = "assignment"
    __table_args__ = (enum_check("status", AssignmentStatus), enum_check("deadline_kind", DeadlineKind),
                      UniqueConstraint("series_id", "original_deadline"))

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id", ondelete="CASCADE"), index=True)
    point_id: Mapped[int | None] = mapped_column(ForeignKey("point.id", ondelete="SET NULL"), index=True)
    lead_body_id: Mapped[int | None] = mapped_column(ForeignKey("body.id", ondelete="SET NULL"), index=True)
    controller_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    controller_text: Mapped[str | None] = mapped_column(Text)
    action: Mapped[str] = mapped_column(Text)
    deadline: Mapped[date | None] = mapped_column(Date, index=True)
    start_date: Mapped[date | None] = mapped_column(Date)
    deadline_text: Mapped[str | None] = mapped_column(String(300))
    deadline_kind: Mapped[str] = mapped_column(String(20), default=DeadlineKind.none)
    # Written only by the assignment service.
    status: Mapped[str] = mapped_column(String(20), default=AssignmentStatus.new)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=clock.now)
    completed_on: Mapped[date | None] = mapped_column(Date)
    original_deadline: Mapped[date | None] = mapped_column(Date)  # as the document said; `deadline` may move
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    # A periodic assignment («ежеквартально») is a series; each dated occurrence is an assignment of its own,
    # with `series_id` set and `original_deadline` its due date (unique within the series).
    series_id: Mapped[int | None] = mapped_column(ForeignKey("assignment.id", ondelete="CASCADE"), index=True)
    materialised_until: Mapped[date | None] = mapped_column(Date)  # a series: occurrences exist up to this day
    # The date «Дата документа» sorts by (its document's registration date, else its event date): kept by the
    # database's triggers (migration 0044) whoever writes the assignment or the document, never set by the
    # service; deferred (read from the row when asked), so that no object holds a value a trigger replaced.
    doc_sort_date: Mapped[date | None] = mapped_column(Date, deferred=True)

    document: Mapped[Document] = relationship()
    point: Mapped[Point | None] = relationship()
    lead_body: Mapped[Body | None] = relationship()
    coexecutors: Mapped[list[Body]] = relationship(secondary=assignment_coexecutor)
    controller: Mapped[User | None] = relationship()
    reports: Mapped[list[Report]] = relationship(cascade="all, delete-orphan", order_by="Report.id",
                                                 back_populates="assignment")
    deadline_changes: Mapped[list[DeadlineChange]] = relationship(
        cascade="all, delete-orphan", order_by="DeadlineChange.id", back_populates="assignment")
    series: Mapped[Assignment | None] = relationship(remote_side=[id], back_populates="occurrences")
    occurrences: Mapped[list[Assignment]] = relationship(
        back_populates="series", cascade="all, delete-orphan", order_by="Assignment.original_deadline")

    @hybrid_property
    def is_series(self) -> bool:
        """A periodic assignment: reported on through its dated occurrences, not by itself."""
        return self.deadline_kind == DeadlineKind.periodic and self.series_id is None

    @is_series.inplace.expression
    @classmethod
    def _is_series_expression(cls):
        # The value inline, as the partial index ix_assignment_series (models/indexes.py) writes it: neither SQLite
        # nor PostgreSQL's generic plans match a partial index's predicate to a bound parameter.
        return and_(cls.deadline_kind == literal_column(f"'{DeadlineKind.periodic.value}'"), cls.series_id.is_(None))

    @property
    def status_title(self) -> str:
        return STATUS_TITLES[AssignmentStatus(self.status)]

    @property
    def kind_title(self) -> str:
        return KIND_TITLES[DeadlineKind(self.deadline_kind)]

    @property
    def point_number(self) -> str | None:
        return self.point.number if self.point else None

    @property
    def bodies(self) -> list[Body]:
        return ([self.lead_body] if self.lead_body else []) + list(self.coexecutors)

    @property
    def times_moved(self) -> int:
        return sum(1 for change in self.deadline_changes if change.status == ChangeStatus.approved)

    @property
    def done_late(self) -> bool:
        return bool(self.status == AssignmentStatus.done and self.completed_on and self.deadline
                    and self.completed_on > self.deadline)


class ReportDecision(enum.StrEnum):
    accepted = "accepted"  #: the controller accepted: the assignment is done
    returned = "returned"  #: the controller returned it for rework


class Report(db.Model):
    """An execution report (отчёт об исполнении) by a responsible body, with files."""

    __tablename__ = "assignment_report"
    __table_args__ = (enum_check("decision", ReportDecision),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignment.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=clock.now)
    decision: Mapped[str | None] = mapped_column(String(20))
    decision_comment: Mapped[str | None] = mapped_column(Text)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    assignment: Mapped[Assignment] = relationship(back_populates="reports")
    author: Mapped[User | None] = relationship(foreign_keys=[author_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])
    files: Mapped[list[ReportFile]] = relationship(cascade="all, delete-orphan", order_by="ReportFile.id")


class ReportFile(db.Model):
    __tablename__ = "assignment_report_file"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("assignment_report.id", ondelete="CASCADE"), index=True)
    file_id: Mapped[int] = mapped_column(ForeignKey("stored_file.id", ondelete="RESTRICT"))
    filename: Mapped[str] = mapped_column(String(255))


class ChangeStatus(enum.StrEnum):
    pending = "pending"  #: asked, the controller has not decided
    approved = "approved"  #: the deadline moved to new_date
    rejected = "rejected"  #: the deadline stays


class DeadlineChange(db.Model):
    """A request to extend a deadline (перенос срока) and the controller's decision."""

    __tablename__ = "deadline_change"
    __table_args__ = (enum_check("status", ChangeStatus),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignment.id", ondelete="CASCADE"), index=True)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    requested_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=clock.now)
    reason: Mapped[str] = mapped_column(Text)
    requested_date: Mapped[date | None] = mapped_column(Date)
    old_date: Mapped[date | None] = mapped_column(Date)
    new_date: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default=ChangeStatus.pending)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decision_comment: Mapped[str | None] = mapped_column(Text)

    assignment: Mapped[Assignment] = relationship(back_populates="deadline_changes")
    requested_by: Mapped[User | None] = relationship(foreign_keys=[requested_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])
