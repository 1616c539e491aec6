"""The data's version: a token that every commit changing what the overseers' figures are counted from replaces
(services/versions.py), so that a process may keep figures it counted for as long as the token it read before
counting them is the current one."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from webapp import clock
from webapp.extensions import db


class DataVersion(db.Model):
    """One row (id 1): a random token, replaced by each commit that changes the tracked tables."""

    __tablename__ = "data_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(32))


class KeptOverview(db.Model):
    """An overview of assignment control counted under a version of the data (services/dashboard.py), shared by
    every process and host on PostgreSQL: one row per set of filters and day (`key`, a digest of them) holding its
    newest count — the token it was counted under, when the count began, its figures as JSON, when a page last
    looked at them. Rows not counted again for a day are removed as others are written."""

    __tablename__ = "kept_overview"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    token: Mapped[str] = mapped_column(String(32))
    payload: Mapped[str] = mapped_column(Text)
    counted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=clock.now)
    #: when a page last asked for these figures (noted at most every LOOK_NOTED; the worker's count keeps it)
    looked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
