"""What a workflow leaves on a document: the approval route, registration counters, notifications."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp import clock
from webapp.extensions import db
from webapp.models._types import enum_check
from webapp.models.people import User


class ApprovalMode(enum.StrEnum):
    sequential = "sequential"  #: approvers decide one after another, in order
    parallel = "parallel"  #: all approvers decide at once


class ApprovalDecision(enum.StrEnum):
    approved = "approved"  #: согласовано
    approved_with_remarks = "approved_with_remarks"  #: согласовано с замечаниями
    returned = "returned"  #: возвращено на доработку


DECISION_TITLES = {
    ApprovalDecision.approved: "Согласовано",
    ApprovalDecision.approved_with_remarks: "Согласовано с замечаниями",
    ApprovalDecision.returned: "Возвращено на доработку",
}


class ApprovalStep(db.Model):
    """One approver on one round of a document's approval route (лист согласования)."""

    __tablename__ = "approval_step"
    __table_args__ = (
        enum_check("decision", ApprovalDecision),
        UniqueConstraint("document_id", "round", "user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id", ondelete="CASCADE"), index=True)
    round: Mapped[int] = mapped_column(Integer, default=1)  # a return for rework starts a new round
    position: Mapped[int] = mapped_column(Integer, default=0)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="RESTRICT"))
    decision: Mapped[str | None] = mapped_column(String(30))
    comment: Mapped[str | None] = mapped_column(Text)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    added_while_running: Mapped[bool] = mapped_column(Boolean, default=False)

    user: Mapped[User] = relationship()

    @property
    def decision_title(self) -> str:
        return DECISION_TITLES[ApprovalDecision(self.decision)] if self.decision else "Ожидается"


class NumberCounter(db.Model):
    """The last registration number given per document type, issuing body and year; locked while used."""

    __tablename__ = "number_counter"
    __table_args__ = (UniqueConstraint("doc_type", "body_key", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    doc_type: Mapped[str] = mapped_column(String(20))
    body_key: Mapped[int] = mapped_column(Integer, default=0)  # issuing body id, 0 when there is none
    year: Mapped[int] = mapped_column(Integer)
    last: Mapped[int] = mapped_column(Integer, default=0)


class Notification(db.Model):
    """A message to a user about a document or an assignment: shown in the UI, and mailed by `docflow notify send`
    (services/notifications.py) as the user chose: each one, a daily digest, or none."""

    __tablename__ = "notification"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    document_id: Mapped[int | None] = mapped_column(ForeignKey("document.id", ondelete="CASCADE"))
    assignment_id: Mapped[int | None] = mapped_column(ForeignKey("assignment.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=clock.now)
    read_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # E-mail: sent once. A sender claims rows (mail_claim, its own random id) before sending, so two hosts running
    # `docflow notify send` at once never send the same row; a claim older than the lease is taken over.
    mailed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    mail_claim: Mapped[str | None] = mapped_column(String(32))
    mail_claimed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    mail_attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    mail_error: Mapped[str | None] = mapped_column(Text)
