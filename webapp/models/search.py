"""The search index: one entry per document and per assignment, kept current by the service on every write
(services/search.py). The full-text part lives beside it in each engine's own structure, made by migration 0013:
SQLite's FTS5 table `search_fts` over `lexemes` (filled by triggers), PostgreSQL's generated `tsv` column with a
GIN index."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from webapp.extensions import db


class SearchEntry(db.Model):
    __tablename__ = "search_entry"
    __table_args__ = (UniqueConstraint("kind", "object_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # document | assignment
    object_id: Mapped[int] = mapped_column(Integer)
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id", ondelete="CASCADE"), index=True)
    doc_type: Mapped[str] = mapped_column(String(20))
    state: Mapped[str] = mapped_column(String(40))  # the document's
    status: Mapped[str | None] = mapped_column(String(20))  # the assignment's
    body_id: Mapped[int | None] = mapped_column(Integer)  # issuing body; an assignment's lead body
    year: Mapped[int | None] = mapped_column(Integer)
    sort_date: Mapped[date | None] = mapped_column(Date)  # the document's date
    deadline: Mapped[date | None] = mapped_column(Date)
    title: Mapped[str] = mapped_column(Text)  # as listed: «Протокол № 1 от 10.06.2021 …», an assignment's action
    text: Mapped[str] = mapped_column(Text)  # the words searched, as written: snippets come from here
    title_lexemes: Mapped[str] = mapped_column(Text, default="")  # a hit here ranks first
    lexemes: Mapped[str] = mapped_column(Text, default="")


def managed_by_models(obj, name: str | None, type_: str, reflected: bool, compare_to) -> bool:
    """Alembic's include_object: the engines' own full-text structures (FTS5 tables, the tsvector column and its
    index) are made by migration 0013 and are not described by the models; nor are the job queue's own tables on
    PostgreSQL (Procrastinate's, migration 0024)."""
    if type_ == "table" and name and name.startswith(("search_fts", "procrastinate_")):
        return False
    if type_ == "table" and name and name.startswith("search_title_fts"):  # migration 0025's FTS5 table
        return False
    if type_ == "table" and name and name.startswith("search_published_"):  # migration 0033's FTS5 tables
        return False
    if type_ == "column" and name == "tsv" and obj.table.name == "search_entry":
        return False
    if type_ == "index" and name in ("ix_document_register_date",  # migration 0026's, on an expression, per engine
                                     "ix_document_type_register_date"):  # and 0048's, after the type
        return False
    if type_ == "index" and name == "ix_document_number_lower":  # migration 0034's, on an expression
        return False
    # the full-text and result-order indexes of migrations 0013, 0025, 0029, 0036, 0045, 0046 and 0049, written per
    # engine
    return not (type_ == "index" and name in ("ix_search_entry_tsv", "ix_search_entry_title_tsv",
                                              "ix_search_entry_sort_date", "ix_search_entry_published_date",
                                              "ix_search_entry_published_title", "ix_search_entry_published_text",
                                              "ix_search_entry_assignment_body", "ix_search_entry_body",
                                              "ix_search_entry_status", "ix_search_entry_state",
                                              "ix_search_entry_deadline", "ix_search_entry_doc_type",
                                              "ix_search_entry_published_type"))

