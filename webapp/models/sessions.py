"""Signing in: a row per session (so logout and an administrator can end it) and login throttling counters."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp import clock
from webapp.extensions import db
from webapp.models.people import User


class UserSession(db.Model):
    """One signed-in browser. Its cookies carry a random token; only the token's SHA-256 is stored, so a copy of the
    database opens no session. Ended by logout, a password change, an administrator, or time."""

    __tablename__ = "user_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    remember: Mapped[bool] = mapped_column(Boolean, default=False)  # «Запомнить меня»: survives the browser
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=clock.now)
    last_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=clock.now)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))  # absolute end, whatever the activity
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    ip: Mapped[str | None] = mapped_column(String(45))
    user_agent: Mapped[str | None] = mapped_column(String(300))

    user: Mapped[User] = relationship()


class LoginThrottle(db.Model):
    """Failed logins of one account or one address: after a few, each try must wait longer; after many, a lockout.
    Kept in the database so every worker process and host counts the same."""

    __tablename__ = "login_throttle"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)  # "login:<login>" or "ip:<address>"
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_failure_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    blocked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
