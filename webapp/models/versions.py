"""The data's version: a token that every commit changing what the overseers' figures are counted from replaces
(services/versions.py), so that a process may keep figures it counted for as long as the token it read before
counting them is the current one."""

from __future__ import annotations

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from webapp.extensions import db


class DataVersion(db.Model):
    """One row (id 1): a random token, replaced by each commit that changes the tracked tables."""

    __tablename__ = "data_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(32))
