"""Personal API tokens: a user's named, scoped, expiring keys to /api/v1; only their SHA-256 is stored."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp import clock
from webapp.extensions import db
from webapp.models.people import User

SCOPES = ("read", "write")  #: read: GET requests; write: every request that changes something


class ApiToken(db.Model):
    """A key a program presents as `Authorization: Bearer <token>`; it acts as its owner, within its scopes."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(12))  #: the token's first characters, to tell tokens apart in lists
    scopes: Mapped[str] = mapped_column(String(40))  #: space-separated, from SCOPES
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=clock.now)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    user: Mapped[User] = relationship()

    @property
    def scope_set(self) -> set[str]:
        return set(self.scopes.split())


class ApiRateWindow(db.Model):
    """The current rate-limit window of one API key (a token, or a signed-in user): one row per key, shared by
    every worker and host, counted by one atomic UPSERT per request (services/tokens.RateLimiter)."""

    __tablename__ = "api_rate_window"

    key: Mapped[str] = mapped_column(String(40), primary_key=True)  #: token:<id> or user:<id>
    window_start: Mapped[int] = mapped_column(BigInteger)  #: Unix seconds, a multiple of the window's length
    count: Mapped[int] = mapped_column(Integer)  #: requests in that window, the refused ones included
