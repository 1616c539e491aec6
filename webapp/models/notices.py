"""What the service sends out: reminder log rows (exactly once), users' e-mail choices, calendar feed tokens."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp import clock
from webapp.extensions import db
from webapp.models.people import Body, User


class ReminderLog(db.Model):
    """One reminder to one person for one reason; `sent` rows are never sent again, `failed` ones are retried."""

    __tablename__ = "reminder_log"
    __table_args__ = (
        UniqueConstraint("user_id", "reason", "key", "assignment_id"),
        # A digest has no assignment, and NULLs never clash in a unique constraint: this index makes two runs'
        # digests to one person for one week clash too (migration 0021).
        Index("uq_reminder_log_without_assignment", "user_id", "reason", "key", unique=True,
              sqlite_where=text("assignment_id IS NULL"), postgresql_where=text("assignment_id IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int | None] = mapped_column(ForeignKey("assignment.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    reason: Mapped[str] = mapped_column(String(30))  # before_7, before_1, overdue, digest
    key: Mapped[str] = mapped_column(String(40))  # the deadline, or the ISO week of a digest
    status: Mapped[str] = mapped_column(String(10), default="failed")  # sent | failed | sending (claimed)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=clock.now, onupdate=clock.now)


MAIL_MODES = ("each", "digest", "none")  #: every notification by e-mail, one digest a day, or no e-mail


class MailSetting(db.Model):
    """A user's choice of e-mail for notifications; a user without a row gets each one (`each`)."""

    __tablename__ = "mail_setting"

    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True)
    mode: Mapped[str] = mapped_column(String(10), default="each")
    digest_on: Mapped[date | None] = mapped_column(Date)  # the organisation's day of the last digest sent


class CalendarToken(db.Model):
    """A secret feed address for a user's or a body's deadlines; only its SHA-256 is stored; revocable."""

    __tablename__ = "calendar_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    body_id: Mapped[int | None] = mapped_column(ForeignKey("body.id", ondelete="CASCADE"))  # None: the owner's own
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=clock.now)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    owner: Mapped[User] = relationship()
    body: Mapped[Body | None] = relationship()
