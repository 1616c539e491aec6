"""Documents being imported: a file read and its structure extracted, waiting for the secretary's review."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp import clock
from webapp.extensions import db
from webapp.models._types import enum_check
from webapp.models.document import Document
from webapp.models.people import User


class ImportStatus(enum.StrEnum):
    pending = "pending"  #: read and extracted; nothing of it is a document yet
    saved = "saved"  #: the secretary confirmed it: `document` was created from it
    discarded = "discarded"  #: the secretary threw it away


class ImportItem(db.Model):
    """One uploaded file: its text as read and what extraction found in it. Nothing becomes a document or an
    assignment until the secretary confirms it on the review screen."""

    __tablename__ = "import_item"
    __table_args__ = (enum_check("status", ImportStatus),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(10))  # docx | text | pdf
    source_text: Mapped[str] = mapped_column(Text)
    extraction: Mapped[dict] = mapped_column(JSON)  # ru.extract's result: the gold schema, spans and flags
    status: Mapped[str] = mapped_column(String(20), default=ImportStatus.pending)
    document_id: Mapped[int | None] = mapped_column(ForeignKey("document.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=clock.now)

    user: Mapped[User] = relationship()
    document: Mapped[Document | None] = relationship()
