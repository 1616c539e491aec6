"""Registration numbers: per document type, issuing body and year, gapless under concurrency."""

from __future__ import annotations

from datetime import date

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from webapp.extensions import db
from webapp.models import Document, NumberCounter
from webapp.services.errors import Invalid

DEFAULT_PATTERN = "{seq}"


def number_pattern(doc_type: str) -> str:
    return (current_app.config.get("NUMBER_PATTERNS") or {}).get(doc_type, DEFAULT_PATTERN)


def format_number(pattern: str, seq: int, year: int) -> str:
    try:
        return pattern.format(seq=seq, year=year)
    except (KeyError, IndexError, ValueError) as exc:
        raise Invalid(f"Неверный шаблон регистрационного номера «{pattern}»: допустимы {{seq}} и {{year}}.") from exc


def _locked_counter(doc_type: str, body_key: int, year: int) -> NumberCounter:
    """The counter row, locked FOR UPDATE until the transaction ends; created on first use."""
    query = (select(NumberCounter)
             .where(NumberCounter.doc_type == doc_type, NumberCounter.body_key == body_key, NumberCounter.year == year)
             .with_for_update())
    counter = db.session.scalar(query)
    if counter is not None:
        return counter
    try:
        with db.session.begin_nested():  # two first-ever numbers at once: one insert wins, the other re-reads
            db.session.add(NumberCounter(doc_type=doc_type, body_key=body_key, year=year, last=0))
    except IntegrityError:
        pass
    return db.session.scalar(query)


def assign_number(document: Document, on: date) -> str:
    """Give the document the next number of its series and the registration date `on`."""
    counter = _locked_counter(document.doc_type, document.issuing_body_id or 0, on.year)
    counter.last += 1
    document.number = format_number(number_pattern(document.doc_type), counter.last, on.year)
    document.reg_date = on
    db.session.flush()
    return document.number


def ensure_unused(document: Document, number: str) -> None:
    """An archive document keeps its own number: refuse one that its series already holds that year (the same
    document imported twice, or a typing error)."""
    year = (document.reg_date or document.event_date).year
    # lower(number) as ix_document_number_lower (0034) holds it, the exact number compared here; every year's
    # document of that number is read, as the first of them may be another year's
    same_number = db.session.scalars(select(Document).where(
        Document.id != document.id, Document.doc_type == document.doc_type,
        func.lower(Document.number) == func.lower(number),
        Document.issuing_body_id.is_(None) if document.issuing_body_id is None
        else Document.issuing_body_id == document.issuing_body_id,
        Document.state != "draft"))
    clash = next((other for other in same_number if other.number == number
                  and (other.reg_date or other.event_date or date.min).year == year), None)
    if clash is not None:
        raise Invalid(f"{clash.type_title} № {number} за {year} год уже есть в системе "
                      f"(документ «{clash.title[:80]}»).")
