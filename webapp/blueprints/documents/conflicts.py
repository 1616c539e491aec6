"""Editing conflicts lose nothing: when a draft was saved by someone else while it was open here, the page keeps
everything typed, shows field by field what the document holds now beside what was typed, and lets the user keep
hers, take the other version's field, or merge the two field by field before saving."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from webapp import clock
from webapp.blueprints.documents.forms import DocumentForm
from webapp.extensions import db
from webapp.models import Document, DocumentType, Event
from webapp.models.document import TYPE_TITLES

#: the fields compared, in the form's order, with their titles on the page
FIELDS = {
    "doc_type": "Вид документа", "heading": "Наименование вида", "title": "Заголовок", "event_date": "Дата",
    "place": "Место", "preamble": "Вводная часть", "chair": "Председатель", "secretary": "Секретарь",
    "attendees": "Присутствовали", "decision_heading": "Распорядительная формула", "agenda": "Повестка дня",
    "points": "Пункты", "controller_text": "Контроль исполнения", "signer_title": "Должность подписывающего",
    "signer_name": "Подписывающий",
}


@dataclass
class Difference:
    name: str
    title: str
    mine: str
    theirs: str


@dataclass
class ConflictView:
    differences: list[Difference]
    who: str  #: who saved the version in the database, and when («Иванова Ольга Петровна, 26.11.2026 14:05»)


def _agenda_line(number: int, row: dict) -> str:
    line = f"{number}. {row.get('title') or ''}"
    if row.get("speakers"):
        line += f" (докладчик: {row['speakers']})"
    if row.get("heard"):
        line += f"\n   СЛУШАЛИ: {row['heard']}"
    return line


def _point_line(row: dict) -> str:
    parts = [row.get("number") or "", (row.get("text") or "").strip()]
    if row.get("deadline"):
        parts.append(f"[срок: {row['deadline']}]")
    if row.get("responsible"):
        parts.append(f"[ответственные: {len(row['responsible'])}]")
    return " ".join(part for part in parts if part)


def _text(form: DocumentForm, name: str) -> str:
    """A field as the page shows it for comparing: rows of the agenda and points as numbered lines."""
    data = form[name].data
    if name == "agenda":
        return "\n".join(_agenda_line(i, row) for i, row in enumerate(data, 1)
                         if any(row.get(k) for k in ("title", "speakers", "heard")))
    if name == "points":
        return "\n".join(_point_line(row) for row in data if (row.get("text") or "").strip())
    if name == "heading" and not (data or "").strip() and form.doc_type.data in DocumentType.__members__:
        data = TYPE_TITLES[DocumentType(form.doc_type.data)].upper()  # what saving an empty heading stores
    return "\n".join(line.rstrip() for line in str(data or "").strip().splitlines())


def _same(mine: DocumentForm, theirs: DocumentForm, name: str) -> bool:
    if name in ("agenda", "points"):
        def rows(form):
            return [{k: v for k, v in row.items() if k != "csrf_token" and v not in (None, "", [])}
                    for row in form[name].data]
        return [r for r in rows(mine) if r] == [r for r in rows(theirs) if r]
    return _text(mine, name) == _text(theirs, name)


def differences(mine: DocumentForm, theirs: DocumentForm) -> list[Difference]:
    return [Difference(name, title, _text(mine, name), _text(theirs, name))
            for name, title in FIELDS.items() if not _same(mine, theirs, name)]


def last_change(document: Document) -> str:
    event = db.session.scalar(select(Event).where(Event.object_type == "document", Event.object_id == document.id)
                              .order_by(Event.id.desc()).limit(1))
    if event is None:
        return ""
    name = event.actor.full_name if event.actor else "служба"
    return f"{name}, {clock.local_time_text(event.at)}"


def merged(mine: DocumentForm, theirs: DocumentForm, take_theirs: set[str], version: int) -> DocumentForm:
    """The typed form with the chosen fields taken from the version in the database, ready to be saved over it."""
    data = {name: value for name, value in mine.data.items() if name != "csrf_token"}
    for name in take_theirs & FIELDS.keys():
        data[name] = theirs.data[name]
    data["version"] = str(version)
    return DocumentForm(formdata=None, data=data)
