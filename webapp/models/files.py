"""Stored files, content-addressed by SHA-256 under instance/files/."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, DateTime, String
from sqlalchemy.orm import Mapped, mapped_column

from webapp import clock
from webapp.extensions import db


class StoredFile(db.Model):
    __tablename__ = "stored_file"

    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    size: Mapped[int] = mapped_column(BigInteger)
    content_type: Mapped[str] = mapped_column(String(200))
    original_name: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=clock.now)

    @property
    def relative_path(self) -> str:
        """Two-level fan-out keeps directories small: ab/cd/abcd...."""
        return f"{self.sha256[:2]}/{self.sha256[2:4]}/{self.sha256}"
