"""DOCX templates uploaded by administrators (versioned), and the stored DOCX of each published document."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp import clock
from webapp.extensions import db
from webapp.models.files import StoredFile
from webapp.models.people import Body, User


class DocTemplate(db.Model):
    """One uploaded version of a template for a document type (or a sheet), for every body or one body.

    New renders use the active version of the most specific template: the issuing body's, else the
    organisation-wide one, else the default built from code. Old versions stay for reference and rollback.
    """

    __tablename__ = "doc_template"
    __table_args__ = (UniqueConstraint("doc_type", "body_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    doc_type: Mapped[str] = mapped_column(String(40), index=True)  # a DocumentType value or a sheet name
    body_id: Mapped[int | None] = mapped_column(ForeignKey("body.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)  # 1, 2, ... per (doc_type, body)
    file_id: Mapped[int] = mapped_column(ForeignKey("stored_file.id", ondelete="RESTRICT"))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    uploaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=clock.now)
    active: Mapped[bool] = mapped_column(Boolean, default=True)  # at most one active per (doc_type, body)

    body: Mapped[Body | None] = relationship()
    file: Mapped[StoredFile] = relationship()
    uploaded_by: Mapped[User | None] = relationship()


class RenderedDocument(db.Model):
    """The DOCX of a published document, rendered once and served unchanged ever after."""

    __tablename__ = "rendered_document"

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id", ondelete="CASCADE"), unique=True)
    file_id: Mapped[int] = mapped_column(ForeignKey("stored_file.id", ondelete="RESTRICT"))
    template_id: Mapped[int | None] = mapped_column(ForeignKey("doc_template.id", ondelete="SET NULL"))
    rendered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=clock.now)

    file: Mapped[StoredFile] = relationship()
    template: Mapped[DocTemplate | None] = relationship()
