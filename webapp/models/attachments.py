"""Files attached to a document (приложения): uploaded on a draft, frozen with it once it is published."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp import clock
from webapp.extensions import db
from webapp.models.files import StoredFile
from webapp.models.people import User


class DocumentFile(db.Model):
    """One attached file of a document; its bytes are a StoredFile (kept by hash), its text is kept for search."""

    __tablename__ = "document_file"

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id", ondelete="CASCADE"), index=True)
    file_id: Mapped[int] = mapped_column(ForeignKey("stored_file.id", ondelete="RESTRICT"))
    filename: Mapped[str] = mapped_column(String(255))
    #: the file's text as webapp.sources reads it (DOCX, PDF, TXT); None for types without text (images, XLSX ...)
    text: Mapped[str | None] = mapped_column(Text)
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    added_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=clock.now)

    stored: Mapped[StoredFile] = relationship()
    added_by: Mapped[User | None] = relationship()
